namespace GradSentry.Scoring;

/// <summary>
/// Turns (prompt, response) text into an <see cref="EncodedSample"/> exactly as the reference does:
/// <c>[bos if add_bos_token] + tokens(prompt) + tokens(response) + [eos]</c>, prompt and response
/// tokenized separately and without special tokens; T = response tokens + 1.
/// </summary>
/// <remarks>
/// A sample longer than <see cref="MaxLength"/> loses prompt tokens from the left (BOS kept) and
/// says so in <see cref="EncodedSample.PromptTokensDropped"/>; the response is never cut: if it
/// cannot fit, encoding fails for that row.
/// </remarks>
public sealed class SampleEncoder
{
    readonly Func<string, IReadOnlyList<int>> _encodeText;

    /// <summary>Creates an encoder from a text → ids function and the special-token settings.</summary>
    /// <param name="encodeText">Tokenizes text without adding special tokens.</param>
    /// <param name="bosTokenId">BOS id, used when <paramref name="addBos"/> is true.</param>
    /// <param name="eosTokenId">EOS id, always appended.</param>
    /// <param name="addBos">The tokenizer's <c>add_bos_token</c>.</param>
    /// <param name="maxLength">Largest sequence the model accepts.</param>
    public SampleEncoder(Func<string, IReadOnlyList<int>> encodeText, int? bosTokenId, int eosTokenId, bool addBos, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(encodeText);
        if (addBos && bosTokenId is null)
            throw new ArgumentException("the tokenizer says add_bos_token but defines no BOS token.", nameof(bosTokenId));
        if (maxLength < 2) throw new ArgumentException($"max length must be at least 2 tokens (got {maxLength}).", nameof(maxLength));
        _encodeText = encodeText;
        BosTokenId = addBos ? bosTokenId : null;
        EosTokenId = eosTokenId;
        MaxLength = maxLength;
    }

    /// <summary>The BOS id prepended, or null when none is.</summary>
    public int? BosTokenId { get; }

    /// <summary>The EOS id appended to every response.</summary>
    public int EosTokenId { get; }

    /// <summary>Largest sequence length in tokens.</summary>
    public int MaxLength { get; }

    /// <summary>Encodes one sample.</summary>
    /// <exception cref="SampleEncodingException">Empty response, no context token, a response that cannot fit, or text the tokenizer cannot map.</exception>
    public EncodedSample Encode(long id, string prompt, string response)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        if (response.Length == 0)
            throw new SampleEncodingException("the response is empty: there is no answer to take a gradient of.");
        IReadOnlyList<int> promptIds, responseIds;
        try
        {
            promptIds = prompt.Length == 0 ? [] : _encodeText(prompt);
            responseIds = _encodeText(response);
        }
        catch (ArgumentException ex)
        {
            throw new SampleEncodingException(ex.Message, ex);
        }
        var bos = BosTokenId is null ? 0 : 1;
        var answer = responseIds.Count + 1;
        if (bos + promptIds.Count == 0)
            throw new SampleEncodingException("the prompt is empty and the tokenizer adds no BOS token, so the first answer token has no context.");
        // At least one context token must stay in front of the answer.
        var minimum = answer + Math.Max(bos, 1);
        if (minimum > MaxLength)
            throw new SampleEncodingException(
                $"the response needs {answer} tokens (with EOS) plus context, more than the maximum length {MaxLength}; raise --max-length or shorten the response.");
        var keepPrompt = Math.Min(promptIds.Count, MaxLength - bos - answer);
        var dropped = promptIds.Count - keepPrompt;
        var ids = new int[bos + keepPrompt + answer];
        var at = 0;
        if (BosTokenId is int b) ids[at++] = b;
        for (var i = dropped; i < promptIds.Count; i++) ids[at++] = promptIds[i];
        foreach (var r in responseIds) ids[at++] = r;
        ids[at] = EosTokenId;
        return new EncodedSample(id, ids, bos + keepPrompt, answer, dropped);
    }
}

/// <summary>A sample that cannot be encoded; the message says why and how to fix it.</summary>
public sealed class SampleEncodingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SampleEncodingException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public SampleEncodingException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public SampleEncodingException() { }
}
