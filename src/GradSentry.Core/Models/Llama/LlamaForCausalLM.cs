using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Llama;

/// <summary>
/// <c>LlamaForCausalLM</c>, and with <see cref="LlamaFamilyOptions"/> also <c>MistralForCausalLM</c> and
/// <c>Qwen2ForCausalLM</c>: <c>model</c> (<see cref="LlamaModel"/>) plus <c>lm_head</c>, or the token embedding
/// as output projection when <c>tie_word_embeddings</c> is set (then no <c>lm_head</c> parameter exists).
/// Calling the module returns logits <c>[B, L, vocab]</c>.
/// </summary>
public sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor>, ICausalLm
{
    const string EmbeddingName = "model.embed_tokens.weight";
    readonly LlamaModel _model;
    readonly ProbeableLinear? _lmHead;

    /// <summary>Creates an uninitialized model for <paramref name="config"/>.</summary>
    /// <exception cref="InvalidDataException">The config describes something these modules cannot build.</exception>
    public LlamaForCausalLM(ModelConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(LlamaForCausalLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Family = LlamaFamilyOptions.For(config);
        _model = new LlamaModel(config, Family, dtype, device);
        register_module("model", _model);
        if (!config.TieWordEmbeddings)
        {
            _lmHead = new ProbeableLinear(config.HiddenSize, config.VocabSize, hasBias: false, dtype, device);
            register_module("lm_head", _lmHead);
        }
    }

    /// <inheritdoc />
    public ModelConfig Config { get; }

    /// <summary>The variant flags in use.</summary>
    public LlamaFamilyOptions Family { get; }

    /// <inheritdoc />
    public nn.Module Network => this;

    /// <inheritdoc />
    public Tensor OutputWeight => _lmHead?.Weight ?? _model.EmbedTokens.Weight;

    /// <inheritdoc />
    public string OutputWeightName => _lmHead is null ? EmbeddingName : "lm_head.weight";

    /// <inheritdoc />
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null)
    {
        CausalLmInput.Validate(inputIds, attentionMask, Config.VocabSize, Family.SlidingWindow, $"{Family.Architecture} sliding_window; sliding-window attention is not implemented");
        // Right padding + causal attention: real positions never attend to the padding after them.
        return _model.call(inputIds);
    }

    /// <inheritdoc />
    public Tensor ForwardHiddenAt(Tensor inputIds, Tensor positions, int sharedPrefix = 0)
    {
        CausalLmInput.Validate(inputIds, null, Config.VocabSize, Family.SlidingWindow, $"{Family.Architecture} sliding_window; sliding-window attention is not implemented");
        CausalLmInput.ValidateQueries(inputIds, positions, sharedPrefix);
        return _model.ForwardAt(inputIds, positions, sharedPrefix);
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
