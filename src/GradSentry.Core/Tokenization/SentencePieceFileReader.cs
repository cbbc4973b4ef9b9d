namespace GradSentry.Tokenization;

/// <summary>
/// Reads <c>tokenizer.model</c> (a SentencePiece <c>ModelProto</c>) with the library's
/// <see cref="Microsoft.ML.Tokenizers.SentencePieceTokenizer"/> (BPE or Unigram), after checking the parts the
/// library would otherwise fail on obscurely. Added tokens come from <c>tokenizer_config.json</c>
/// (<c>added_tokens_decoder</c>) and <c>added_tokens.json</c>; control and user-defined pieces are matched
/// whole in text, as Hugging Face's Llama tokenizers do.
/// </summary>
internal static class SentencePieceFileReader
{
    public const string FileName = "tokenizer.model";

    public static TokenizerSource Read(string path, TokenizerSettings settings)
    {
        byte[] bytes;
        try
        {
            bytes = GradSentry.IO.RegularFile.ReadAllBytes(path, HfJson.MaxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerLoadException(path, "cannot be read: " + ex.Message, ex);
        }
        var model = SentencePieceModel.Read(bytes, path);
        var kind = model.ModelType switch
        {
            SentencePieceModel.Bpe => "tokenizer.model (SentencePiece BPE)",
            SentencePieceModel.Unigram => "tokenizer.model (SentencePiece Unigram)",
            var other => throw new TokenizerLoadException(path, $"SentencePiece model type {other} (WORD = 3, CHAR = 4) is not supported by Microsoft.ML.Tokenizers (BPE = 2 and UNIGRAM = 1 are)."),
        };
        if (model.ModelType == SentencePieceModel.Unigram && model.ByteFallback)
            throw new TokenizerLoadException(path, "a SentencePiece Unigram model with byte_fallback: Microsoft.ML.Tokenizers 2.0.1 offsets the byte-fallback ids wrongly (ids past the vocabulary, or an IndexOutOfRangeException), so it is refused.");

        var tokenToId = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new List<AddedToken>();
        for (var id = 0; id < model.Pieces.Count; id++)
        {
            var piece = model.Pieces[id];
            if (!tokenToId.TryAdd(piece.Text, id))
                throw new TokenizerLoadException(path, $"piece '{piece.Text}' appears twice (ids {tokenToId[piece.Text]} and {id}).");
            if (piece.Type is PieceType.Control or PieceType.UserDefined && piece.Text.Length > 0)
                added.Add(new AddedToken(id, piece.Text, piece.Type == PieceType.Control));
        }
        foreach (var (token, file) in settings.AddedTokens)
        {
            if (tokenToId.TryGetValue(token.Content, out var existing))
            {
                if (existing != token.Id)
                    throw new TokenizerLoadException(file, $"added token '{token.Content}' has id {token.Id}, but {FileName} has it as {existing}.");
                if (!added.Any(a => a.Id == token.Id)) added.Add(token);
                continue;
            }
            if (token.Id < model.Pieces.Count)
                throw new TokenizerLoadException(file, $"added token '{token.Content}' has id {token.Id}, which is the piece '{model.Pieces[token.Id].Text}' of {FileName}.");
            if (tokenToId.ContainsValue(token.Id))
                throw new TokenizerLoadException(file, $"added token '{token.Content}' reuses id {token.Id}.");
            tokenToId[token.Content] = token.Id;
            added.Add(token);
        }

        int? InRange(int id) => id >= 0 && id < model.Pieces.Count ? id : null;
        var addedMap = TokenizerSource.AddedTokenMap(added);
        return new TokenizerSource
        {
            Path = path,
            Kind = kind,
            TokenToId = tokenToId,
            Ids = new HashSet<int>(tokenToId.Values),
            AddedTokens = added,
            ModelDefaults = (InRange(model.BosId), InRange(model.EosId), InRange(model.PadId), InRange(model.UnkId)),
            // A SentencePiece model always has an unknown piece (or byte fallback), so every valid character maps.
            Build = _ => TokenizerSource.WrapSentencePiece(TokenizerSource.CreateSentencePiece(path, bytes, addedMap), TextCoverage.Everything()),
        };
    }
}
