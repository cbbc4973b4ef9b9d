using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Gpt2;

/// <summary>
/// <c>GPT2LMHeadModel</c>: <c>transformer</c> (<see cref="Gpt2Model"/>) with the output projection tied to
/// <c>transformer.wte</c> (HF default), or an own <c>lm_head</c> when <c>tie_word_embeddings</c> is false.
/// Calling the module returns logits <c>[B, L, vocab]</c>.
/// </summary>
public sealed class Gpt2LMHeadModel : nn.Module<Tensor, Tensor>, ICausalLm
{
    const string EmbeddingName = "transformer.wte.weight";
    readonly Gpt2Model _transformer;
    readonly ProbeableLinear? _lmHead;

    /// <summary>Creates an uninitialized model for <paramref name="config"/>.</summary>
    public Gpt2LMHeadModel(ModelConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Gpt2LMHeadModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _transformer = new Gpt2Model(config, dtype, device);
        register_module("transformer", _transformer);
        if (!config.TieWordEmbeddings)
        {
            _lmHead = new ProbeableLinear(config.HiddenSize, config.VocabSize, hasBias: false, dtype, device);
            register_module("lm_head", _lmHead);
        }
    }

    /// <inheritdoc />
    public ModelConfig Config { get; }

    /// <inheritdoc />
    public nn.Module Network => this;

    /// <inheritdoc />
    public Tensor OutputWeight => _lmHead?.Weight ?? _transformer.Tokens.Weight;

    /// <inheritdoc />
    public string OutputWeightName => _lmHead is null ? EmbeddingName : "lm_head.weight";

    /// <inheritdoc />
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null)
    {
        CausalLmInput.Validate(inputIds, attentionMask, Config.VocabSize, Config.MaxPositions, "n_positions");
        return _transformer.call(inputIds);
    }

    /// <inheritdoc />
    public Tensor ForwardHiddenAt(Tensor inputIds, Tensor positions, int sharedPrefix = 0)
    {
        CausalLmInput.Validate(inputIds, null, Config.VocabSize, Config.MaxPositions, "n_positions");
        CausalLmInput.ValidateQueries(inputIds, positions, sharedPrefix);
        return _transformer.ForwardAt(inputIds, positions, sharedPrefix);
    }

    /// <inheritdoc />
    public Tensor Logits(Tensor hidden) => OutputProjection.Logits(_lmHead, OutputWeight, Config.HiddenSize, hidden);

    /// <summary>Logits <c>[B, L, vocab]</c>.</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        return Logits(ForwardHidden(inputIds)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
