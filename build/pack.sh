#!/usr/bin/env bash
# Packs every GradSentry package into the local feed artifacts/packages/:
#   GradSentry.Core   the scoring engine (carries the libLibTorchSharp.so fix in buildTransitive/)
#   GradSentry.MLNet  the ML.NET transform and filter (depends on GradSentry.Core; carries the demo model)
#   GradSentry.Build  the MSBuild gate (a few seconds)
#   GradSentry.Tool   the dotnet tool: `dotnet tool restore` (the committed .config/dotnet-tools.json + nuget.config)
#                     installs it and `dotnet gradsentry ...` works
# The version comes from Directory.Build.props.
#
# The tool package is framework-dependent (needs the .NET 10 runtime) and carries linux-x64 natives only (libtorch
# CPU); natives the tool never loads are left out (see GradSentry.Tool.csproj). ~2 minutes on 2 cores, mostly
# compressing libtorch.
#
# Nothing is ever deleted from your global NuGet packages folder. When it already holds this version of a GradSentry
# package (an earlier pack was restored), packing the same version again would leave the old copy in use, so this
# pack gets a distinct local version, VERSION-local.TIMESTAMP: .config/dotnet-tools.json is pinned to it and
# artifacts/packages/GradSentry.Local.props records it (samples/GatedFineTune reads it). Set GRADSENTRY_PACK_VERSION
# to choose the version yourself; GRADSENTRY_PACK_DRY_RUN=1 prints the version it would pack and stops.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$root/artifacts/packages"
mkdir -p "$feed"
base="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
ids=(GradSentry.Core GradSentry.MLNet GradSentry.Build GradSentry.Tool)

version="${GRADSENTRY_PACK_VERSION:-$base}"
if [ -z "${GRADSENTRY_PACK_VERSION:-}" ]; then
  for id in "${ids[@]}"; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"$id")"
    if [ -d "$cache/$lower/$base" ]; then
      version="$base-local.$(date -u +%Y%m%d%H%M%S)"
      echo "$id $base is already in $cache (restored from an earlier pack); packing $version so that nothing stale is used." >&2
      break
    fi
  done
fi

if [ "${GRADSENTRY_PACK_DRY_RUN:-0}" = "1" ]; then
  echo "version: $version"
  exit 0
fi

for id in "${ids[@]}"; do
  dotnet pack "$root/src/$id/$id.csproj" -c Release -o "$feed" -p:Version="$version" "$@"
  ls -l "$feed/$id.$version.nupkg"
done

# What to restore: the tool manifest and the props file that samples/GatedFineTune imports.
manifest="$root/.config/dotnet-tools.json"
current="$(sed -n '/"gradsentry.tool"/,/}/s|.*"version": *"\([^"]*\)".*|\1|p' "$manifest" | head -n 1)"
if [ "$current" != "$version" ]; then
  sed -i "/\"gradsentry.tool\"/,/}/s|\"version\": *\"[^\"]*\"|\"version\": \"$version\"|" "$manifest"
  echo "pinned gradsentry.tool $version in .config/dotnet-tools.json (was $current)" >&2
fi
cat > "$feed/GradSentry.Local.props" <<EOF
<Project>
  <!-- Written by build/pack.sh: the version of the GradSentry packages in this feed. -->
  <PropertyGroup>
    <GradSentryLocalVersion>$version</GradSentryLocalVersion>
  </PropertyGroup>
</Project>
EOF
echo "packed ${ids[*]} $version into $feed; now run: dotnet tool restore && dotnet gradsentry --help"
