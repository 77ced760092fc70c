#!/usr/bin/env bash
# End-to-end performance run of the release binary (docs/performance.md).
#
#   bench/run.sh                 # 2000 clusters, medians of up to 3 runs (~5 min on 2 cores)
#   bench/run.sh --quick         # 200 clusters, 1 run each, smaller series (~1 min)
#   bench/run.sh --clusters 5000 --runs 5 --budget 120
#   bench/run.sh --big-jsonl 1000   # also: peak memory of `batch` on ~1000 MB of JSONL
#
# Builds the release binary and the corpus generator, generates the corpus
# (examples/gen_corpus, fixed seed; reused when already there), then times with
# /usr/bin/time -v (user, sys, peak RSS) and the shell's clock (wall):
#   - `claimdiff check DIR/*` on N clusters and on N/10 (the 10x pair),
#   - `claimdiff batch FILE.jsonl --jobs 1|2`, when the binary has `batch`,
#   - start-up: `claimdiff check fixtures/aleppo-omran`, `claimdiff rules list`,
#   - one cluster of 5, 50, 500, 2000 sources (time per source),
#   - the ripgrep baseline of ../shared/bench/limit_rg.sh on the same corpus.
# A measurement stops repeating once its runs have taken --budget seconds
# (default 30), so a slow build still finishes; the table says how many runs
# each median is of. Results: printed, and kept in target/bench/run-*.txt.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

clusters=2000
runs=3
seed=20160817
budget=30
startup_runs=21
scaling=(5 50 500 2000)
big_jsonl_mb=0
build=1
corpus_root="${CLAIMDIFF_BENCH_CORPUS:-$repo/target/bench-corpus}"
shared_bench="${CLAIMDIFF_SHARED_BENCH:-$repo/../shared/bench}"

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --quick) clusters=200; runs=1; startup_runs=7; scaling=(5 50 500); budget=15 ;;
    --clusters) clusters="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    --budget) budget="$2"; shift ;;
    --big-jsonl) big_jsonl_mb="$2"; shift ;;
    --corpus-root) corpus_root="$2"; shift ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((clusters >= 10)) || { echo "error: --clusters must be at least 10" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "error: /usr/bin/time not found (apt-get install -y time)" >&2; exit 2; }

bin="$repo/target/release/claimdiff"
gen="$repo/target/release/examples/gen_corpus"
if ((build)); then
  echo "building (release)..." >&2
  cargo build --release --quiet --bin claimdiff --example gen_corpus
fi

mkdir -p "$repo/target/bench"
out="$repo/target/bench/run-$(date -u +%Y%m%dT%H%M%SZ).txt"
log="$repo/target/bench/run-stderr.log"
: > "$log"

# --- corpus ----------------------------------------------------------------
# gen DIR [gen_corpus args...]: generate once; a marker says it is complete.
gen_once() {
  local dir="$1"; shift
  if [[ ! -f "$dir/.complete" ]]; then
    rm -rf "$dir"
    "$gen" --seed "$seed" --out "$dir" "$@" 2>>"$log"
    touch "$dir/.complete"
  fi
}
text_bytes() { find "$1" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }

small=$((clusters / 10))
big_dir="$corpus_root/s$seed-n$clusters"
small_dir="$corpus_root/s$seed-n$small"
jsonl="$corpus_root/s$seed-n$clusters.jsonl"
echo "generating the corpus in $corpus_root ..." >&2
gen_once "$big_dir" --clusters "$clusters" --jsonl "$big_dir.jsonl.tmp"
[[ -f "$big_dir.jsonl.tmp" ]] && mv "$big_dir.jsonl.tmp" "$jsonl"
[[ -f "$jsonl" ]] || "$gen" --seed "$seed" --clusters "$clusters" --jsonl "$jsonl" 2>>"$log"
gen_once "$small_dir" --clusters "$small"
for k in "${scaling[@]}"; do
  gen_once "$corpus_root/s$seed-one-$k" --clusters 1 --sources-per-cluster "$k"
done
big_bytes=$(text_bytes "$big_dir")
small_bytes=$(text_bytes "$small_dir")

# --- measuring ---------------------------------------------------------------
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
hz=$(getconf CLK_TCK)
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# measure NAME BYTES CLUSTERS -- COMMAND...: up to $runs runs (fewer once the
# runs took $budget s); appends "name wall cpu rss_kb runs bytes clusters load"
# (medians; load = the largest other load on the machine, in cores) to $results.
results="$(mktemp)"
trap 'rm -f "$results" "$results".*' EXIT
measure() {
  local name="$1" bytes="$2" nclusters="$3"; shift 4
  local walls=() cpus=() rsss=() loads=() spent=0 i
  for ((i = 1; i <= runs; i++)); do
    local b0 t0 t1 b1 wall cpu rss rc=0
    b0=$(busy_ticks); t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$results.time" "$@" >/dev/null 2>>"$log" || rc=$?
    t1=$EPOCHREALTIME; b1=$(busy_ticks)
    if ((rc == 2 || rc > 3)); then
      echo "warning: $name: exit $rc (see $log)" >&2
    fi
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')
    cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$results.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$results.time")
    walls+=("$wall"); cpus+=("$cpu"); rsss+=("$rss")
    loads+=("$(awk -v b="$((b1 - b0))" -v hz="$hz" -v c="$cpu" -v w="$wall" \
      'BEGIN {l = (b / hz - c) / w; printf "%.2f", (l < 0 ? 0 : l)}')")
    echo "  $name run $i: ${wall}s cpu ${cpu}s rss $((rss / 1024))MiB other-load ${loads[-1]}" >&2
    spent=$(awk -v s="$spent" -v w="$wall" 'BEGIN {print s + w}')
    awk -v s="$spent" -v b="$budget" 'BEGIN {exit !(s >= b)}' && { i=$((i + 1)); break; }
  done
  printf '%s %s %s %s %s %s %s %s\n' "$name" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)" \
    "$(printf '%s\n' "${rsss[@]}" | median)" "$((i - 1))" "$bytes" "$nclusters" \
    "$(printf '%s\n' "${loads[@]}" | sort -g | tail -1)" >> "$results"
}

# startup NAME -- COMMAND...: median wall in ms over up to $startup_runs runs
# (at least 3, at most ~$budget/2 s).
startup() {
  local name="$1"; shift 2
  local ts=() spent=0 i
  for ((i = 1; i <= startup_runs; i++)); do
    local t0=$EPOCHREALTIME
    "$@" >/dev/null 2>>"$log" || true
    local t1=$EPOCHREALTIME
    ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) * 1000}')")
    spent=$(awk -v s="$spent" -v a="$t0" -v b="$t1" 'BEGIN {print s + b - a}')
    if ((i >= 3)) && awk -v s="$spent" -v b="$budget" 'BEGIN {exit !(s >= b / 2)}'; then
      i=$((i + 1)); break
    fi
  done
  printf '%s %s %s %s\n' "$name" "$(printf '%s\n' "${ts[@]}" | median)" \
    "$(printf '%s\n' "${ts[@]}" | sort -g | head -1)" "$((i - 1))" >> "$results.startup"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "measuring (median of up to $runs runs, $budget s budget each)..." >&2

measure "check N=$clusters" "$big_bytes" "$clusters" -- \
  "$bin" check --format json -o /dev/null "$big_dir"/c*
measure "check N=$small (N/10)" "$small_bytes" "$small" -- \
  "$bin" check --format json -o /dev/null "$small_dir"/c*

has_batch=0
if "$bin" batch --help >/dev/null 2>&1; then
  has_batch=1
  quiet=()
  "$bin" batch --help 2>&1 | grep -q -- '--quiet' && quiet=(--quiet)
  for j in 1 2; do
    measure "batch jsonl --jobs $j" "$big_bytes" "$clusters" -- \
      "$bin" batch "${quiet[@]}" --jobs "$j" "$jsonl"
  done
fi

if command -v rg >/dev/null && [[ -x "$shared_bench/limit_rg.sh" ]]; then
  measure "baseline rg (Unicode)" "$big_bytes" "$clusters" -- \
    "$shared_bench/limit_rg.sh" "$big_dir"
  measure "baseline rg --no-unicode" "$big_bytes" "$clusters" -- \
    env RG_EXTRA=--no-unicode "$shared_bench/limit_rg.sh" "$big_dir"
elif ! command -v rg >/dev/null; then
  echo "note: ripgrep is not installed: the rg baseline is skipped (apt-get install -y ripgrep)" >&2
else
  echo "note: $shared_bench/limit_rg.sh not found: the rg baseline is skipped (set CLAIMDIFF_SHARED_BENCH)" >&2
fi

startup "--version (process start)" -- "$bin" --version
startup "check fixtures/aleppo-omran" -- "$bin" check fixtures/aleppo-omran
startup "rules list" -- "$bin" rules list

for k in "${scaling[@]}"; do
  d="$corpus_root/s$seed-one-$k"
  measure "one cluster, $k sources" "$(text_bytes "$d")" 1 -- \
    "$bin" check --format json -o /dev/null "$d"/c*
done

if ((big_jsonl_mb > 0)); then
  if ((has_batch)); then
    big_jsonl="$corpus_root/s$seed-big-${big_jsonl_mb}MB.jsonl"
    # about 11 kB of JSON per generated cluster
    n=$((big_jsonl_mb * 1000000 / 11000))
    [[ -f "$big_jsonl" ]] || "$gen" --seed "$seed" --clusters "$n" --jsonl "$big_jsonl" 2>>"$log"
    jbytes=$(stat -c %s "$big_jsonl")
    save_runs=$runs; runs=1
    measure "batch ${big_jsonl_mb}MB jsonl --jobs 2" "$jbytes" "$n" -- \
      "$bin" batch "${quiet[@]}" --jobs 2 "$big_jsonl"
    runs=$save_runs
  else
    echo "note: --big-jsonl needs the batch command; skipped" >&2
  fi
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------
{
  echo "claimdiff $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "on $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))," \
    "$(date -u +%Y-%m-%dT%H:%MZ); load average $load_start at start, $load_end at end"
  echo "corpus: seed $seed, N=$clusters clusters, $(awk -v b="$big_bytes" 'BEGIN {printf "%.2f", b / 1e6}') MB of text" \
    "($(find "$big_dir" -name '*.txt' | wc -l) articles); JSONL $(awk -v b="$(stat -c %s "$jsonl")" 'BEGIN {printf "%.2f", b / 1e6}') MB"
  echo
  awk -v cores="$(nproc)" '
    function mbs(b, t) { return t > 0 ? b / 1e6 / t : 0 }
    { line[NR] = $0 }
    /^baseline rg \(Unicode\)/ { split($0, f, " "); n = split($0, g, " "); rgu = mbs(g[n-2], g[n-6]) }
    /^baseline rg --no-unicode/ { n = split($0, g, " "); rgn = mbs(g[n-2], g[n-6]) }
    END {
      printf "%-30s %8s %4s %8s %9s %10s %8s %9s %9s %6s\n", "measurement", "wall s", "runs", "MB/s", "MB/s/core", "clusters/s", "RSS MiB", "vs rg", "vs rg-nu", "load"
      for (i = 1; i <= NR; i++) {
        n = split(line[i], g, " ")
        name = ""; for (j = 1; j <= n - 7; j++) name = name (j > 1 ? " " : "") g[j]
        wall = g[n-6]; cpu = g[n-5]; rss = g[n-4]; r = g[n-3]; b = g[n-2]; c = g[n-1]; load = g[n]
        m = mbs(b, wall); pc = cpu > 0 ? b / 1e6 / cpu : 0
        vs = (rgu > 0 && name !~ /^baseline/) ? sprintf("%.3fx", m / rgu) : "-"
        vn = (rgn > 0 && name !~ /^baseline/) ? sprintf("%.3fx", m / rgn) : "-"
        printf "%-30s %8.2f %4d %8.2f %9.2f %10.1f %8.1f %9s %9s %6.2f\n", name, wall, r, m, pc, c / wall, rss / 1024, vs, vn, load
      }
    }' "$results"
  echo
  echo "MB/s = text bytes of the .txt files / median wall; MB/s/core = text bytes / median CPU (user+sys);"
  echo "RSS = peak resident set of the process; vs rg = claimdiff MB/s / ripgrep MB/s (same run);"
  echo "load = the most CPU (in cores) other processes used during a run (the machine may be shared)."
  echo
  awk '
    /^check N=/ && !big { big = $0 }
    /^check N=.*N\/10/ { small = $0 }
    END {
      n = split(big, a, " "); m = split(small, b, " ")
      if (n && m) printf "10x corpus: time x%.2f for x%.1f text (ideal x10), peak RSS %.1f -> %.1f MiB\n", a[n-6] / b[m-6], a[n-2] / b[m-2], b[m-4] / 1024, a[n-4] / 1024
    }' "$results"
  awk '
    /^batch jsonl --jobs 1/ { n = split($0, a, " "); j1 = a[n-6] }
    /^batch jsonl --jobs 2/ { n = split($0, a, " "); j2 = a[n-6] }
    END { if (j1 && j2) printf "batch: --jobs 2 is x%.2f the speed of --jobs 1\n", j1 / j2 }' "$results"
  [[ $has_batch == 1 ]] || echo "batch: this binary has no batch command; not measured"
  echo
  echo "start-up (median wall ms, min, runs):"
  awk '{n = split($0, a, " "); name = ""; for (j = 1; j <= n - 3; j++) name = name (j > 1 ? " " : "") a[j]
        printf "  %-32s %8.1f ms  (min %.1f, %d runs)\n", name, a[n-2], a[n-1], a[n]}' "$results.startup"
  echo
  echo "scaling, one cluster (time per source; net = less the aleppo check start-up):"
  su=$(awk '/^check fixtures\/aleppo-omran/ {n = split($0, a, " "); print a[n-2] / 1000}' "$results.startup")
  awk -v su="${su:-0}" '/^one cluster, / {
      n = split($0, a, " "); k = a[3]; wall = a[n-6]
      printf "  %5d sources: %8.2f s  %8.2f ms/source  net %8.2f ms/source  RSS %.1f MiB\n", k, wall, wall * 1000 / k, (wall - su) * 1000 / k, a[n-4] / 1024
    }' "$results"
} | tee "$out"
echo "(kept in $out)" >&2
