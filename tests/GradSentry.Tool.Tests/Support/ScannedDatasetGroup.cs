namespace GradSentry.Tool.Tests.Support;

/// <summary>Test classes that read the shared scan (run once).</summary>
[CollectionDefinition(Name)]
public sealed class ScannedDatasetGroup : ICollectionFixture<ScannedDataset>
{
    /// <summary>The collection name.</summary>
    public const string Name = "scanned dataset";
}
