#!/usr/bin/env bash
# The project's test command (README). Installs the optional system tools some tests use
# for a second opinion (qpdf --check, poppler's pdftotext) or to load review.html in a real
# browser (chromium), then runs every test target.
# Tests that need a tool that is still missing skip with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# 7-Zip is one of the two independent zip readers the sealed bundle is opened with (tests/bundle.rs).
command -v 7z >/dev/null 2>&1 || need+=(p7zip-full)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing ${need[*]} for the independent PDF and bundle checks and the review page's browser test"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null) \
    || echo "warning: could not install ${need[*]}; tests that use them will skip"
fi

# The other independent zip reader: Python's pyzipper.
if [ "$(id -u)" = 0 ] && command -v python3 >/dev/null 2>&1 && ! python3 -c "import pyzipper" >/dev/null 2>&1; then
  python3 -m pip install -q pyzipper >/dev/null 2>&1 \
    || echo "warning: could not install pyzipper; the pyzipper bundle checks will skip"
fi

# Every target's summary is added up into one closing line, so the last line of the run says
# how many tests ran in all (the last target to report may be a bench with none of its own).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --all-targets 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo
awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i ~ /^passed/) p += $(i - 1); if ($i ~ /^failed/) f += $(i - 1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
