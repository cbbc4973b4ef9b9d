using System.Buffers.Binary;
using System.Text;
using GradSentry.Checkpoints;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Checkpoints;

/// <summary>Every malformed header is a <see cref="CheckpointException"/> naming the file (and tensor), never a crash.</summary>
public sealed class HostileHeaderTests : IDisposable
{
    readonly TempDirectory _tmp = TestPaths.NewTempDirectory();

    public void Dispose() => _tmp.Dispose();

    /// <summary>Length field + header bytes + <paramref name="dataBytes"/> zero bytes.</summary>
    static byte[] Build(byte[] header, int dataBytes, ulong? lengthField = null)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, lengthField ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    static byte[] Build(string header, int dataBytes) => Build(Encoding.UTF8.GetBytes(header), dataBytes);

    CheckpointException Reject(byte[] bytes, string? tensor, string messagePart)
    {
        var path = _tmp.File("hostile.safetensors");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Equal(path, ex.File);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(tensor, ex.TensorName);
        if (tensor is not null) Assert.Contains($"tensor '{tensor}'", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Contains(messagePart, StringComparison.Ordinal), $"expected \"{messagePart}\" in: {ex.Message}");
        return ex;
    }

    const string Ok = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    [Fact]
    public void AValidHandBuiltFileOpens()
    {
        var path = _tmp.File("ok.safetensors");
        File.WriteAllBytes(path, Build("{" + Ok + "}  ", 8));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new long[] { 2 }, file["w"].Shape);
        Assert.Equal(8 + 2 + Ok.Length + 2, file["w"].DataOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void ReaderRejectsFileShorterThanTheLengthField(int length) =>
        Reject(new byte[length], null, "shorter than the 8-byte header length field");

    [Fact]
    public void ReaderRejectsHeaderLongerThanFile() =>
        Reject(Build(Encoding.UTF8.GetBytes("{}"), 0, lengthField: 3), null, "but only 2 follow it");

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(long.MaxValue + 1UL)]
    public void ReaderRejectsHeaderLengthAboveTheCapWithoutAllocatingIt(ulong length) =>
        Reject(Build(Encoding.UTF8.GetBytes("{}"), 0, lengthField: length), null, "above the 100000000-byte limit");

    [Fact]
    public void ReaderRejectsHeaderThatIsNotUtf8()
    {
        var header = Encoding.UTF8.GetBytes("{\"w\xFF\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}");
        header[3] = 0xFF; // replace the encoded \xFF (two bytes) start with an invalid lone byte
        header[4] = (byte)'x';
        Reject(Build(header, 4), null, "not valid UTF-8");
    }

    [Theory]
    [InlineData("{\"w\":")]
    [InlineData("{\"w\" {}}")]
    [InlineData("{'w':{}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],}}")]
    [InlineData("{/*c*/}")]
    [InlineData("")]
    [InlineData("   ")]
    public void ReaderRejectsHeaderThatIsNotJson(string header) => Reject(Build(header, 0), null, "header");

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"x\"")]
    [InlineData("null")]
    public void ReaderRejectsHeaderThatIsNotAnObject(string header) => Reject(Build(header, 0), null, "not a JSON object");

    [Fact]
    public void ReaderRejectsDataAfterTheHeaderObject() => Reject(Build("{} {}", 0), null, "not valid JSON");

    [Theory]
    [InlineData("{\"shape\":[1],\"data_offsets\":[0,4]}", "'dtype'")]
    [InlineData("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", "'shape'")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1]}", "'data_offsets'")]
    [InlineData("{}", "'dtype' and 'shape' and 'data_offsets'")]
    public void ReaderRejectsEntryWithAMissingField(string entry, string missing) =>
        Reject(Build("{\"w\":" + entry + "}", 4), "w", "lacks " + missing);

    [Theory]
    [InlineData("[1,2]", "must be an object")]
    [InlineData("\"F32\"", "must be an object")]
    [InlineData("{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}", "'dtype' must be a string")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}", "'shape' must be an array")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}", "'shape' must hold non-negative integers")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}", "not an integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}", "'shape' must hold non-negative integers")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}", "exactly 2 entries")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}", "more than 2 entries")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}", "'data_offsets' must hold non-negative integers")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"a\":0}}", "'data_offsets' must be an array")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,100000000000000000000]}", "not an integer in range")]
    [InlineData("{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "'dtype' twice")]
    public void ReaderRejectsEntryWithWrongJsonTypes(string entry, string message) =>
        Reject(Build("{\"w\":" + entry + "}", 4), "w", message);

    [Theory]
    [InlineData("F8_E4M3")]
    [InlineData("f32")]
    [InlineData("C64")]
    [InlineData("")]
    public void ReaderRejectsUnknownDtype(string dtype) =>
        Reject(Build("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w", $"dtype '{dtype}' is not supported");

    [Fact]
    public void ReaderRejectsNegativeDimension() =>
        Reject(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", 16), "w", "negative value -1");

    [Theory]
    [InlineData("[4294967296,4294967296]")]
    [InlineData("[9223372036854775807,2]")]
    [InlineData("[2305843009213693952]")]
    public void ReaderRejectsShapeWhoseSizeOverflows(string shape) =>
        Reject(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,4]}}", 4), "w", "overflows a 64-bit integer");

    [Fact]
    public void ReaderRejectsAbsurdRank()
    {
        var shape = "[" + string.Join(",", Enumerable.Repeat("1", 65)) + "]";
        Reject(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,4]}}", 4), "w", "more than 64 entries");
    }

    [Fact]
    public void ReaderRejectsHugeShapeThatTheFileCannotHold() =>
        Reject(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4]}}", 4), "w", "needs 4000000000000 bytes");

    [Theory]
    [InlineData("F32", "[3]", 8, "needs 12 bytes")]
    [InlineData("F16", "[2,2]", 16, "needs 8 bytes")]
    [InlineData("I64", "[]", 4, "needs 8 bytes")]
    [InlineData("BOOL", "[0]", 1, "needs 0 bytes")]
    public void ReaderRejectsByteSizeNotMatchingShape(string dtype, string shape, int bytes, string message) =>
        Reject(Build("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[0," + bytes + "]}}", bytes), "w", message);

    [Fact]
    public void ReaderRejectsOffsetsOutsideTheDataBlock() =>
        Reject(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 8), "w", "outside the 8-byte data block");

    [Fact]
    public void ReaderRejectsOffsetsThatBeginAfterTheyEnd() =>
        Reject(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8), "w", "begin after they end");

    [Fact]
    public void ReaderRejectsOverlappingTensors() =>
        Reject(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "b", "overlap those of tensor 'a'");

    [Fact]
    public void ReaderRejectsTwoTensorsSharingTheSameBytes() =>
        Reject(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "b", "overlap");

    [Fact]
    public void ReaderRejectsGapBetweenTensors() =>
        Reject(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "b", "gap of unused bytes [4, 8)");

    [Fact]
    public void ReaderRejectsGapBeforeTheFirstTensor() =>
        Reject(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "a", "gap of unused bytes [0, 4)");

    [Fact]
    public void ReaderRejectsUnusedBytesAtTheEndOfTheDataBlock() =>
        Reject(Build("{" + Ok + "}", 9), null, "1 unused bytes at its end");

    [Fact]
    public void ReaderRejectsDataBlockWithNoTensors() =>
        Reject(Build("{}", 3), null, "3 unused bytes");

    [Theory]
    [InlineData("\"w\"", "\"w\"")]
    [InlineData("\"w\"", "\"\\u0077\"")]
    public void ReaderRejectsDuplicateTensorNames(string first, string second) =>
        Reject(Build("{" + first + ":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," + second + ":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "w", "lists this tensor name twice");

    [Fact]
    public void ReaderRejectsEmptyTensorName() =>
        Reject(Build("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "", "empty name");

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("a\\udc00b")]
    public void ReaderRejectsTensorNameWithUnpairedSurrogateEscape(string name) =>
        Reject(Build("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), null, "not valid UTF-8");

    [Theory]
    [InlineData("[]", "but it is an array")]
    [InlineData("\"x\"", "but it is a string")]
    [InlineData("null", "but it is null")]
    [InlineData("{\"k\":1}", "key 'k' has a number")]
    [InlineData("{\"k\":{\"a\":\"b\"}}", "key 'k' has an object")]
    [InlineData("{\"k\":null}", "key 'k' has null")]
    [InlineData("{\"k\":\"a\",\"k\":\"b\"}", "key 'k' twice")]
    public void ReaderRejectsMetadataThatIsNotAStringMap(string metadata, string message) =>
        Reject(Build("{\"__metadata__\":" + metadata + "," + Ok + "}", 8), null, message);

    [Fact]
    public void ReaderRejectsMetadataGivenTwice() =>
        Reject(Build("{\"__metadata__\":{},\"__metadata__\":{}}", 0), null, "'__metadata__' twice");

    [Fact]
    public void ReaderRejectsDeeplyNestedUnknownField()
    {
        var deep = new string('[', 200) + new string(']', 200);
        Reject(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":" + deep + "}}", 4), null, "not valid JSON");
    }

    [Fact]
    public void ReaderIgnoresUnknownFieldsInAnEntryAsTheReferenceDoes()
    {
        var path = _tmp.File("extra.safetensors");
        File.WriteAllBytes(path, Build("{\"w\":{\"dtype\":\"F32\",\"extra\":{\"a\":[1,2]},\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(SafeTensorsDType.F32, file["w"].DType);
    }

    [Fact]
    public void ReaderAcceptsZeroSizedTensorsSharingAnOffset()
    {
        var path = _tmp.File("zero.safetensors");
        File.WriteAllBytes(path, Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},\"b\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[0,0]}," + Ok + "}", 8));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(3, file.Tensors.Count);
        using var a = file.Load("a", TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU);
        Assert.Equal(new long[] { 0, 3 }, a.shape);
    }

    [Fact]
    public void ReaderRejectsMissingFile()
    {
        var path = _tmp.File("absent.safetensors");
        var ex = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Open(path));
        Assert.Equal(path, ex.File);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }
}
