using System.Security;
using System.Text;

namespace GradSentry.Build.Tests.Integration;

/// <summary>A copy of the restored template: its gate settings (gate.props, imported by the project) and its builds.</summary>
public sealed class TestProject(PackageFixture fixture, string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Full path of a file in the project.</summary>
    public string File(string relative) => Path.GetFullPath(Path.Combine(Directory, relative));

    /// <summary>
    /// Writes gate.props: the built tool, the demo model and a fixed threshold of 0.3 (the demo data's clean rows
    /// score below it and its poisoned rows above), then <paramref name="properties"/> and the datasets.
    /// </summary>
    public TestProject Gate(string[] datasets, params (string Name, string Value)[] properties) =>
        Write(datasets, [("GradSentry_ToolCommand", $"dotnet \"{fixture.ToolDll}\""), .. properties]);

    /// <summary>
    /// Writes gate.props like <see cref="Gate"/> but without <c>GradSentry_ToolCommand</c>: the project has nothing
    /// but its PackageReference, so the gate finds the tool itself.
    /// </summary>
    public TestProject GateWithThePackageAlone(string[] datasets, params (string Name, string Value)[] properties) =>
        Write(datasets, properties);

    TestProject Write(string[] datasets, (string Name, string Value)[] properties)
    {
        var all = new List<(string Name, string Value)>
        {
            ("GradSentry_Model", PackageFixture.Model),
            ("GradSentry_Threshold", "0.3"),
        };
        all.AddRange(properties);
        var xml = new StringBuilder("<Project>\n  <PropertyGroup>\n");
        foreach (var (name, value) in all)
        {
            xml.Append("    <").Append(name).Append('>').Append(SecurityElement.Escape(value)).Append("</").Append(name).Append(">\n");
        }

        xml.Append("  </PropertyGroup>\n  <ItemGroup>\n");
        foreach (var dataset in datasets)
        {
            xml.Append("    ").Append(dataset.TrimStart().StartsWith('<') ? dataset : $"<GradSentryDataset Include=\"{SecurityElement.Escape(dataset)}\" />").Append('\n');
        }

        xml.Append("  </ItemGroup>\n</Project>\n");
        System.IO.File.WriteAllText(File("gate.props"), xml.ToString());
        return this;
    }

    /// <summary>Runs <c>dotnet build --no-restore</c> (the template is restored) with extra arguments.</summary>
    public BuildResult Build(params string[] args) =>
        fixture.Run(Directory, ["build", "--no-restore", "-nologo", "-nodeReuse:false", "-tl:off", .. args]);
}
