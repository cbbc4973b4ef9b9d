namespace GradSentry;

/// <summary>
/// The bundled demo model (samples/models/tiny-llama, a 1.4M-parameter Llama): the tool's and the ML.NET transform's
/// default, so that a first run works with no download. Its scores say nothing about the model you will fine-tune, so
/// every run that uses it says so.
/// </summary>
public static class DemoModel
{
    /// <summary>The one warning, printed by the tool on standard error and in every report, and logged by ML.NET.</summary>
    public const string Warning =
        "scored with the bundled demo model, not the model you will fine-tune: the verdict says nothing about your model. " +
        "Pass the model you will fine-tune (tool: --model DIR; ML.NET: modelPath).";

    /// <summary>Its folder beside the application: <c>models/tiny-llama</c> under <see cref="AppContext.BaseDirectory"/>.</summary>
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "models", "tiny-llama");
}
