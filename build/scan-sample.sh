#!/usr/bin/env bash
# The README's main job in one command: scan the bundled sample data with the bundled tiny model and
# write every report format to artifacts/sample-report/ (open gradsentry.html in a browser).
# Builds the tool on first use. Extra arguments go to `scan` (e.g. --threshold top:0.1).
# Exit code: the scan's (0 passed, 1 input error, 2 gate failed, 3 internal error).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p artifacts
dotnet run --project src/GradSentry.Tool -c Release -- scan samples/data/qa-sample.jsonl \
  --model samples/models/tiny-llama --report artifacts/sample-report "$@"
status=$?
echo "reports: $root/artifacts/sample-report/ (gradsentry.html, .json, .csv, .sarif, .txt, .msbuild.log); exit code $status" >&2
exit $status
