#!/usr/bin/env bash
# Renders a GradSentry HTML report in headless Chromium and saves a full-page screenshot, to check
# that the self-contained page (inline CSS, embedded PNG plots, no network) displays as intended.
#
#   build/render-html-report.sh [REPORT.html] [OUT.png]
#
# Defaults: artifacts/sample-report/gradsentry.html (made by build/scan-sample.sh when missing) and
# artifacts/sample-report/gradsentry.png. Installs Debian's `chromium` package when it is missing
# (needs root and apt). Network access is switched off for the page.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
report="${1:-$root/artifacts/sample-report/gradsentry.html}"
out="${2:-${report%.html}.png}"
if [ ! -f "$report" ]; then
  "$root/build/scan-sample.sh" || true   # exit 2 (gate failed) still writes the report
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium not found; installing Debian's chromium package" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
# --no-sandbox: containers and CI usually run as root, where Chromium's sandbox cannot start.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --proxy-server="127.0.0.1:9" --proxy-bypass-list="<-loopback>" \
  --window-size=1100,3600 --screenshot="$out" "file://$report" 2>/dev/null
echo "screenshot: $out"
