using TorchSharp;

namespace GradSentry.Checkpoints;

/// <summary>The element types of the safetensors format this library reads and writes (names as written in headers).</summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 binary32.</summary>
    F32,
    /// <summary>IEEE 754 binary16.</summary>
    F16,
    /// <summary>bfloat16 (the upper half of a binary32).</summary>
    BF16,
    /// <summary>IEEE 754 binary64.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Boolean stored as one byte (0 or 1).</summary>
    BOOL,
}

/// <summary>Helpers for <see cref="SafeTensorsDType"/>: sizes, header names, TorchSharp equivalents.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>The dtype names accepted in a header, comma separated (for messages).</summary>
    public static string SupportedNames => "F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL";

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 => 2,
        SafeTensorsDType.I8 or SafeTensorsDType.U8 or SafeTensorsDType.BOOL => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown safetensors dtype"),
    };

    /// <summary>True for F32, F16, BF16 and F64: the dtypes that can become model weights.</summary>
    public static bool IsFloatingPoint(this SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.F64;

    /// <summary>The TorchSharp element type with the same bytes.</summary>
    public static torch.ScalarType ToScalarType(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F32 => torch.ScalarType.Float32,
        SafeTensorsDType.F16 => torch.ScalarType.Float16,
        SafeTensorsDType.BF16 => torch.ScalarType.BFloat16,
        SafeTensorsDType.F64 => torch.ScalarType.Float64,
        SafeTensorsDType.I64 => torch.ScalarType.Int64,
        SafeTensorsDType.I32 => torch.ScalarType.Int32,
        SafeTensorsDType.I16 => torch.ScalarType.Int16,
        SafeTensorsDType.I8 => torch.ScalarType.Int8,
        SafeTensorsDType.U8 => torch.ScalarType.Byte,
        SafeTensorsDType.BOOL => torch.ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown safetensors dtype"),
    };

    /// <summary>The safetensors dtype for a TorchSharp element type; false for types the format here does not cover (complex, ...).</summary>
    public static bool TryFromScalarType(torch.ScalarType scalarType, out SafeTensorsDType dtype)
    {
        switch (scalarType)
        {
            case torch.ScalarType.Float32: dtype = SafeTensorsDType.F32; return true;
            case torch.ScalarType.Float16: dtype = SafeTensorsDType.F16; return true;
            case torch.ScalarType.BFloat16: dtype = SafeTensorsDType.BF16; return true;
            case torch.ScalarType.Float64: dtype = SafeTensorsDType.F64; return true;
            case torch.ScalarType.Int64: dtype = SafeTensorsDType.I64; return true;
            case torch.ScalarType.Int32: dtype = SafeTensorsDType.I32; return true;
            case torch.ScalarType.Int16: dtype = SafeTensorsDType.I16; return true;
            case torch.ScalarType.Int8: dtype = SafeTensorsDType.I8; return true;
            case torch.ScalarType.Byte: dtype = SafeTensorsDType.U8; return true;
            case torch.ScalarType.Bool: dtype = SafeTensorsDType.BOOL; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Parses a header dtype name (exact, case-sensitive as the format requires).</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name)
        {
            case "F32": dtype = SafeTensorsDType.F32; return true;
            case "F16": dtype = SafeTensorsDType.F16; return true;
            case "BF16": dtype = SafeTensorsDType.BF16; return true;
            case "F64": dtype = SafeTensorsDType.F64; return true;
            case "I64": dtype = SafeTensorsDType.I64; return true;
            case "I32": dtype = SafeTensorsDType.I32; return true;
            case "I16": dtype = SafeTensorsDType.I16; return true;
            case "I8": dtype = SafeTensorsDType.I8; return true;
            case "U8": dtype = SafeTensorsDType.U8; return true;
            case "BOOL": dtype = SafeTensorsDType.BOOL; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>The name written in a header (same as the enum member name).</summary>
    public static string HeaderName(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.F64 => "F64",
        SafeTensorsDType.I64 => "I64",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.BOOL => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown safetensors dtype"),
    };
}
