using System.Globalization;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Tests.Support;

/// <summary>A row with a column of every kind ML.NET loads from a class: numbers, text, key, dates, fixed and variable vectors.</summary>
public sealed class AllTypesRow : IEquatable<AllTypesRow>
{
    public string Prompt { get; set; } = "";
    public string Response { get; set; } = "";
    public float SingleValue { get; set; }
    public double DoubleValue { get; set; }
    public sbyte SByteValue { get; set; }
    public byte ByteValue { get; set; }
    public short Int16Value { get; set; }
    public ushort UInt16Value { get; set; }
    public int Int32Value { get; set; }
    public uint UInt32Value { get; set; }
    public long Int64Value { get; set; }
    public ulong UInt64Value { get; set; }
    public bool BooleanValue { get; set; }
    public DateTime DateTime { get; set; }
    public DateTimeOffset DateTimeOffset { get; set; }
    public TimeSpan TimeSpan { get; set; }

    [KeyType(10)]
    public uint Key { get; set; }

    [VectorType(3)]
    public float[] Fixed { get; set; } = [];

    public double[] Variable { get; set; } = [];

    public string[] Texts { get; set; } = [];

    /// <summary><paramref name="count"/> rows with distinct values (row 2 holds NaN and an empty vector).</summary>
    public static List<AllTypesRow> Make(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new AllTypesRow
        {
            Prompt = string.Create(CultureInfo.InvariantCulture, $"Question {i}: what is {i} + {i}?\nAnswer: "),
            Response = string.Create(CultureInfo.InvariantCulture, $"{2 * i}, which is {(i % 2 == 0 ? "even" : "even too")}"),
            SingleValue = i == 2 ? float.NaN : i * 1.5f,
            DoubleValue = -i / 3.0,
            SByteValue = (sbyte)-i,
            ByteValue = (byte)(200 + i),
            Int16Value = (short)(-1000 * i),
            UInt16Value = (ushort)(60000 + i),
            Int32Value = int.MinValue + i,
            UInt32Value = uint.MaxValue - (uint)i,
            Int64Value = long.MaxValue - i,
            UInt64Value = ulong.MaxValue - (ulong)i,
            BooleanValue = i % 3 == 0,
            DateTime = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i),
            DateTimeOffset = new DateTimeOffset(2024, 2, 1, 12, 0, 0, TimeSpan.FromHours(i % 5)),
            TimeSpan = TimeSpan.FromSeconds(i * 7),
            Key = (uint)(i % 10 + 1),
            Fixed = [i, -i, i * 0.5f],
            Variable = i == 2 ? [] : [.. Enumerable.Range(0, i % 4 + 1).Select(j => i + j / 10.0)],
            Texts = [.. Enumerable.Range(0, i % 3).Select(j => "t" + i + "." + j)],
        }),
    ];

    public bool Equals(AllTypesRow? other) =>
        other is not null && Prompt == other.Prompt && Response == other.Response && SingleValue.Equals(other.SingleValue) && DoubleValue.Equals(other.DoubleValue)
        && SByteValue == other.SByteValue && ByteValue == other.ByteValue && Int16Value == other.Int16Value && UInt16Value == other.UInt16Value && Int32Value == other.Int32Value
        && UInt32Value == other.UInt32Value && Int64Value == other.Int64Value && UInt64Value == other.UInt64Value && BooleanValue == other.BooleanValue
        && DateTime == other.DateTime && DateTimeOffset.Equals(other.DateTimeOffset) && DateTimeOffset.Offset == other.DateTimeOffset.Offset
        && TimeSpan == other.TimeSpan && Key == other.Key
        && Fixed.SequenceEqual(other.Fixed) && Variable.SequenceEqual(other.Variable) && Texts.SequenceEqual(other.Texts);

    /// <summary>Asserts every property equal, naming the first that differs.</summary>
    public static void AssertSame(IReadOnlyList<AllTypesRow> expected, IReadOnlyList<AllTypesRow> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            foreach (var property in typeof(AllTypesRow).GetProperties())
            {
                var e = property.GetValue(expected[i]);
                var a = property.GetValue(actual[i]);
                var same = e is System.Collections.IEnumerable ee && e is not string
                    ? ee.Cast<object>().SequenceEqual(((System.Collections.IEnumerable)a!).Cast<object>())
                    : Equals(e, a);
                Assert.True(same, $"row {i}, column {property.Name}: expected {e}, got {a}");
            }
    }

    public override bool Equals(object? obj) => Equals(obj as AllTypesRow);

    public override int GetHashCode() => HashCode.Combine(Prompt, Int32Value, Int64Value);

    public override string ToString() => Prompt;
}
