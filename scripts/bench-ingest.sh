#!/usr/bin/env bash
# Speed and memory of `disclose ingest` on a generated Purview/Vault-style export.
#
#   scripts/bench-ingest.sh [WORKDIR]          (default WORKDIR: target/bench-ingest)
#
# 1. builds disclose (cargo build --release) and copies the binary into WORKDIR, so a rebuild by
#    someone else during the run cannot change what is timed (NO_BUILD=1: use the copy already
#    there, or BIN=path);
# 2. generates, once, WORKDIR/export-N with scripts/gen-export.py (deterministic from SEED): N .eml
#    messages under Exchange/<mailbox> (Primary)/..., one Vault .mbox of N/2 messages, about 10%
#    with attachments (PDF, CSV, .docx, attached .eml), and a Results.csv with a few rows for
#    messages the export lacks;
# 3. times, one after the other, each under /usr/bin/time -v:
#      base       disclose ingest export-N --quiet                       (rayon: all cores)
#      scaling    the same on export-2N and export-4N: peak RSS should stay roughly flat, bounded
#                 by the largest single item rather than the size of the export
#      prefilled  export-N into a fresh output folder whose items/ already holds the base run's item
#                 blobs (hard links): they are skipped, so base minus prefilled is what writing
#                 OUT/items/<sha256> costs
#      threads    export-N with RAYON_NUM_THREADS=1 and =2
#      no-fsync   export-N under eatmydata (fsync a no-op), when installed: how much of the wall
#                 time is spent syncing each item's text file (NOFSYNC=0 skips)
#      python     scripts/bench-python-mail.py on export-N: the standard library's email and
#                 mailbox modules over the same .eml files and mbox (parse, headers, body text,
#                 attachments decoded; no PDF/docx/CSV text, no output), for a ratio
#    and prints items, items/s, MB/s, wall, CPU, peak RSS and the size of OUT/items (the kept item
#    bytes) for each, with the 1-minute load
#    average when it ended (the machine is shared: a load above the core count means the wall
#    figures are stretched; CPU seconds are the steadier figure then).
#
# Environment: MAILS=10000 SEED=1 SCALES="2 4" (multiples of MAILS for the scaling runs; "" skips;
#              "2 4 10" for issue 7's 10x check) PREFILLED=1 (0 skips that run)
#              THREADS="1 2" ("" skips) PYTHON_PEER=1 NOFSYNC=1 REPEATS=1 (base run repeats)
#              NO_BUILD=1 BIN=<disclose binary> NO_INSTALL=1 (never apt-get install)
# Exit status: 0 ok; 1 an ingest run failed; 2 setup failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${1:-$ROOT/target/bench-ingest}
MAILS=${MAILS:-10000}
SEED=${SEED:-1}
SCALES=${SCALES-2 4}
THREADS=${THREADS-1 2}
PYTHON_PEER=${PYTHON_PEER:-1}
REPEATS=${REPEATS:-1}
NOFSYNC=${NOFSYNC:-1}
PREFILLED=${PREFILLED:-1}
RUN_PREFIX=()
NO_INSTALL=${NO_INSTALL:-0}
PY=${PYTHON:-python3}
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-ingest: %s\n' "$*" >&2; exit 2; }

mkdir -p "$WORK"

# ------------------------------------------------------------------ what it needs
if [[ ! -x /usr/bin/time ]]; then
    [[ $NO_INSTALL == 1 ]] && die "/usr/bin/time is missing (apt-get install time)"
    sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo -n)
    log "apt-get install time"
    "${sudo[@]}" apt-get update -qq >/dev/null && \
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq time >/dev/null \
        || die "cannot install GNU time"
fi
"$PY" -c 'import reportlab' 2>/dev/null || {
    [[ $NO_INSTALL == 1 ]] && die "ReportLab is missing (pip install reportlab)"
    log "pip install reportlab"
    "$PY" -m pip install -q reportlab || die "cannot install reportlab"
}

BINCOPY=$WORK/disclose
if [[ -n ${BIN:-} ]]; then
    cp "$BIN" "$BINCOPY"
elif [[ ${NO_BUILD:-0} != 1 ]]; then
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet --bin disclose) || die "build failed"
    cp "$ROOT/target/release/disclose" "$BINCOPY"
fi
[[ -x $BINCOPY ]] || die "no disclose binary at $BINCOPY (drop NO_BUILD or give BIN=)"

export_for() {  # N -> path of a generated export of N messages (made once)
    local n=$1 dir=$WORK/export-$1
    if [[ ! -f $dir.manifest.txt ]]; then
        log "generating $dir ($n messages + $((n / 2)) in the mbox)"
        rm -rf "$dir"
        "$PY" "$ROOT/scripts/gen-export.py" --out "$dir" --mails "$n" --seed "$SEED" 2>/dev/null \
            || die "gen-export.py failed"
    fi
    echo "$dir"
}

# time_field FILE "label" -> the value /usr/bin/time -v printed for it
time_field() { sed -n "s/^[[:space:]]*$2: //p" "$1" | head -1; }
wall_seconds() {  # h:mm:ss or m:ss.cc -> seconds
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }' <<<"$1"
}

RESULTS=$WORK/results.txt
: >"$RESULTS"
printf '%-24s %8s %9s %8s %8s %8s %6s %9s %8s %6s\n' run items items/s MB/s wall_s cpu_s cpu% peak_MB items_MB load | tee -a "$RESULTS"
FAILED=0

# run LABEL EXPORT_DIR [ENV=VAL...]: one timed ingest, one line of figures (OUT=dir: ingest into
# that existing output folder instead of a fresh one)
run() {
    local label=$1 dir=$2; shift 2
    local out=${OUT:-$WORK/out-$label} tfile=$WORK/time-$label.txt efile=$WORK/stderr-$label.txt
    [[ -n ${OUT:-} ]] || rm -rf "$out"
    sync
    if ! /usr/bin/time -v -o "$tfile" env "$@" "${RUN_PREFIX[@]}" "$BINCOPY" ingest "$dir" --out "$out" --quiet \
        2>"$efile"; then
        log "$label: disclose ingest failed (see $efile)"
        FAILED=1
    fi
    local items bytes wall user sys rss cpu blobs
    items=$("$PY" -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' \
        "$out/inventory.csv" 2>/dev/null || echo 0)
    bytes=$(du -sb --apparent-size "$dir" | cut -f1)
    wall=$(wall_seconds "$(time_field "$tfile" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')")
    user=$(time_field "$tfile" 'User time (seconds)')
    sys=$(time_field "$tfile" 'System time (seconds)')
    rss=$(time_field "$tfile" 'Maximum resident set size (kbytes)')
    cpu=$(time_field "$tfile" 'Percent of CPU this job got')
    blobs=$(du -sb --apparent-size "$out/items" 2>/dev/null | cut -f1 || echo 0)
    awk -v l="$label" -v i="$items" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" \
        -v r="$rss" -v c="$cpu" -v bl="${blobs:-0}" -v ld="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
            printf "%-24s %8d %9.0f %8.2f %8.2f %8.2f %6s %9.0f %8.1f %6s\n", l, i, i / w, b / 1e6 / w, w, u + s, c, r / 1024, bl / 1e6, ld }' \
        | tee -a "$RESULTS"
    # The summary disclose prints (items by kind and state), for the record.
    sed -n '/item(s) from/,$p' "$efile" >"$WORK/summary-$label.txt" || true
}

BASE=$(export_for "$MAILS")
log "export-$MAILS: $(tr '\n' ';' <"$BASE.manifest.txt")"
log "input: $(du -sh --apparent-size "$BASE" | cut -f1), $(find "$BASE" -type f | wc -l) files; largest file $(find "$BASE" -type f -printf '%s %p\n' | sort -n | tail -1 | awk '{printf "%.1f MB", $1/1e6}')"

for r in $(seq 1 "$REPEATS"); do
    label="base-$MAILS"; [[ $REPEATS -gt 1 ]] && label="base-$MAILS-r$r"
    run "$label" "$BASE"
done
if [[ $PREFILLED == 1 ]]; then
    base_out=$(ls -d "$WORK/out-base-$MAILS"* | tail -1)
    pre=$WORK/out-prefilled-$MAILS
    rm -rf "$pre" && mkdir -p "$pre" && cp -al "$base_out/items" "$pre/items"
    OUT=$pre run "prefilled-$MAILS" "$BASE"
fi
for k in $SCALES; do
    n=$((MAILS * k))
    dir=$(export_for "$n")
    log "export-$n: $(du -sh --apparent-size "$dir" | cut -f1), largest file $(find "$dir" -type f -printf '%s\n' | sort -n | tail -1 | awk '{printf "%.1f MB", $1/1e6}')"
    run "scale-${k}x-$n" "$dir"
done
for t in $THREADS; do
    run "threads-$t-$MAILS" "$BASE" RAYON_NUM_THREADS="$t"
done
# How much of the wall time is the per-item fsync of text files: the same run with fsync made a
# no-op by eatmydata (Debian package eatmydata), when it is installed.
if [[ $NOFSYNC == 1 ]] && command -v eatmydata >/dev/null; then
    RUN_PREFIX=(eatmydata)
    run "no-fsync-$MAILS" "$BASE"
    RUN_PREFIX=()
fi

if [[ $PYTHON_PEER == 1 ]]; then
    tfile=$WORK/time-python.txt
    /usr/bin/time -v -o "$tfile" "$PY" "$ROOT/scripts/bench-python-mail.py" "$BASE" >"$WORK/python.txt"
    cat "$WORK/python.txt" >&2
    msgs=$(sed -n 's/^PYRESULT messages=\([0-9]*\).*/\1/p' "$WORK/python.txt")
    bytes=$(sed -n 's/^PYRESULT.*bytes=\([0-9]*\).*/\1/p' "$WORK/python.txt")
    wall=$(wall_seconds "$(time_field "$tfile" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')")
    user=$(time_field "$tfile" 'User time (seconds)')
    sys=$(time_field "$tfile" 'System time (seconds)')
    rss=$(time_field "$tfile" 'Maximum resident set size (kbytes)')
    cpu=$(time_field "$tfile" 'Percent of CPU this job got')
    awk -v l="python-email-$MAILS" -v i="$msgs" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" \
        -v r="$rss" -v c="$cpu" -v ld="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
            printf "%-24s %8d %9.0f %8.2f %8.2f %8.2f %6s %9.0f %8s %6s  (messages only)\n", l, i, i / w, b / 1e6 / w, w, u + s, c, r / 1024, "-", ld }' \
        | tee -a "$RESULTS"
    # Like for like: messages per second, disclose (base run) against Python.
    inv=$(ls -d "$WORK/out-base-$MAILS"* | head -1)/inventory.csv
    dmsgs=$("$PY" -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1], newline="")) if r["kind"] == "email"))' "$inv")
    dwall=$(awk '$1 ~ /^base-/ { print $5; exit }' "$RESULTS")
    awk -v dm="$dmsgs" -v dw="$dwall" -v pm="$msgs" -v pw="$wall" 'BEGIN {
        if (dw > 0 && pw > 0) printf "messages/s: disclose %.0f (%d email items, with attachments read) vs python %.0f: %.1fx\n",
            dm / dw, dm, pm / pw, (dm / dw) / (pm / pw) }' | tee -a "$RESULTS"
fi

log "figures in $RESULTS; /usr/bin/time output in $WORK/time-*.txt; summaries in $WORK/summary-*.txt"
exit $FAILED
