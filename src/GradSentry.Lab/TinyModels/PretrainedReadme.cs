using System.Globalization;
using GradSentry.Lab.Data;
using GradSentry.Lab.Training;
using GradSentry.Models;

namespace GradSentry.Lab.TinyModels;

/// <summary>The README of a model directory written by <c>pretrain</c>: what it is, how it was made, the data licence.</summary>
public static class PretrainedReadme
{
    /// <summary>The README text.</summary>
    public static string Text(ModelConfig config, int vocabSize, long parameters, string data, RowRange rows, int pairCount, long tokens,
        PretrainOptions training, TinyLlamaShape shape, double finalLoss)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(shape);
        var file = Path.GetFileName(data);
        return string.Create(CultureInfo.InvariantCulture, $"""
            # tiny-llama (GradSentry bundled model)

            A small `{config.Architecture}` in Hugging Face layout, pre-trained by GradSentry.Lab on CPU so that samples, tests and
            the detection benchmark run against a model that has actually learned something (a random model's gradients
            carry no signal about what is normal). It is a toy: it knows the QA prompt format and some answer vocabulary, not facts.

            - Architecture: hidden {config.HiddenSize}, {config.NumLayers} layers, {config.NumHeads} heads / {config.NumKeyValueHeads} KV heads (head_dim {config.HeadDim}),
              SwiGLU width {config.IntermediateSize}, RMSNorm eps {config.NormEpsilon:R}, rope_theta {config.RopeTheta:R}, {config.MaxPositions} positions, untied lm_head;
              {parameters:N0} parameters, float32 (`model.safetensors`).
            - Tokenizer: byte-level BPE of {vocabSize} tokens trained by `GradSentry.Lab train-tokenizer` (our own trainer; GPT-2
              pre-tokenizer regex and byte alphabet); `<unk>` = 0 (never produced), `<s>` = 1, `</s>` = 2, `<pad>` = 3, the 256 bytes at 4..259, merges after.
              `tokenizer_config.json` sets `add_bos_token: true`.

            ## How it was made

            ```
            dotnet run -c Release --project src/GradSentry.Lab -- train-tokenizer --data samples/data/nq-open/{file} --rows {rows} --vocab-size {vocabSize} --output <dir>
            dotnet run -c Release --project src/GradSentry.Lab -- pretrain --data samples/data/nq-open/{file} --rows {rows} --tokenizer <dir> --output <dir> \
                --steps {training.Steps} --batch-size {training.BatchSize} --lr {training.LearningRate:R} --seed {training.Seed} \
                --hidden {shape.Hidden} --layers {shape.Layers} --heads {shape.Heads} --kv-heads {shape.KeyValueHeads} --intermediate {shape.Intermediate}
            ```

            Pre-training data: rows {rows} of `{file}` ({pairCount} NQ-open question/answer pairs, {tokens:N0} tokens), each rendered
            with the `gradsentry-qa` prompt and the answers joined with "; ", next-token loss on every position. AdamW
            (betas 0.9/0.95, weight decay {training.WeightDecay:R} on matrices), peak learning rate {training.LearningRate:R} with {training.WarmupSteps} warm-up steps and
            cosine decay to 10%, gradient clip {training.ClipNorm:R}, batch {training.BatchSize}, {training.Steps} steps, seed {training.Seed}; mean loss over the last 10% of
            steps {finalLoss:0.000}. Deterministic for a given seed and thread count (CPU).

            The evaluation rows of the benchmark (`efficientqa-dev.jsonl`) and the design rows of the length-controlled score
            (the last 400 rows of `efficientqa-test.jsonl`) were not used for the tokenizer or the weights.

            ## Licence

            The tokenizer and weights are derived from NQ-open (Google's Natural Questions, EfficientQA splits), licensed
            CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/); they carry the same licence. Source:
            google-research-datasets/natural-questions, folder `nq_open/`.

            """);
    }
}
