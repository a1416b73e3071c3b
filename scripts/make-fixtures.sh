#!/usr/bin/env bash
# Regenerates the real-producer PDF fixtures in fixtures/pdf/producers/ (fake UK school MIS documents)
# from the sources in scripts/fixture-src/, then checks them against fixtures/pdf-targets/*.json.
#
#   scripts/make-fixtures.sh            install what is missing, rebuild, check
#   FORCE=1 scripts/make-fixtures.sh    overwrite even fixtures whose text and fonts are unchanged
#   NO_INSTALL=1 scripts/make-fixtures.sh   never call apt-get/pip; skip producers that are missing
#   ONLY="chromium pdftex" scripts/make-fixtures.sh   rebuild only these producers
#
# Producers: reportlab, libreoffice (Writer + Calc), chromium, ghostscript, pdftex.
# Chromium and LibreOffice stamp the time and a random /ID into every PDF, so by default a fixture is
# only replaced when its extracted text, page count or font list changed (keeps git diffs quiet).
# A producer that cannot be installed or fails is reported and skipped; the script then exits 1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC="$ROOT/scripts/fixture-src"
OUT="$ROOT/fixtures/pdf/producers"
TGT="$ROOT/fixtures/pdf-targets"
FORCE=${FORCE:-0}
NO_INSTALL=${NO_INSTALL:-0}
ONLY=${ONLY:-"reportlab libreoffice chromium ghostscript pdftex"}
export SOURCE_DATE_EPOCH=1696118400      # 2023-10-01; honoured by Ghostscript and pdfTeX
export FORCE_SOURCE_DATE=1
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

log() { printf '==> %s\n' "$*" >&2; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

# ------------------------------------------------------------------ install
APT_UPDATED=0
apt_install() {
    [[ $NO_INSTALL == 1 ]] && return 1
    command -v apt-get >/dev/null || return 1
    if [[ $APT_UPDATED == 0 ]]; then
        log "apt-get update"
        apt-get update -qq >/dev/null || return 1
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# have CHECK-COMMAND... -- PACKAGES... : run the check, install the packages if it fails, check again
have() {
    local check=() pkgs=()
    while [[ $# -gt 0 && $1 != -- ]]; do check+=("$1"); shift; done
    shift
    pkgs=("$@")
    "${check[@]}" >/dev/null 2>&1 && return 0
    apt_install "${pkgs[@]}" || true
    "${check[@]}" >/dev/null 2>&1
}

file_exists() { [[ -e $1 ]]; }

have command -v pdftotext -- poppler-utils || { echo "poppler-utils is required" >&2; exit 1; }
have command -v qpdf -- qpdf || true
have file_exists /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf -- fonts-dejavu-core fontconfig \
    || log "warning: DejaVu fonts missing; producers will substitute fonts and the checks will fail"
have file_exists /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf -- fonts-dejavu-extra \
    || log "warning: DejaVu Sans Condensed missing (fonts-dejavu-extra)"

OK_reportlab=0 OK_libreoffice=0 OK_chromium=0 OK_ghostscript=0 OK_pdftex=0
if want reportlab; then
    if python3 -c 'import reportlab' 2>/dev/null; then OK_reportlab=1
    elif [[ $NO_INSTALL != 1 ]] && python3 -m pip install -q reportlab >/dev/null 2>&1 \
        && python3 -c 'import reportlab' 2>/dev/null; then OK_reportlab=1; fi
fi
want libreoffice && have command -v soffice -- libreoffice-writer-nogui libreoffice-calc-nogui && OK_libreoffice=1
want chromium && have command -v chromium -- chromium && OK_chromium=1
want ghostscript && have command -v ps2pdf -- ghostscript && OK_ghostscript=1
if want pdftex; then
    # texlive-latex-base is ~50 MB installed; lmodern gives T1 Type 1 fonts (ligatures as single glyphs)
    have command -v pdflatex -- texlive-latex-base && have kpsewhich lmodern.sty -- lmodern && OK_pdftex=1
fi

# ------------------------------------------------------------------ build
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
mkdir -p "$OUT" "$TGT"
FAILED=()

# install_pdf NEW.pdf NAME : copy into OUT unless only the timestamps/IDs differ
install_pdf() {
    local new=$1 name=$2 dst="$OUT/$2.pdf"
    if [[ $FORCE != 1 && -f $dst ]] && [[ "$(fingerprint "$new")" == "$(fingerprint "$dst")" ]]; then
        log "$name.pdf unchanged (same text, pages and fonts); kept the committed bytes"
        return
    fi
    cp "$new" "$dst"
    log "$name.pdf written ($(stat -c %s "$dst") bytes)"
}
fingerprint() {
    pdftotext -enc UTF-8 -layout "$1" - 2>/dev/null
    pdfinfo "$1" 2>/dev/null | grep -E '^(Pages|Page size):'
    pdffonts "$1" 2>/dev/null | awk 'NR > 2 { print $1, $2, $3, $4 }'
}
fail() { log "FAILED: $*"; FAILED+=("$1"); }

if [[ $OK_reportlab == 1 ]]; then
    log "ReportLab"
    mkdir -p "$BUILD/rl"
    if python3 "$SRC/reportlab_fixtures.py" "$BUILD/rl"; then
        install_pdf "$BUILD/rl/reportlab-behaviour-log.pdf" reportlab-behaviour-log
        install_pdf "$BUILD/rl/reportlab-pupil-details.pdf" reportlab-pupil-details
    else fail reportlab; fi
elif want reportlab; then fail "reportlab (not installable)"; fi

if [[ $OK_libreoffice == 1 || $OK_chromium == 1 ]]; then
    python3 "$SRC/make_sources.py" "$BUILD/src"
fi

if [[ $OK_libreoffice == 1 ]]; then
    log "LibreOffice $(soffice --version 2>/dev/null | awk '{print $2}')"
    mkdir -p "$BUILD/lo-out" "$BUILD/lo-profile"
    if timeout 300 soffice -env:UserInstallation="file://$BUILD/lo-profile" --headless --norestore \
        --convert-to pdf --outdir "$BUILD/lo-out" \
        "$BUILD/src/libreoffice-writer-pastoral-referral.fodt" \
        "$BUILD/src/libreoffice-calc-attendance-summary.fods" >"$BUILD/lo.log" 2>&1 \
        && [[ -s $BUILD/lo-out/libreoffice-writer-pastoral-referral.pdf \
              && -s $BUILD/lo-out/libreoffice-calc-attendance-summary.pdf ]]; then
        install_pdf "$BUILD/lo-out/libreoffice-writer-pastoral-referral.pdf" libreoffice-writer-pastoral-referral
        install_pdf "$BUILD/lo-out/libreoffice-calc-attendance-summary.pdf" libreoffice-calc-attendance-summary
    else cat "$BUILD/lo.log" >&2; fail libreoffice; fi
elif want libreoffice; then fail "libreoffice (not installable)"; fi

if [[ $OK_chromium == 1 ]]; then
    log "Chromium $(chromium --version 2>/dev/null | awk '{print $2}')"
    # --disable-pdf-tagging: the tagged structure tree (one element per table cell) made it 730 KB
    if timeout 180 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$BUILD/chromium-profile" \
        --no-pdf-header-footer --disable-pdf-tagging \
        --print-to-pdf="$BUILD/chromium-attendance-register.pdf" \
        "file://$BUILD/src/chromium-attendance-register.html" >"$BUILD/chromium.log" 2>&1 \
        && [[ -s $BUILD/chromium-attendance-register.pdf ]]; then
        install_pdf "$BUILD/chromium-attendance-register.pdf" chromium-attendance-register
    else cat "$BUILD/chromium.log" >&2; fail chromium; fi
elif want chromium; then fail "chromium (not installable)"; fi

if [[ $OK_ghostscript == 1 ]]; then
    log "Ghostscript $(gs --version)"
    if ps2pdf "$SRC/ghostscript-incident-statement.ps" \
        "$BUILD/ghostscript-incident-statement.pdf" 2>"$BUILD/gs.log"; then
        install_pdf "$BUILD/ghostscript-incident-statement.pdf" ghostscript-incident-statement
    else cat "$BUILD/gs.log" >&2; fail ghostscript; fi
elif want ghostscript; then fail "ghostscript (not installable)"; fi

if [[ $OK_pdftex == 1 ]]; then
    log "$(pdflatex --version | head -1)"
    mkdir -p "$BUILD/tex"
    cp "$SRC/pdftex-trip-letter.tex" "$BUILD/tex/"
    if (cd "$BUILD/tex" && timeout 120 pdflatex -interaction=nonstopmode -halt-on-error \
            pdftex-trip-letter.tex >tex.log 2>&1); then
        install_pdf "$BUILD/tex/pdftex-trip-letter.pdf" pdftex-trip-letter
    else tail -20 "$BUILD/tex/tex.log" >&2; fail pdftex; fi
elif want pdftex; then fail "pdftex (not installable)"; fi

# ------------------------------------------------------------------ check
# Every redact term must be in pdftotext's text of the PDF (on one line) unless listed as not_required
# or review, every keep word must be present, page counts must match, and each fixture must still have
# the font kind it is there for.
log "checking fixtures against targets"
python3 - "$OUT" "$TGT" <<'PY' || FAILED+=("target check")
import json, os, re, subprocess, sys, unicodedata
out, tgt = sys.argv[1:3]
FONTS = {   # fixture -> substrings that must occur in its pdffonts output
    "reportlab-behaviour-log": ["Helvetica  ", "Type 1            WinAnsi          no "],
    "reportlab-pupil-details": ["DejaVuSans", "TrueType", "Helvetica-Bold"],
    "libreoffice-writer-pastoral-referral": ["DejaVuSerif", "TrueType"],
    "libreoffice-calc-attendance-summary": ["DejaVuSansCondensed", "TrueType"],
    "chromium-attendance-register": ["CID TrueType      Identity-H"],
    "ghostscript-incident-statement": ["Type 1C", "DejaVuSansMono", "TrueType"],
    "pdftex-trip-letter": ["LMRoman10-Regular", "Type 1 "],
}
def norm(s):
    s = unicodedata.normalize("NFKC", s).replace("\u00ad", "").replace("\u00a0", " ").replace("\u2019", "'")
    return s.casefold()
def on_a_line(text, term):
    rx = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, norm(term).split())) + r"(?!\w)")
    return any(rx.search(l) for l in norm(text).splitlines())
bad = 0
for fn in sorted(os.listdir(out)):
    if not fn.endswith(".pdf"):
        continue
    stem, probs = fn[:-4], []
    tp = os.path.join(tgt, stem + ".json")
    if not os.path.exists(tp):
        print(f"BAD {fn}: no target {tp}"); bad += 1; continue
    t = json.load(open(tp, encoding="utf-8"))
    path = os.path.join(out, fn)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    if pages != t["pages"]:
        probs.append(f"pages {pages} != target {t['pages']}")
    for k in ("redact", "keep", "where"):
        if k not in t:
            probs.append(f"target has no {k!r}")
    for term in t.get("redact", []):
        if term in t.get("not_required", {}) or term in t.get("review", {}):
            continue
        if not on_a_line(text, term):
            probs.append(f"redact term not on any line of the text: {term}")
    for term in t.get("not_required", {}):
        if term not in t.get("redact", []):
            probs.append(f"not_required term is not a redact term: {term}")
    for k in t.get("keep", []):
        if not re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, norm(k).split())) + r"(?!\w)", norm(text)):
            probs.append(f"keep word missing: {k}")
        if any(norm(k) in norm(r) for r in t.get("redact", [])):
            probs.append(f"keep word is part of a redact term: {k}")
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True).stdout
    for f in FONTS.get(stem, []):
        if f not in fonts:
            probs.append(f"font kind missing from pdffonts output: {f!r}")
    size = os.path.getsize(path)
    if size > 300_000:
        probs.append(f"too big to commit: {size} bytes")
    print(("OK  " if not probs else "BAD ") + f"{fn} ({pages} p, {size // 1024} KB)"
          + "".join(f"\n      {p}" for p in probs))
    bad += bool(probs)
sys.exit(1 if bad else 0)
PY

HARNESS=""
for h in "$ROOT/../shared/tools/redaction-harness/harness.py" "/work/shared/tools/redaction-harness/harness.py"; do
    [[ -f $h ]] && HARNESS=$h && break
done
if [[ -n $HARNESS && $NO_INSTALL != 1 ]] && ! python3 -c 'import pymupdf, pikepdf, numpy, PIL' 2>/dev/null; then
    log "pip install pymupdf pikepdf numpy pillow (for the redaction harness)"
    python3 -m pip install -q pymupdf pikepdf numpy pillow >/dev/null 2>&1 || true
fi
if [[ -n $HARNESS ]] && python3 -c 'import pymupdf, pikepdf' 2>/dev/null && command -v qpdf >/dev/null; then
    log "redaction harness --check-targets"
    python3 "$HARNESS" --check-targets --corpus "$OUT" --targets "$TGT" || FAILED+=("harness --check-targets")
else
    log "redaction harness (or pymupdf/pikepdf/qpdf) not found; skipped its --check-targets"
fi

if [[ ${#FAILED[@]} -gt 0 ]]; then
    log "done with failures: ${FAILED[*]}"
    exit 1
fi
log "done: $(ls "$OUT"/*.pdf | wc -l) fixtures in ${OUT#"$ROOT"/}"
