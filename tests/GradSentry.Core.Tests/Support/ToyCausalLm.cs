using GradSentry.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Tests.Support;

/// <summary>
/// A tiny but real causal model for probe tests, independent of the architecture code:
/// <c>h_t = tanh(W_mix · mean(emb(x_0..x_t)))</c>, logits = h · lm_headᵀ.
/// </summary>
public sealed class ToyCausalLm : nn.Module<Tensor, Tensor>, ICausalLm
{
    readonly Embedding embed_tokens;
    readonly Linear mix;
    readonly Linear lm_head;
    readonly Linear spare; // a weight the forward pass never uses

    public ToyCausalLm(int vocab, int hidden, long seed, bool tied = false) : base("toy")
    {
        var generator = new Generator((ulong)seed);
        embed_tokens = nn.Embedding(vocab, hidden);
        mix = nn.Linear(hidden, hidden, hasBias: false);
        lm_head = nn.Linear(hidden, vocab, hasBias: false);
        spare = nn.Linear(hidden, hidden, hasBias: false);
        using (no_grad())
        {
            embed_tokens.weight!.copy_(randn(vocab, hidden, generator: generator));
            mix.weight!.copy_(randn(hidden, hidden, generator: generator) / Math.Sqrt(hidden));
            lm_head.weight!.copy_(randn(vocab, hidden, generator: generator));
        }
        Tied = tied;
        RegisterComponents();
        foreach (var p in parameters()) p.requires_grad_(false);
        Config = new ModelConfig
        {
            Architecture = "Toy", ModelType = "toy", VocabSize = vocab, HiddenSize = hidden, NumLayers = 1, NumHeads = 1,
            NumKeyValueHeads = 1, HeadDim = hidden, IntermediateSize = hidden, MaxPositions = 4096, NormEpsilon = 1e-6,
        };
    }

    public bool Tied { get; }
    public ModelConfig Config { get; }
    public nn.Module Network => this;
    public Tensor OutputWeight => Tied ? embed_tokens.weight! : lm_head.weight!;
    public string OutputWeightName => Tied ? "embed_tokens.weight" : "lm_head.weight";

    public Tensor Logits(Tensor hidden) => hidden.mm(OutputWeight.t());

    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null) => forward(inputIds);

    public override Tensor forward(Tensor inputIds)
    {
        var e = embed_tokens.forward(inputIds);
        var counts = arange(1, inputIds.shape[1] + 1, float32).view(1, -1, 1);
        return tanh(mix.forward(e.cumsum(1) / counts));
    }
}
