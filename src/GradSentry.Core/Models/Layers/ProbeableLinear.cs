using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>
/// The linear layer of every architecture (lm_head included): <c>y = x Wᵀ + b</c> with Hugging Face parameter
/// names (<c>weight</c> <c>[out, in]</c>, optional <c>bias</c>), plus two things <c>nn.Linear</c> lacks:
/// <list type="bullet">
/// <item><b>Capture</b> for gradient probes: with <see cref="Capture"/> on, each forward keeps its input
/// <c>x</c> (<see cref="CapturedInput"/>) and output (<see cref="CapturedOutput"/>, with <c>retain_grad()</c>
/// when it requires grad), so after ONE batched backward pass the per-sample weight gradient is
/// <c>Σ_t δ_t ⊗ x_t</c> with <c>δ = CapturedOutput.grad</c>. Off by default; when off, forward is a plain linear.</item>
/// <item>An optional <b>LoRA</b> attachment (PEFT layout): submodules <c>lora_A</c> (<c>[r, in]</c>) and
/// <c>lora_B</c> (<c>[out, r]</c>), both <see cref="ProbeableLinear"/> without bias, and
/// forward = <c>base(x) + lora_B(lora_A(x)) · scaling</c> (no dropout: scoring never trains).</item>
/// </list>
/// </summary>
/// <remarks>
/// Captured tensors are owned by this module (they survive the caller's dispose scope) and are released by the
/// next captured forward, by <see cref="ClearCapture"/>, or by <see cref="Dispose(bool)"/>. They hold the autograd
/// graph alive, so clear them when the probe is done.
/// </remarks>
public sealed class ProbeableLinear : nn.Module<Tensor, Tensor>
{
    /// <summary>Parameter name of the LoRA down projection submodule.</summary>
    public const string LoraAName = "lora_A";

    /// <summary>Parameter name of the LoRA up projection submodule.</summary>
    public const string LoraBName = "lora_B";

    /// <summary>Creates an <b>uninitialized</b> layer (weights are filled by a checkpoint or an initializer).</summary>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    /// <param name="hasBias">Whether a <c>bias</c> parameter exists.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device (CPU when null).</param>
    public ProbeableLinear(long inFeatures, long outFeatures, bool hasBias, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(ProbeableLinear))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = new Parameter(torch.empty([outFeatures, inFeatures], dtype, device), requires_grad: false);
        register_parameter("weight", Weight);
        if (hasBias)
        {
            Bias = new Parameter(torch.empty([outFeatures], dtype, device), requires_grad: false);
            register_parameter("bias", Bias);
        }
    }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>The <c>weight</c> parameter, <c>[out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The <c>bias</c> parameter, <c>[out]</c>, or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>When true, forward records <see cref="CapturedInput"/> and <see cref="CapturedOutput"/>.</summary>
    /// <value>Default false.</value>
    public bool Capture { get; set; }

    /// <summary>The input <c>x</c> <c>[.., in]</c> of the last forward made with <see cref="Capture"/> on, or null.</summary>
    public Tensor? CapturedInput { get; private set; }

    /// <summary>
    /// The output <c>[.., out]</c> of the last forward made with <see cref="Capture"/> on, or null. When it requires
    /// grad, <c>retain_grad()</c> was called, so its <c>grad</c> holds δ after a backward pass.
    /// </summary>
    public Tensor? CapturedOutput { get; private set; }

    /// <summary>The LoRA down projection <c>lora_A</c> (<c>[r, in]</c>), or null when no adapter is attached.</summary>
    public ProbeableLinear? LoraA { get; private set; }

    /// <summary>The LoRA up projection <c>lora_B</c> (<c>[out, r]</c>), or null when no adapter is attached.</summary>
    public ProbeableLinear? LoraB { get; private set; }

    /// <summary>LoRA scaling (<c>lora_alpha / r</c>, or <c>lora_alpha / √r</c> with rsLoRA); 0 without an adapter.</summary>
    public double LoraScaling { get; private set; }

    /// <summary>LoRA <c>lora_alpha</c>; 0 without an adapter.</summary>
    public double LoraAlpha { get; private set; }

    /// <summary>Whether the scaling is rank-stabilized (<c>use_rslora</c>: <c>alpha / √r</c>).</summary>
    public bool LoraUsesRsLora { get; private set; }

    /// <summary>LoRA rank r; 0 without an adapter.</summary>
    public int LoraRank => LoraA is null ? 0 : (int)LoraA.OutFeatures;

    /// <summary>
    /// Attaches an <b>uninitialized</b> LoRA pair (<c>lora_A</c> <c>[r, in]</c>, <c>lora_B</c> <c>[out, r]</c>) on this
    /// layer's device and dtype; the caller fills the weights (see <see cref="Lora.LoraAttacher"/>).
    /// </summary>
    /// <param name="rank">r.</param>
    /// <param name="alpha"><c>lora_alpha</c>.</param>
    /// <param name="useRsLora">Scale by <c>alpha / √r</c> instead of <c>alpha / r</c>.</param>
    /// <exception cref="InvalidOperationException">A LoRA pair is already attached.</exception>
    public void AttachLora(int rank, double alpha, bool useRsLora = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (!double.IsFinite(alpha) || alpha <= 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "lora_alpha must be a positive number.");
        if (LoraA is not null) throw new InvalidOperationException("a LoRA adapter is already attached to this layer.");
        var dtype = Weight.dtype;
        var device = Weight.device;
        LoraA = new ProbeableLinear(InFeatures, rank, hasBias: false, dtype, device);
        LoraB = new ProbeableLinear(rank, OutFeatures, hasBias: false, dtype, device);
        LoraAlpha = alpha;
        LoraUsesRsLora = useRsLora;
        LoraScaling = useRsLora ? alpha / Math.Sqrt(rank) : alpha / rank;
        register_module(LoraAName, LoraA);
        register_module(LoraBName, LoraB);
    }

    /// <summary>Removes and disposes the LoRA pair, if any.</summary>
    public void RemoveLora()
    {
        if (LoraA is null) return;
        register_module(LoraAName, null!);
        register_module(LoraBName, null!);
        LoraA.Dispose();
        LoraB!.Dispose();
        LoraA = null;
        LoraB = null;
        LoraScaling = 0;
        LoraAlpha = 0;
        LoraUsesRsLora = false;
    }

    /// <summary>Releases the captured tensors (and the autograd graph they keep alive).</summary>
    public void ClearCapture()
    {
        CapturedInput?.Dispose();
        CapturedOutput?.Dispose();
        CapturedInput = null;
        CapturedOutput = null;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() < 1 || input.shape[^1] != InFeatures)
            throw new ArgumentException($"expected input [.., {InFeatures}], got [{string.Join(", ", input.shape)}].", nameof(input));
        var output = LoraA is null ? nn.functional.linear(input, Weight, Bias) : ForwardWithLora(input);
        if (Capture) Record(input, output);
        return output;
    }

    Tensor ForwardWithLora(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = nn.functional.linear(input, Weight, Bias);
        var update = LoraB!.call(LoraA!.call(input));
        return result.add(update.mul(LoraScaling)).MoveToOuterDisposeScope();
    }

    void Record(Tensor input, Tensor output)
    {
        ClearCapture();
        if (output.requires_grad) output.retain_grad();
        // Fresh handles to the same native tensors, owned by this module rather than the caller's scope.
        CapturedInput = input.alias().DetachFromDisposeScope();
        CapturedOutput = output.alias().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) ClearCapture();
        base.Dispose(disposing);
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
