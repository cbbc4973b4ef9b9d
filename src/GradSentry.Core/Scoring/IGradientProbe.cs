namespace GradSentry.Scoring;

/// <summary>Computes per-sample gradient spectra of one target parameter for a batch of samples.</summary>
public interface IGradientProbe : IDisposable
{
    /// <summary>Short name of the method, e.g. <c>lm_head-closed-form</c>.</summary>
    string Name { get; }

    /// <summary>The target parameter's Hugging Face name.</summary>
    string TargetParameter { get; }

    /// <summary>One spectrum per sample, in batch order. Scores do not depend on how samples are batched.</summary>
    IReadOnlyList<GradientSpectrum> Probe(IReadOnlyList<EncodedSample> batch);
}
