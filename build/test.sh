#!/usr/bin/env bash
# Runs every test project in Release and prints one closing line: "N passed, N failed".
# This is the README's test command; .ci/run calls it unchanged.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
status=0
projects=0
# One project at a time, each with its own result file (integration tests build projects
# themselves and must not compete with each other for the 2 cores).
for project in "$root"/tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  projects=$((projects + 1))
  dotnet test "$project" -c Release "$@" \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    -- RunConfiguration.TreatNoTestsAsError=true || status=1
done
passed=0; failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ ${#trx_files[@]} -lt "$projects" ]; then
  # A test host that crashed writes no results: that is a failure, not a smaller total.
  echo "only ${#trx_files[@]} of $projects test projects wrote results" >&2
  status=1
fi
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then status=1; fi
exit $status
