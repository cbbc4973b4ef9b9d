namespace GradSentry.Scoring;

/// <summary>
/// One sample as token ids: <c>[bos?] + prompt + response + [eos]</c>. Positions
/// <c>PromptLength .. PromptLength + AnswerTokens - 1</c> are supervised (the response and EOS);
/// each is predicted from the hidden state one position earlier.
/// </summary>
/// <param name="Id">Caller's identifier, carried through to the result.</param>
/// <param name="InputIds">All token ids, BOS and EOS included.</param>
/// <param name="PromptLength">Tokens before the first supervised one (BOS + prompt); at least 1.</param>
/// <param name="AnswerTokens">T: supervised tokens (response tokens + EOS).</param>
/// <param name="PromptTokensDropped">Prompt tokens cut from the left to fit the maximum length (0 when none).</param>
public sealed record EncodedSample(long Id, int[] InputIds, int PromptLength, int AnswerTokens, int PromptTokensDropped = 0)
{
    /// <summary>Total length in tokens.</summary>
    public int Length => InputIds.Length;
}
