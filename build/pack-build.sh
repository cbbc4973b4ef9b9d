#!/usr/bin/env bash
# Packs GradSentry.Build (the MSBuild gate) into artifacts/packages, the repository's local feed.
# Usage: build/pack-build.sh [extra dotnet pack arguments]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/artifacts/packages"
mkdir -p "$out"
dotnet pack "$root/src/GradSentry.Build/GradSentry.Build.csproj" -c Release -o "$out" -nologo "$@"
echo "packed GradSentry.Build into $out"
