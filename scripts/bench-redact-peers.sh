#!/usr/bin/env bash
# Pages per second of `disclose redact` against PyMuPDF on the same MIS-style PDFs, same terms, same run.
#
#   scripts/bench-redact-peers.sh [WORKDIR]        (default WORKDIR: target/bench-peers)
#
# 1. builds disclose (cargo build --release) and copies the binary into WORKDIR, so a rebuild by someone
#    else during the run cannot change what is timed;
# 2. generates a deterministic workload with scripts/gen-bench-pdfs.py (ReportLab; FILES multi-page
#    registers, behaviour logs, pastoral chronologies and contact sheets; one list of 27 terms for
#    every file, or its first MAX_TERMS);
# 3. times, one after the other on the same machine:
#      disclose        one invocation with every file (rayon: all cores), REPEATS times, median reported
#      disclose 1 core the same with RAYON_NUM_THREADS=1
#      pymupdf         the redaction harness's PyMuPDF peer (../shared/tools/redaction-harness), or
#                      scripts/bench-pymupdf-redact.py when that is absent: one process (PyMuPDF is
#                      single-threaded), then the files split over JOBS worker processes
#      pymupdf tuned   scripts/bench-pymupdf-redact.py --reuse-textpage (one TextPage per page instead of
#                      one per term and page), on 1 and JOBS processes (TUNED=0 to skip)
#    and prints pages, wall seconds, CPU seconds, pages/s and the disclose/PyMuPDF ratios;
# 4. runs the harness's independent checks (text, raw bytes, metadata, structure, qpdf --check, render
#    damage) on the very outputs that were timed, for disclose and for the PyMuPDF peer, and prints the
#    leaks per tool (skipped with a message when the harness folder is absent; CHECK=0 skips it).
#
# Environment: FILES=150 SEED=2023 MAX_TERMS=27 (fewer: no leak checks) REPEATS=3 JOBS=2 TUNED=1 CHECK=1
#              CHECK_EVERY=1 (check every Nth file)
#              HARNESS=<path to redaction-harness> NO_INSTALL=1 (never pip/apt install) NO_BUILD=1
# Exit status: 0 ok; 1 a tool failed or the harness found a leak; 2 setup failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${1:-$ROOT/target/bench-peers}
FILES=${FILES:-150}
SEED=${SEED:-2023}
REPEATS=${REPEATS:-3}
JOBS=${JOBS:-2}
TUNED=${TUNED:-1}
CHECK=${CHECK:-1}
CHECK_EVERY=${CHECK_EVERY:-1}
NO_INSTALL=${NO_INSTALL:-0}
HARNESS=${HARNESS:-$ROOT/../shared/tools/redaction-harness}
PY=${PYTHON:-python3}
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-redact-peers: %s\n' "$*" >&2; exit 2; }

# ------------------------------------------------------------------ what it needs
APT_UPDATED=0
apt_install() {
    [[ $NO_INSTALL == 1 ]] && return 1
    command -v apt-get >/dev/null || return 1
    local sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo -n)
    if [[ $APT_UPDATED == 0 ]]; then "${sudo[@]}" apt-get update -qq >/dev/null || return 1; APT_UPDATED=1; fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
pip_install() {
    [[ $NO_INSTALL == 1 ]] && return 1
    log "pip install $*"
    "$PY" -m pip install -q "$@" 2>/dev/null || "$PY" -m pip install -q --break-system-packages "$@"
}
need_py() {   # need_py MODULE PIP-NAME
    "$PY" -c "import $1" 2>/dev/null && return 0
    pip_install "$2" && "$PY" -c "import $1" 2>/dev/null
}

command -v "$PY" >/dev/null || die "python3 is needed"
need_py reportlab reportlab || die "ReportLab is needed to make the workload (pip install reportlab)"
need_py pymupdf pymupdf || die "PyMuPDF is needed for the peer (pip install pymupdf)"
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
[[ -f $DEJAVU ]] || apt_install fonts-dejavu-core || die "$DEJAVU is needed (apt-get install fonts-dejavu-core)"

HAVE_HARNESS=0
if [[ -f $HARNESS/harness.py ]]; then
    HAVE_HARNESS=1
    HARNESS=$(cd "$HARNESS" && pwd)
fi
if [[ $CHECK == 1 && $HAVE_HARNESS == 1 ]]; then
    for m in "pikepdf pikepdf" "numpy numpy" "PIL pillow"; do
        need_py $m || { log "cannot install ${m#* }: leak checks skipped"; CHECK=0; }
    done
    for c in "pdftotext poppler-utils" "pdftoppm poppler-utils" "qpdf qpdf"; do
        set -- $c
        command -v "$1" >/dev/null || apt_install "$2" || { log "no $1: leak checks skipped"; CHECK=0; }
    done
fi

# ------------------------------------------------------------------ build
mkdir -p "$WORK/bin"
if [[ ${NO_BUILD:-0} != 1 ]]; then
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
fi
[[ -x $ROOT/target/release/disclose ]] || die "no target/release/disclose"
cp "$ROOT/target/release/disclose" "$WORK/bin/disclose"
DISCLOSE=$WORK/bin/disclose

# ------------------------------------------------------------------ workload
DATA=$WORK/workload
STAMP="files=$FILES seed=$SEED gen=$(sha1sum "$ROOT/scripts/gen-bench-pdfs.py" | cut -c1-12)"
if [[ ! -f $DATA/stamp || $(cat "$DATA/stamp") != "$STAMP" ]]; then
    log "generating $FILES PDFs ($STAMP)"
    rm -rf "$DATA"
    "$PY" "$ROOT/scripts/gen-bench-pdfs.py" "$DATA" --files "$FILES" --seed "$SEED"
    echo "$STAMP" > "$DATA/stamp"
fi
mapfile -t INPUTS < <(ls "$DATA"/corpus/*.pdf)
mapfile -t TERMS < "$DATA/terms.txt"
MAX_TERMS=${MAX_TERMS:-${#TERMS[@]}}
TERM_ARGS=()
for t in "${TERMS[@]:0:$MAX_TERMS}"; do [[ -n $t ]] && TERM_ARGS+=(--term "$t"); done
if (( MAX_TERMS < ${#TERMS[@]} )) && [[ $CHECK == 1 ]]; then
    log "MAX_TERMS=$MAX_TERMS: the targets list all ${#TERMS[@]} terms, so no leak checks"
    CHECK=0
fi
PAGES=$(awk -F'\t' 'NR > 1 { s += $3 } END { print s }' "$DATA/manifest.tsv")
log "workload: ${#INPUTS[@]} files, $PAGES pages, $(( ${#TERM_ARGS[@]} / 2 )) terms for every file"

# JOBS lists of files with about the same number of pages each (largest first, onto the lightest list)
split_files() {
    "$PY" - "$DATA/manifest.tsv" "$JOBS" "$DATA/corpus" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
jobs, corpus = int(sys.argv[2]), sys.argv[3]
bins = [[0, []] for _ in range(jobs)]
for name, _, pages in sorted(rows, key=lambda r: -int(r[2])):
    b = min(bins, key=lambda b: b[0])
    b[0] += int(pages)
    b[1].append(f"{corpus}/{name}")
for _, files in bins:
    print("\t".join(sorted(files)))
EOF
}
mapfile -t SPLITS < <(split_files)

# ------------------------------------------------------------------ timing
RESULTS=$WORK/results.tsv
printf 'tool\tprocesses\tpages\twall_s\tcpu_s\trc\n' > "$RESULTS"

# timed LABEL PROCS CMD... : wall and CPU (user+sys of all descendants) of one run, appended to RESULTS
timed() {
    local label=$1 procs=$2; shift 2
    "$PY" - "$label" "$procs" "$PAGES" "$RESULTS" "$@" <<'EOF'
import resource, subprocess, sys, time
label, procs, pages, results, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter()
p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
ok = p.returncode in (0, 3)
err = p.stderr.decode("utf-8", "replace").strip().splitlines()
print(f"    {label:<28} {wall:7.2f} s wall {cpu:7.2f} s CPU  {pages / wall:8.1f} pages/s  rc={p.returncode}"
      + ("" if ok else f"  FAILED: {err[-1] if err else ''}"), file=sys.stderr)
with open(results, "a", encoding="utf-8") as f:
    f.write(f"{label}\t{procs}\t{pages}\t{wall:.3f}\t{cpu:.3f}\t{p.returncode}\n")
sys.exit(0 if ok else 1)
EOF
}

# run_split OUTDIR CMD-PREFIX... : the JOBS lists in parallel, worker i writing to OUTDIR/wI
run_split() {
    local out=$1; shift
    local pids=() i=0 rc=0 files
    for line in "${SPLITS[@]}"; do
        IFS=$'\t' read -r -a files <<< "$line"
        "$@" "${files[@]}" "${TERM_ARGS[@]}" --out "$out/w$i" >/dev/null &
        pids+=($!); i=$((i + 1))
    done
    for p in "${pids[@]}"; do wait "$p" || rc=$?; done
    return $rc
}

OUT=$WORK/out
rm -rf "$OUT"
mkdir -p "$OUT"
if [[ $HAVE_HARNESS == 1 ]]; then
    PEER=("$PY" "$HARNESS/peers/pymupdf_peer.py" redact)
    PEER_NAME="pymupdf (harness peer)"
else
    log "no redaction harness at $HARNESS: using scripts/bench-pymupdf-redact.py as the PyMuPDF peer, no leak checks"
    PEER=("$PY" "$ROOT/scripts/bench-pymupdf-redact.py" redact)
    PEER_NAME="pymupdf (own script)"
    CHECK=0
fi
TUNED_CMD=("$PY" "$ROOT/scripts/bench-pymupdf-redact.py" redact --reuse-textpage)
FAILED=0

# A runner the timed() helper can exec for the split runs.
SPLIT_RUNNER=$WORK/bin/run-split.sh
{
    echo '#!/usr/bin/env bash'
    declare -p SPLITS TERM_ARGS
    declare -f run_split
    echo 'run_split "$@"'
} > "$SPLIT_RUNNER"
chmod +x "$SPLIT_RUNNER"

log "timing on $(nproc) CPU(s); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$DISCLOSE" redact "${INPUTS[0]}" "${TERM_ARGS[@]}" --out "$OUT/warm-up" >/dev/null 2>&1 || true
for r in $(seq 1 "$REPEATS"); do
    rm -rf "$OUT/disclose"
    timed "disclose" "$(nproc)" "$DISCLOSE" redact "${INPUTS[@]}" "${TERM_ARGS[@]}" --out "$OUT/disclose" || FAILED=1
done
rm -rf "$OUT/disclose-1core"
RAYON_NUM_THREADS=1 timed "disclose 1 core" 1 "$DISCLOSE" redact "${INPUTS[@]}" "${TERM_ARGS[@]}" \
    --out "$OUT/disclose-1core" || FAILED=1
timed "$PEER_NAME" 1 "${PEER[@]}" "${INPUTS[@]}" "${TERM_ARGS[@]}" --out "$OUT/pymupdf" || FAILED=1
timed "$PEER_NAME" "$JOBS" "$SPLIT_RUNNER" "$OUT/pymupdf-$JOBS" "${PEER[@]}" || FAILED=1
if [[ $TUNED == 1 ]]; then
    timed "pymupdf tuned (textpage)" 1 "${TUNED_CMD[@]}" "${INPUTS[@]}" "${TERM_ARGS[@]}" --out "$OUT/tuned" || FAILED=1
    timed "pymupdf tuned (textpage)" "$JOBS" "$SPLIT_RUNNER" "$OUT/tuned-$JOBS" "${TUNED_CMD[@]}" || FAILED=1
fi
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ outputs and summary
count_out() { find "$1" -name '*.pdf' -not -name '.*' | wc -l; }
count_boxes() { cat "$@" 2>/dev/null | grep -vc '^document,' || true; }
echo
echo "Workload: ${#INPUTS[@]} PDFs, $PAGES pages, $(( ${#TERM_ARGS[@]} / 2 )) terms per file ($DATA)"
echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))," \
     "load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Outputs / boxes logged: disclose $(count_out "$OUT/disclose") / $(count_boxes "$OUT/disclose/redaction-log.csv")," \
     "PyMuPDF $(count_out "$OUT/pymupdf") / $(count_boxes "$OUT/pymupdf/redaction-log.csv")"
echo
"$PY" - "$RESULTS" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
groups = {}
for tool, procs, pages, wall, cpu, rc in rows:
    groups.setdefault((tool, int(procs)), []).append((float(wall), float(cpu), int(pages), rc))
print(f"| {'tool':<28} | procs | pages | wall s | CPU s | pages/s | pages/CPU-s |")
print(f"|{'-' * 30}|------:|------:|-------:|------:|--------:|------------:|")
rate = {}
for (tool, procs), runs in groups.items():
    walls = sorted(r[0] for r in runs)
    wall = statistics.median(walls)
    cpu = statistics.median(r[1] for r in runs)
    pages = runs[0][2]
    rate[(tool, procs)] = pages / wall
    note = f" (median of {len(runs)}: " + ", ".join(f"{w:.2f}" for w in walls) + ")" if len(runs) > 1 else ""
    print(f"| {tool:<28} | {procs:>5} | {pages:>5} | {wall:6.2f} | {cpu:5.1f} | {pages / wall:7.1f} | "
          f"{pages / cpu if cpu else 0:11.1f} |{note}")
d = rate.get(("disclose", max(p for t, p in rate if t == "disclose")))
d1 = rate.get(("disclose 1 core", 1))
print()
for (tool, procs), r in rate.items():
    if tool.startswith("pymupdf"):
        print(f"ratio disclose (all cores) / {tool}, {procs} process(es): {d / r:5.1f}x"
              + (f"   [disclose 1 core / same: {d1 / r:.1f}x]" if d1 else ""))
EOF

# ------------------------------------------------------------------ leak checks on the timed outputs
HRC=0
if [[ $CHECK != 1 ]]; then
    [[ $HAVE_HARNESS == 1 ]] && echo "Leak checks skipped (CHECK=0 or a checker tool is missing)." \
        || echo "Leak checks skipped: no redaction harness at $HARNESS."
else
    CK=$WORK/check
    rm -rf "$CK"
    mkdir -p "$CK/corpus" "$CK/targets"
    i=0
    for f in "${INPUTS[@]}"; do
        if (( i % CHECK_EVERY == 0 )); then
            n=$(basename "$f" .pdf)
            ln -s "$f" "$CK/corpus/$n.pdf"
            ln -s "$DATA/targets/$n.json" "$CK/targets/$n.json"
        fi
        i=$((i + 1))
    done
    echo
    echo "Leak checks (redaction harness, on the outputs timed above; $(ls "$CK/corpus" | wc -l) files):"
    # The "tool" only copies the already-made output and log into the harness's folder.
    COPY="sh -c 'cp \"\$1/\$2\" \"\$1/redaction-log.csv\" \"\$3/\"' copy"
    for tool in disclose pymupdf; do
        set +e
        "$PY" "$HARNESS/harness.py" --cmd "$COPY $OUT/$tool {name} {outdir} {terms}" \
            --corpus "$CK/corpus" --targets "$CK/targets" --work "$CK/work-$tool" --label "$tool" \
            --report "$CK/$tool.md" --json "$CK/$tool.json" >"$CK/$tool.log" 2>&1
        rc=$?
        set -e
        (( rc > HRC )) && HRC=$rc
        echo "  $tool (harness exit $rc; report $CK/$tool.md):"
        sed -n '/^### Summary/,$p' "$CK/$tool.md" 2>/dev/null \
            | grep -E 'files:|pages:|leak|remnants|over-redaction|qpdf|failures|damage' | sed 's/^/    /' \
            || tail -5 "$CK/$tool.log"
    done
fi
(( FAILED )) && exit 1
(( HRC != 0 )) && exit 1
exit 0
