namespace GradSentry.Build.Tests.Integration;

/// <summary>
/// The integration tests share one packed package, one restored template project and one NuGet folder, and run
/// one at a time: each starts <c>dotnet build</c> processes, and the machine has few cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MsBuildSerial : ICollectionFixture<PackageFixture>
{
    public const string Name = "msbuild";
}
