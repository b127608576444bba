#!/usr/bin/env bash
# Validate graduate's SARIF for every fixture with Microsoft's official
# validator (npm package @microsoft/sarif-multitool, runs offline). The tool
# exits 0 even when it reports errors, so its output is read instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${SARIF_TOOLS:-/tmp/graduate-sarif-multitool}"
if [[ ! -x "$TOOLS/node_modules/.bin/sarif-multitool" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" @microsoft/sarif-multitool >/dev/null
fi
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
cd "$ROOT"
# Where cargo put the binary, as cargo says it: CARGO_TARGET_DIR or a
# build.target-dir in a cargo config moves it from target/debug.
graduate="$(cargo build --quiet --locked --bin graduate --message-format=json-render-diagnostics |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
if [[ ! -x "$graduate" ]]; then
  echo "cargo build did not report the graduate binary" >&2
  exit 2
fi
status=0
for app in fixtures/*/; do
  name="$(basename "$app")"
  "$graduate" scan "$app" --format sarif --output "$OUT/$name.sarif"
  log="$("$TOOLS/node_modules/.bin/sarif-multitool" validate "$OUT/$name.sarif" 2>&1)"
  if grep -q ": error " <<<"$log"; then
    echo "SARIF validation failed for $name:"
    grep ": error " <<<"$log"
    status=1
  else
    echo "SARIF valid: $name ($(grep -c ": warning " <<<"$log" || true) warnings)"
  fi
done
exit "$status"
