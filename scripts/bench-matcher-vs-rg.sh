#!/usr/bin/env bash
# The search matcher (one automaton for the case's queries + 5,000 roster names, rules evaluated per item)
# against ripgrep's multi-literal scan over the same text files, in one run (issue 4, "Speed").
#
#   scripts/bench-matcher-vs-rg.sh [WORKDIR]        (default WORKDIR: target/bench-matcher)
#
# 1. ripgrep: `apt-get install -y ripgrep` when `rg` is missing; also (RG_PYPI=1, the default) the current
#    ripgrep release from PyPI's `ripgrep` package into WORKDIR/rg-pypi, because Debian's rg 13 and the
#    current one differ a lot on `-F -i` with thousands of patterns. Every rg found is timed.
# 2. builds `examples/match_files.rs` (cargo build --release --example match_files) and copies the binary
#    into WORKDIR, so a rebuild by someone else during the run cannot change what is timed;
# 3. corpora, deterministic, made once and kept in WORKDIR (CORPORA="mail export" by default):
#      mail     scripts/gen-mail-text.py: MB megabytes of mail-like text files in the form `disclose ingest`
#               writes to text/ (header block, body, quoted replies; ~6 KB an item)
#      export   scripts/gen-export.py --mails EXPORT_MAILS (a Purview/Vault-style export of .eml, mbox, PDF,
#               .docx and CSV attachments; skipped when the script is absent) read by `disclose ingest`,
#               whose text/ folder is searched (small items, ~1 KB each: per-item costs show here)
#    scripts/gen-mail-text.py also writes the NAMES roster names (terms.txt, "Forename Surname"), the
#    three queries (queries.txt: "Ava Thompson", Ava AND Thompson, A123456789012) and rg-terms.txt (the
#    names plus the queries' literals: what ripgrep is given).
# 4. times REPEATS runs of each (page cache warm; the median is reported):
#      disclose      match_files on all cores, and with --threads 1: read, scan once, eval every query,
#                    list the roster names found
#      rg -F         case-sensitive (the names as the roster spells them, which is how mail mostly writes
#                    them): ripgrep's literal (Aho-Corasick/Teddy) scan at its fastest, a floor for its time
#      rg -F -i      the issue's command (`rg -F -i -c -f terms`): case-insensitive, not whole words, no
#                    accent folding: still less work than the matcher does
#      rg -F -i -w   whole words, closer to what the matcher decides (still no accent folding)
#    each with rg's default threads and with -j1. `rg -F -i` with 5,000 patterns runs far slower than its
#    literal scan (it goes through the regex engine, not Aho-Corasick), so a configuration whose projected
#    time over the whole corpus is above RG_BUDGET seconds is timed on a SAMPLE (the first RG_SAMPLE_MB of
#    files, hard-linked into TEXT.sample-N beside the corpus) instead, and disclose is timed on that same sample for its ratio.
#    A run that takes over SLOW seconds is not repeated.
# 5. prints files, MB, wall seconds, MB/s and the ratio disclose / rg (time; below 1 means disclose is
#    faster) for the same files and the same number of threads.
#
# Environment: MB=200 NAMES=5000 SEED=4 REPEATS=3 RG_SAMPLE_MB=2 RG_BUDGET=120 SLOW=30 RG_PYPI=1
#              CORPORA="mail export" EXPORT_MAILS=20000 NO_INSTALL=1 (never apt/pip) NO_BUILD=1
#              PYTHON=python3
# Exit status: 0 ok; 1 a tool failed; 2 setup failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${1:-$ROOT/target/bench-matcher}
MB=${MB:-200}
NAMES=${NAMES:-5000}
SEED=${SEED:-4}
REPEATS=${REPEATS:-3}
RG_SAMPLE_MB=${RG_SAMPLE_MB:-2}
RG_BUDGET=${RG_BUDGET:-120}
SLOW=${SLOW:-30}
RG_PYPI=${RG_PYPI:-1}
CORPORA=${CORPORA-mail export}
EXPORT_MAILS=${EXPORT_MAILS:-20000}
NO_INSTALL=${NO_INSTALL:-0}
NO_BUILD=${NO_BUILD:-0}
PY=${PYTHON:-python3}
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-matcher-vs-rg: %s\n' "$*" >&2; exit 2; }
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

# ------------------------------------------------------------------ ripgrep
if ! command -v rg >/dev/null; then
    [[ $NO_INSTALL == 1 ]] && die "rg not found (NO_INSTALL=1)"
    sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo -n)
    log "apt-get install -y ripgrep"
    "${sudo[@]}" apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq ripgrep >/dev/null || die "cannot install ripgrep"
fi
RGS=("$(command -v rg)")
if [[ $RG_PYPI == 1 ]]; then
    PRG=$WORK/rg-pypi/bin/rg
    if [[ ! -x $PRG && $NO_INSTALL != 1 ]]; then
        log "pip install --target $WORK/rg-pypi ripgrep (current ripgrep release; may build from source)"
        "$PY" -m pip install -q --target "$WORK/rg-pypi" ripgrep >/dev/null 2>&1 \
            || log "could not install PyPI ripgrep; timing the system rg only"
    fi
    if [[ -x $PRG ]]; then RGS+=("$PRG"); fi
fi
rg_version() { "$1" --version 2>/dev/null | sed -n '1s/^ripgrep \([^ ]*\).*/\1/p'; }
for r in "${RGS[@]}"; do log "ripgrep: $r ($(rg_version "$r"))"; done

# ------------------------------------------------------------------ build
BIN=$WORK/match_files
if [[ $NO_BUILD != 1 ]]; then
    targets=(--example match_files)
    if [[ $CORPORA == *export* && -f $ROOT/scripts/gen-export.py ]]; then targets+=(--bin disclose); fi
    log "cargo build --release ${targets[*]}"
    (cd "$ROOT" && cargo build --release -q "${targets[@]}") || die "build failed"
    cp "$ROOT/target/release/examples/match_files" "$BIN"
    if [[ -x $ROOT/target/release/disclose ]]; then cp "$ROOT/target/release/disclose" "$WORK/disclose"; fi
fi
[[ -x $BIN ]] || die "$BIN missing (build first or unset NO_BUILD)"

# ------------------------------------------------------------------ corpora
TERMS=$WORK/terms-$NAMES-$SEED
if [[ ! -f $TERMS/.done ]]; then
    rm -rf "$TERMS"; mkdir -p "$TERMS"
    "$PY" "$ROOT/scripts/gen-mail-text.py" "$TERMS" --mb 0 --names "$NAMES" --seed "$SEED" 2>/dev/null
    rmdir "$TERMS/text" 2>/dev/null || true
    touch "$TERMS/.done"
fi

# make_corpus NAME: prints the text/ folder of corpus NAME, made once.
make_corpus() {
    local c
    case $1 in
    mail)
        c=$WORK/corpus-mail-$MB-$NAMES-$SEED
        if [[ ! -f $c/.done ]]; then
            rm -rf "$c"; mkdir -p "$c"
            log "corpus mail: scripts/gen-mail-text.py, $MB MB"
            "$PY" "$ROOT/scripts/gen-mail-text.py" "$c" --mb "$MB" --names "$NAMES" --seed "$SEED" >&2 || return 1
            touch "$c/.done"
        fi
        ;;
    export)
        [[ -f $ROOT/scripts/gen-export.py ]] || { log "corpus export: scripts/gen-export.py absent, skipped"; return 1; }
        c=$WORK/corpus-export-$EXPORT_MAILS-$SEED
        if [[ ! -f $c/.done ]]; then
            rm -rf "$c"; mkdir -p "$c"
            "$PY" -c 'import reportlab' 2>/dev/null || {
                [[ $NO_INSTALL == 1 ]] && { log "ReportLab missing: export corpus skipped"; return 1; }
                "$PY" -m pip install -q reportlab >&2 || { log "cannot install reportlab"; return 1; }
            }
            [[ -x $WORK/disclose ]] || { log "no disclose binary in $WORK: export corpus skipped"; return 1; }
            log "corpus export: scripts/gen-export.py --mails $EXPORT_MAILS, then disclose ingest"
            "$PY" "$ROOT/scripts/gen-export.py" --out "$c/export" --mails "$EXPORT_MAILS" --seed "$SEED" >&2 || return 1
            "$WORK/disclose" ingest "$c/export" --out "$c/ingest" --quiet >/dev/null 2>&1 || true
            [[ -d $c/ingest/text ]] || { log "disclose ingest wrote no text/"; return 1; }
            ln -sfn ingest/text "$c/text"
            touch "$c/.done"
        fi
        ;;
    *) log "unknown corpus $1"; return 1 ;;
    esac
    echo "$c/text/"
}

# make_sample TEXT: the first RG_SAMPLE_MB of files (sorted by name), hard-linked (rg and walkdir skip
# symlinks); prints its folder.
make_sample() {
    local src s
    src=$(cd -P "$1" && pwd)
    s=$src.sample-$RG_SAMPLE_MB
    if [[ ! -f $s/.done ]]; then
        rm -rf "$s"; mkdir -p "$s/text"
        (cd "$src" && find . -name '*.txt' -type f | LC_ALL=C sort) | "$PY" -c '
import os, sys
src, dst, limit = sys.argv[1], sys.argv[2], float(sys.argv[3]) * 1e6
total = 0
for line in sys.stdin:
    p = line.strip()
    if total >= limit:
        break
    s = os.path.join(src, p)
    os.link(s, os.path.join(dst, p[2:].replace("/", "_")))
    total += os.path.getsize(s)
' "$src" "$s/text" "$RG_SAMPLE_MB"
        touch "$s/.done"
    fi
    echo "$s/text/"
}

count() { find -L "$1" -name '*.txt' -type f | wc -l; }
bytes() { find -L "$1" -name '*.txt' -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }

# ------------------------------------------------------------------ timing
RES=$WORK/results.tsv
: > "$RES"
FAILED=0
# run LABEL SET THREADS CMD... : REPEATS runs (one if a run takes over SLOW s), median wall and CPU.
run() {
    local label=$1 set=$2 threads=$3; shift 3
    local walls=() cpus=() i w u s out=$WORK/last.out
    for ((i = 0; i < REPEATS; i++)); do
        if ! /usr/bin/time -f '%e %U %S' -o "$WORK/time.txt" "$@" > "$out" 2> "$WORK/last.err"; then
            # rg exits 1 when nothing matched; anything on stderr is a failure.
            if [[ $label != rg* ]] || [[ -s $WORK/last.err ]]; then
                log "FAILED: $label: $(head -3 "$WORK/last.err")"; FAILED=1; return 0
            fi
        fi
        read -r w u s < <(tail -1 "$WORK/time.txt")
        walls+=("$w"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')")
        awk -v w="$w" -v l="$SLOW" 'BEGIN {exit !(w > l)}' && break
    done
    local wall cpu detail=""
    wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    [[ $label == disclose* ]] && detail=$(grep -o 'match_s=[0-9.]* .*any_query=[0-9]* any_extra=[0-9]* per_query=[0-9,]*' "$out" \
        | sed 's/mb_per_s=[0-9.]* //' || true)
    [[ $label == rg* ]] && detail="lines=$(awk -F: '{s+=$NF} END {print s+0}' "$out") files=$(wc -l < "$out")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$set" "$threads" "$wall" "$cpu" "${#walls[@]}" "$detail" >> "$RES"
    log "$label [$set, $threads thread(s)]: ${wall}s wall, ${cpu}s CPU (median of ${#walls[@]}) $detail"
}

NCPU=$(nproc)
declare -A SETBYTES SETFILES
bench_corpus() { # NAME TEXT
    local name=$1 text=$2 sample r v mode fset dir probe
    sample=$(make_sample "$text")
    SETFILES[$name]=$(count "$text"); SETBYTES[$name]=$(bytes "$text")
    SETFILES[$name-sample]=$(count "$sample"); SETBYTES[$name-sample]=$(bytes "$sample")
    log "corpus $name: ${SETFILES[$name]} files, ${SETBYTES[$name]} bytes; sample: ${SETFILES[$name-sample]} files, ${SETBYTES[$name-sample]} bytes"
    log "warming the page cache"
    find -L "$text" -name '*.txt' -type f -print0 | xargs -0 cat > /dev/null

    local q=$TERMS/queries.txt t=$TERMS/terms.txt
    run disclose "$name" all "$BIN" "$t" "$q" "$text"
    run disclose "$name" 1 "$BIN" "$t" "$q" "$text" --threads 1
    run disclose "$name-sample" all "$BIN" "$t" "$q" "$sample"
    run disclose "$name-sample" 1 "$BIN" "$t" "$q" "$sample" --threads 1

    for r in "${RGS[@]}"; do
        v=$(rg_version "$r")
        for mode in "-F" "-F -i" "-F -i -w"; do
            # Probe on the sample (one thread): does the whole corpus fit the budget?
            /usr/bin/time -f '%e' -o "$WORK/time.txt" "$r" $mode -c --no-messages -j1 -f "$TERMS/rg-terms.txt" "$sample" > /dev/null || true
            probe=$(tail -1 "$WORK/time.txt")
            fset=$name dir=$text
            if ! awk -v p="$probe" -v sb="${SETBYTES[$name-sample]}" -v fb="${SETBYTES[$name]}" -v b="$RG_BUDGET" \
                'BEGIN {exit !(p * fb / sb <= b)}'; then
                fset=$name-sample dir=$sample
                log "rg $v $mode: ${probe}s for the sample, projected over $name above ${RG_BUDGET}s: timed on the sample"
            fi
            run "rg $v $mode" "$fset" all "$r" $mode -c --no-messages -j"$NCPU" -f "$TERMS/rg-terms.txt" "$dir"
            run "rg $v $mode" "$fset" 1 "$r" $mode -c --no-messages -j1 -f "$TERMS/rg-terms.txt" "$dir"
        done
    done
}

for corpus in $CORPORA; do
    if text=$(make_corpus "$corpus"); then
        bench_corpus "$corpus" "$text"
    else
        log "corpus $corpus: not available, skipped"
    fi
done

# ------------------------------------------------------------------ report
field() { awk -F'\t' -v l="$1" -v s="$2" -v t="$3" -v f="$4" '$1==l && $2==s && $3==t {print $f}' "$RES"; }
{
    echo
    echo "Matcher vs ripgrep: $NAMES roster names + 3 queries ($(paste -sd'|' "$TERMS/queries.txt")); $NCPU cores; $(date -u +%Y-%m-%d)"
    for k in "${!SETBYTES[@]}"; do
        printf '  %-14s %7s files %9.1f MB\n' "$k" "${SETFILES[$k]}" "$(awk -v b="${SETBYTES[$k]}" 'BEGIN {print b / 1e6}')"
    done | sort
    echo "ratio = disclose time / this tool's time on the same files with the same threads (below 1: disclose is"
    echo "faster), by wall time and by CPU time (user+sys; the steadier one on a shared machine). MB/s from wall."
    echo
    printf '%-20s %-13s %-4s %8s %8s %8s %7s %7s  %s\n' tool files thr "wall s" "CPU s" "MB/s" ratio "CPU rat" detail
    while IFS=$'\t' read -r label set threads wall cpu n detail; do
        d=$(field disclose "$set" "$threads" 4); dc=$(field disclose "$set" "$threads" 5)
        ratio=$(awk -v d="$d" -v w="$wall" 'BEGIN {if (w > 0 && d != "") printf "%.3f", d / w; else print "-"}')
        cratio=$(awk -v d="$dc" -v w="$cpu" 'BEGIN {if (w > 0 && d != "") printf "%.3f", d / w; else print "-"}')
        [[ $label == disclose ]] && ratio="" cratio=""
        printf '%-20s %-13s %-4s %8.3f %8.2f %8.1f %7s %7s  %s\n' "$label" "$set" "$threads" "$wall" "$cpu" \
            "$(awk -v b="${SETBYTES[$set]}" -v w="$wall" 'BEGIN {print (w > 0 ? b / 1e6 / w : 0)}')" "$ratio" "$cratio" "$detail"
    done < "$RES"
    echo
    echo "rg -c counts lines with any pattern; disclose: any_query = files matching a query, any_extra = files with a"
    echo "roster name, match_s = time inside the file loop (reading included). rg -F is case-sensitive: ripgrep's"
    echo "literal scan at its fastest. rg -F -i / -F -i -w do no accent folding (Zoe is not Zoë)."
} | tee "$WORK/report.txt"
exit $FAILED
