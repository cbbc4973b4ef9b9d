#!/usr/bin/env bash
# Packs the dotnet tool (GradSentry.Tool) into the local feed artifacts/packages/, so that
# `dotnet tool restore` (the committed .config/dotnet-tools.json + nuget.config) installs it and
# `dotnet gradsentry ...` works, and the MSBuild gate (GradSentry.Build, a few seconds) beside it, for
# projects that reference it (samples/GatedFineTune). The version comes from Directory.Build.props.
#
# The package is framework-dependent (needs the .NET 10 runtime) and carries linux-x64 natives only
# (libtorch CPU); natives the tool never loads are left out (see GradSentry.Tool.csproj). ~2 minutes
# on 2 cores, mostly compressing libtorch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$root/artifacts/packages"
mkdir -p "$feed"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)"
# A re-pack of the same version must replace the cached copy, or restore keeps the old one.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/gradsentry.tool/$version"
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/gradsentry.build/$version"
dotnet pack "$root/src/GradSentry.Build/GradSentry.Build.csproj" -c Release -o "$feed" "$@"
ls -l "$feed"/GradSentry.Build.*.nupkg
dotnet pack "$root/src/GradSentry.Tool/GradSentry.Tool.csproj" -c Release -o "$feed" "$@"
ls -l "$feed"/GradSentry.Tool.*.nupkg
echo "packed GradSentry.Build and GradSentry.Tool $version into $feed; now run: dotnet tool restore && dotnet gradsentry --help"
