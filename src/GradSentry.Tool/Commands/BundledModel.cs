namespace GradSentry.Tool.Commands;

/// <summary>The tiny model shipped with the tool (samples/models/tiny-llama), the default <c>--model</c>.</summary>
public static class BundledModel
{
    /// <summary>Its folder beside the tool's assembly.</summary>
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "models", "tiny-llama");
}
