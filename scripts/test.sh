#!/usr/bin/env bash
# The project's test command (README). Installs the optional system tools some tests use
# for a second opinion (qpdf --check, poppler's pdftotext), then runs every test target.
# Tests that need a tool that is still missing skip with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing ${need[*]} for the independent PDF checks"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null) \
    || echo "warning: could not install ${need[*]}; tests that use them will skip"
fi

cargo test --all-targets
