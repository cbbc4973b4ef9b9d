using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace GradSentry.MLNet.Internal;

/// <summary>
/// Warnings into the <see cref="MLContext.Log"/> of the context a catalog belongs to. ML.NET keeps the catalog's
/// environment behind an internal interface (<c>IInternalCatalog.Environment</c>, read by its own components through
/// the internal <c>CatalogUtils</c>); it is read here by reflection, once per catalog. When that fails (another ML.NET
/// version), the warning goes to <see cref="System.Diagnostics.Trace"/> instead.
/// </summary>
internal static class CatalogLog
{
    /// <summary>The environment of <paramref name="catalog"/>, or null when it cannot be read.</summary>
    public static IHostEnvironment? EnvironmentOf(TransformsCatalog catalog)
    {
        try
        {
            var property = catalog.GetType()
                .GetInterfaces()
                .FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog")
                ?.GetProperty("Environment", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            return property?.GetValue(catalog) as IHostEnvironment;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
        catch (MemberAccessException)
        {
            return null;
        }
    }

    /// <summary>Sends <paramref name="message"/> as a warning through <paramref name="environment"/> (or <c>Trace</c>).</summary>
    public static void Warning(IHostEnvironment? environment, string message)
    {
        if (environment is null)
        {
            System.Diagnostics.Trace.TraceWarning("GradSentry: " + message);
            return;
        }

        using var channel = environment.Register("GradSentry").Start("GradSentry");
        channel.Warning(MessageSensitivity.None, message);
    }
}
