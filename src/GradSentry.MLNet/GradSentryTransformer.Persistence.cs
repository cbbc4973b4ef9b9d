using GradSentry.MLNet.Internal;

namespace GradSentry.MLNet;

public sealed partial class GradSentryTransformer
{
    const string SavedFormat = "GradSentry.MLNet.GradSentryTransformer";
    const int SavedVersion = 1;

    /// <summary>
    /// Writes this transformer as JSON: its options, the full path of the model directory and the model's content hash.
    /// The weights are not copied. The stream is left open.
    /// </summary>
    /// <remarks>
    /// ML.NET's zip format (<c>mlContext.Model.Save</c>) is closed to transformers outside ML.NET, so this is the only way
    /// to persist a GradSentry transformer; save the other transformers of a chain with ML.NET and this one beside them.
    /// </remarks>
    public void Save(Stream stream) =>
        SavedJson.Write(stream, new SavedTransformer(SavedFormat, SavedVersion, _options, new SavedModel(ModelDirectory, ModelContentHash)));

    /// <summary>
    /// Reads a transformer written by <see cref="Save(Stream)"/> and loads its model, from <paramref name="modelPath"/>
    /// when given (a moved model), else from the saved directory.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The stream is not a saved transformer, or the model's files changed since it was saved (the message gives both
    /// content hashes): scores from another model would not be comparable with the ones the threshold was learned on.
    /// </exception>
    /// <exception cref="IOException">The model cannot be loaded.</exception>
    public static GradSentryTransformer Load(Stream stream, string? modelPath = null)
    {
        var saved = SavedJson.Read<SavedTransformer>(stream, SavedFormat, s => s.Format, s => s.Version, SavedVersion);
        if (saved.Options is null || saved.Model is null)
            throw new InvalidDataException($"The saved {SavedFormat} lacks its options or model reference.");
        var options = saved.Options.Clone();
        options.ModelPath = modelPath ?? saved.Model.Directory;
        var transformer = Create(options);
        try
        {
            var found = transformer.ModelContentHash;
            if (!string.Equals(found, saved.Model.ContentHash, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"The model at '{transformer.ModelDirectory}' is not the one this transformer was saved with: its content hash is {found}, " +
                    $"the saved one {saved.Model.ContentHash} (model saved from '{saved.Model.Directory}'). Its files (weights, config, tokenizer or adapter) changed, " +
                    "so its scores would not match the ones thresholds were learned on. Fit the pipeline again on this model, or restore the original files.");
            return transformer;
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
    }

    sealed record SavedTransformer(string Format, int Version, GradSentryOptions Options, SavedModel Model);

    sealed record SavedModel(string Directory, string ContentHash);
}
