using System.Text.Json;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;

namespace GradSentry.Tests.Tokenization;

public class GoldenTinyLlamaTokenizerTests
{
    static readonly HfTokenizer Tiny = HfTokenizer.Load(TestPaths.GoldenModel("tiny-llama"));

    static int CaseCount()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Golden, "reference", "tiny-llama.logits.json")));
        return document.RootElement.GetProperty("cases").GetArrayLength();
    }

    public static TheoryData<int> LogitCases() => new(Enumerable.Range(0, CaseCount()));

    static (string Prompt, string Response, int[] InputIds, int PromptTokens, int AnswerTokens) Case(int index)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Golden, "reference", "tiny-llama.logits.json")));
        var c = document.RootElement.GetProperty("cases")[index];
        return (c.GetProperty("prompt").GetString()!, c.GetProperty("response").GetString()!,
                c.GetProperty("inputIds").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                c.GetProperty("promptTokens").GetInt32(), c.GetProperty("answerTokens").GetInt32());
    }

    [Theory]
    [MemberData(nameof(LogitCases))]
    public void Bos_plus_encoded_prompt_plus_encoded_response_plus_eos_reproduces_the_reference_input_ids(int index)
    {
        var (prompt, response, inputIds, promptTokens, answerTokens) = Case(index);

        var promptIds = Tiny.EncodeText(prompt);
        var responseIds = Tiny.EncodeText(response);
        int[] composed = [Tiny.BosTokenId!.Value, .. promptIds, .. responseIds, Tiny.EosTokenId!.Value];

        Assert.Equal(inputIds, composed);
        Assert.Equal(promptTokens, 1 + promptIds.Count);
        Assert.Equal(answerTokens, responseIds.Count + 1);
    }

    [Theory]
    [MemberData(nameof(LogitCases))]
    public void Decoding_the_reference_ids_between_bos_and_eos_gives_back_prompt_and_response(int index)
    {
        var (prompt, response, inputIds, _, _) = Case(index);

        Assert.Equal(prompt + response, Tiny.Decode(inputIds[1..^1]));
        Assert.Equal("<s>" + prompt + response + "</s>", Tiny.Decode(inputIds));
        Assert.Equal(prompt + response, Tiny.Decode(inputIds, skipSpecialTokens: true));
    }

    [Fact]
    public void The_reference_cases_include_non_ascii_text_encoded_as_several_byte_ids()
    {
        var nonAscii = Enumerable.Range(0, CaseCount()).Select(Case).Where(c => (c.Prompt + c.Response).Any(ch => ch > 127)).ToList();

        Assert.NotEmpty(nonAscii);
    }

    [Theory]
    [InlineData("é", new[] { 0xC3, 0xA9 })]
    [InlineData("Bogotá", new[] { 66, 111, 103, 111, 116, 0xC3, 0xA1 })]
    [InlineData("€1", new[] { 0xE2, 0x82, 0xAC, 49 })]
    [InlineData("a😀", new[] { 97, 0xF0, 0x9F, 0x98, 0x80 })]
    [InlineData("line\nbreak\ttab  two", new[] { 108, 105, 110, 101, 10, 98, 114, 101, 97, 107, 9, 116, 97, 98, 32, 32, 116, 119, 111 })]
    public void Every_utf8_byte_becomes_the_token_with_that_byte_value(string text, int[] expected)
    {
        Assert.Equal(expected, Tiny.EncodeText(text));
        Assert.Equal(text, Tiny.Decode(expected));
    }

    [Theory]
    [InlineData("qa_n60_p0.5_s4")]
    [InlineData("qa_n200_p0.1_s3")]
    public void Prompt_and_answer_token_counts_match_the_reference_for_every_row(string dataset)
    {
        var rows = File.ReadAllLines(Path.Combine(TestPaths.Golden, "data", dataset + ".jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(row => (Prompt: row.GetProperty("prompt").GetString()!, Response: row.GetProperty("response").GetString()!))
            .ToList();
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Golden, "reference", $"tiny-llama__{dataset}.json")));

        foreach (var sample in reference.RootElement.GetProperty("samples").EnumerateArray())
        {
            var (prompt, response) = rows[sample.GetProperty("index").GetInt32()];
            Assert.Equal(sample.GetProperty("promptTokens").GetInt32(), 1 + Tiny.EncodeText(prompt).Count);
            Assert.Equal(sample.GetProperty("answerTokens").GetInt32(), Tiny.EncodeText(response).Count + 1);
        }
    }

    [Theory]
    [InlineData("tiny-llama")]
    [InlineData("tiny-llama-sharp")]
    public void Special_tokens_and_add_bos_come_from_tokenizer_config(string model)
    {
        var tokenizer = HfTokenizer.Load(TestPaths.GoldenModel(model));

        Assert.Equal(256, tokenizer.BosTokenId);
        Assert.Equal(257, tokenizer.EosTokenId);
        Assert.Equal(258, tokenizer.PadTokenId);
        Assert.True(tokenizer.AddBosToken);
        Assert.False(tokenizer.AddEosToken);
        Assert.Equal(259, tokenizer.VocabSize);
        Assert.Equal("tokenizer.json (byte-level BPE)", tokenizer.Kind);
        Assert.IsType<Microsoft.ML.Tokenizers.BpeTokenizer>(tokenizer.Inner);
    }

    [Fact]
    public void Special_tokens_written_in_the_text_are_encoded_as_their_ids_but_never_added()
    {
        Assert.Equal([104, 105], Tiny.EncodeText("hi"));
        Assert.Equal([104, 256, 105, 257], Tiny.EncodeText("h<s>i</s>"));
        Assert.Empty(Tiny.EncodeText(""));
    }

    [Fact]
    public void Ids_outside_the_vocabulary_cannot_be_decoded()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tiny.Decode([104, 259]));

        Assert.Contains("259", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.json", ex.Message, StringComparison.Ordinal);
    }
}
