using Google.Protobuf;

namespace GradSentry.Tokenization;

/// <summary>Piece types of <c>sentencepiece_model.proto</c>.</summary>
internal enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>One vocabulary entry of a SentencePiece model.</summary>
internal readonly record struct Piece(string Text, float Score, PieceType Type);

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> (<c>tokenizer.model</c>) this project reads or writes:
/// <c>pieces</c> (field 1), and from <c>trainer_spec</c> (field 2) and <c>normalizer_spec</c> (field 3) the
/// fields Microsoft.ML.Tokenizers honours. Reading validates what the library would otherwise fail on with a
/// bare <see cref="NullReferenceException"/> (a missing trainer_spec or normalizer_spec); writing is how a
/// SentencePiece-style <c>tokenizer.json</c> is handed to the library's <c>SentencePieceTokenizer</c>.
/// </summary>
internal sealed class SentencePieceModel
{
    // ModelProto
    const int PiecesField = 1, TrainerSpecField = 2, NormalizerSpecField = 3;
    // ModelProto.SentencePiece
    const int PieceTextField = 1, PieceScoreField = 2, PieceTypeField = 3;
    // TrainerSpec
    const int ModelTypeField = 3, TreatWhitespaceAsSuffixField = 24, ByteFallbackField = 35,
        UnkIdField = 40, BosIdField = 41, EosIdField = 42, PadIdField = 43,
        UnkPieceField = 45, BosPieceField = 46, EosPieceField = 47;
    // NormalizerSpec
    const int NormalizerNameField = 1, PrecompiledCharsmapField = 2, AddDummyPrefixField = 3,
        RemoveExtraWhitespacesField = 4, EscapeWhitespacesField = 5;

    /// <summary>TrainerSpec.ModelType UNIGRAM.</summary>
    public const int Unigram = 1;
    /// <summary>TrainerSpec.ModelType BPE.</summary>
    public const int Bpe = 2;

    public List<Piece> Pieces { get; } = [];
    public int ModelType { get; set; } = Unigram;          // proto2 default
    public bool ByteFallback { get; set; }
    public bool TreatWhitespaceAsSuffix { get; set; }
    public int UnkId { get; set; }                         // proto2 defaults: 0, 1, 2, -1
    public int BosId { get; set; } = 1;
    public int EosId { get; set; } = 2;
    public int PadId { get; set; } = -1;
    public string? UnkPiece { get; set; }
    public string? BosPiece { get; set; }
    public string? EosPiece { get; set; }
    public string NormalizerName { get; set; } = "";
    public bool HasPrecompiledCharsmap { get; private set; }
    public bool AddDummyPrefix { get; set; } = true;
    public bool RemoveExtraWhitespaces { get; set; } = true;
    public bool EscapeWhitespaces { get; set; } = true;

    /// <summary>Parses <paramref name="data"/>; <paramref name="path"/> names the file in errors.</summary>
    public static SentencePieceModel Read(byte[] data, string path)
    {
        var model = new SentencePieceModel();
        bool trainer = false, normalizer = false;
        try
        {
            var input = new CodedInputStream(data);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case PiecesField when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        model.Pieces.Add(ReadPiece(input.ReadBytes()));
                        break;
                    case TrainerSpecField when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        model.ReadTrainerSpec(input.ReadBytes());
                        trainer = true;
                        break;
                    case NormalizerSpecField when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        model.ReadNormalizerSpec(input.ReadBytes());
                        normalizer = true;
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new TokenizerLoadException(path, "not a SentencePiece model (invalid protobuf: " + ex.Message + ")", ex);
        }
        if (model.Pieces.Count == 0)
            throw new TokenizerLoadException(path, "the SentencePiece model has no pieces (ModelProto field 1).");
        if (!trainer)
            throw new TokenizerLoadException(path, "the SentencePiece model has no trainer_spec (ModelProto field 2); Microsoft.ML.Tokenizers needs it for the model type and the special-token ids.");
        if (!normalizer)
            throw new TokenizerLoadException(path, "the SentencePiece model has no normalizer_spec (ModelProto field 3); Microsoft.ML.Tokenizers needs it for the whitespace handling.");
        return model;
    }

    /// <summary>The serialized <c>ModelProto</c>, with every field written explicitly (no proto2 defaults relied on).</summary>
    public byte[] ToByteArray()
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var piece in Pieces)
        {
            output.WriteTag(PiecesField, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                o.WriteTag(PieceTextField, WireFormat.WireType.LengthDelimited);
                o.WriteString(piece.Text);
                o.WriteTag(PieceScoreField, WireFormat.WireType.Fixed32);
                o.WriteFloat(piece.Score);
                o.WriteTag(PieceTypeField, WireFormat.WireType.Varint);
                o.WriteEnum((int)piece.Type);
            }));
        }
        output.WriteTag(TrainerSpecField, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            WriteInt(o, ModelTypeField, ModelType);
            WriteBool(o, TreatWhitespaceAsSuffixField, TreatWhitespaceAsSuffix);
            WriteBool(o, ByteFallbackField, ByteFallback);
            WriteInt(o, UnkIdField, UnkId);
            WriteInt(o, BosIdField, BosId);
            WriteInt(o, EosIdField, EosId);
            WriteInt(o, PadIdField, PadId);
            WriteString(o, UnkPieceField, UnkPiece);
            WriteString(o, BosPieceField, BosPiece);
            WriteString(o, EosPieceField, EosPiece);
        }));
        output.WriteTag(NormalizerSpecField, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            WriteString(o, NormalizerNameField, NormalizerName);
            WriteBool(o, AddDummyPrefixField, AddDummyPrefix);
            WriteBool(o, RemoveExtraWhitespacesField, RemoveExtraWhitespaces);
            WriteBool(o, EscapeWhitespacesField, EscapeWhitespaces);
        }));
        output.Flush();
        return stream.ToArray();
    }

    static Piece ReadPiece(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        string text = "";
        float score = 0;
        var type = PieceType.Normal;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case PieceTextField: text = input.ReadString(); break;
                case PieceScoreField: score = input.ReadFloat(); break;
                case PieceTypeField: type = (PieceType)input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new Piece(text, score, type);
    }

    void ReadTrainerSpec(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ModelTypeField: ModelType = input.ReadEnum(); break;
                case TreatWhitespaceAsSuffixField: TreatWhitespaceAsSuffix = input.ReadBool(); break;
                case ByteFallbackField: ByteFallback = input.ReadBool(); break;
                case UnkIdField: UnkId = input.ReadInt32(); break;
                case BosIdField: BosId = input.ReadInt32(); break;
                case EosIdField: EosId = input.ReadInt32(); break;
                case PadIdField: PadId = input.ReadInt32(); break;
                case UnkPieceField: UnkPiece = input.ReadString(); break;
                case BosPieceField: BosPiece = input.ReadString(); break;
                case EosPieceField: EosPiece = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
    }

    void ReadNormalizerSpec(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case NormalizerNameField: NormalizerName = input.ReadString(); break;
                case PrecompiledCharsmapField: HasPrecompiledCharsmap = input.ReadBytes().Length > 0; break;
                case AddDummyPrefixField: AddDummyPrefix = input.ReadBool(); break;
                case RemoveExtraWhitespacesField: RemoveExtraWhitespaces = input.ReadBool(); break;
                case EscapeWhitespacesField: EscapeWhitespaces = input.ReadBool(); break;
                default: input.SkipLastField(); break;
            }
        }
    }

    static ByteString Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(stream.ToArray());
    }

    static void WriteInt(CodedOutputStream o, int field, int value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt32(value);
    }

    static void WriteBool(CodedOutputStream o, int field, bool value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteBool(value);
    }

    static void WriteString(CodedOutputStream o, int field, string? value)
    {
        if (value is null) return;
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }
}
