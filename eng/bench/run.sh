#!/usr/bin/env bash
# Dump-engine benchmark (not a test): our NativeAOT makedumpfile against Debian 12's 1.7.2 and sid's
# 1.7.8 on the same vmcores, in one run. For each vmcore × -d {0,1,31} × codec {-l,-z,-c,-p} ×
# --num-threads {1,2}: wall time, input GB/s (vmcore bytes / wall time), output size and peak RSS
# (/usr/bin/time -v), then our time and size as ratios of each reference.
#
#   eng/bench/run.sh [VMCORE...]        default: the lab's proc-vmcore.elf of every release
#   BENCH_LEVELS="1 31" BENCH_CODECS="l z" BENCH_THREADS="1" eng/bench/run.sh ...   to narrow it
#
# Inputs are read once before timing (warm page cache: the numbers compare CPU work, not the disk).
# Outputs go to .lab/scratch/bench/ and are deleted after each run. Also runs the codec benchmark.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$ROOT/.lab/scratch/bench
mkdir -p "$WORK"
OURS=$WORK/ours/makedumpfile
CODECS=$WORK/codecs/codecs
# BENCH_NO_PUBLISH=1 reuses the binaries of the previous run.
if [[ -z ${BENCH_NO_PUBLISH:-} || ! -x $OURS || ! -x $CODECS ]]; then
  flock /tmp/kdump-heavy.lock dotnet publish "$ROOT/src/Tools/makedumpfile/makedumpfile.csproj" -c Release -r linux-x64 --nologo -v quiet -o "$WORK/ours" >/dev/null
  flock /tmp/kdump-heavy.lock dotnet publish "$ROOT/eng/bench/codecs/codecs.csproj" -c Release -r linux-x64 --nologo -v quiet -o "$WORK/codecs" >/dev/null
fi

declare -A TOOL=([ours]=$OURS [1.7.8]=$ROOT/.lab/ref/bin/makedumpfile-1.7.8 [1.7.2]=/usr/bin/makedumpfile)
for t in "${!TOOL[@]}"; do [[ -x ${TOOL[$t]} ]] || { echo "bench: ${TOOL[$t]} missing" >&2; exit 1; }; done

if (($# == 0)); then set -- "$ROOT"/.lab/fixtures/*/proc-vmcore.elf; fi
LEVELS=${BENCH_LEVELS:-0 1 31}
CODECS_=${BENCH_CODECS:-l z c p}
THREADS=${BENCH_THREADS:-1 2}
REPEAT=${BENCH_REPEAT:-3}

# One timed run: prints "seconds maxrss_kib bytes" (best of REPEAT by wall time) or "fail".
measure() {
  local tool=$1 out=$WORK/out.kdump best="" line
  shift
  for ((i = 0; i < REPEAT; i++)); do
    rm -f "$out"
    if ! /usr/bin/time -v -o "$WORK/time.txt" "$tool" --message-level 0 "$@" "$out" >/dev/null 2>&1; then echo fail; return; fi
    line=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; w = s }
                       /Maximum resident set size/ { r = $2 } END { printf "%.3f %d", w, r }' "$WORK/time.txt")
    line="$line $(stat -c %s "$out")"
    if [[ -z $best || $(echo "$line $best" | awk '{ print ($1 < $4) }') == 1 ]]; then best=$line; fi
  done
  rm -f "$out"
  echo "$best"
}

printf '%-10s %-4s %-3s %-2s %-6s %8s %7s %9s %12s   %s\n' vmcore codec -d t tool seconds GB/s RSS_MiB bytes "ours vs tool: time / size"
for vmcore in "$@"; do
  size=$(stat -c %s "$vmcore")
  cat "$vmcore" >/dev/null
  name=$(basename "$(dirname "$vmcore")")
  for level in $LEVELS; do
    for codec in $CODECS_; do
      for threads in $THREADS; do
        declare -A R=()
        for t in ours 1.7.8 1.7.2; do
          args=(-$codec -d "$level")
          ((threads > 1)) && args+=(--num-threads "$threads")
          R[$t]=$(measure "${TOOL[$t]}" "${args[@]}" "$vmcore")
        done
        for t in ours 1.7.8 1.7.2; do
          read -r s rss bytes _ <<<"${R[$t]} 0 0 0"
          if [[ $s == fail ]]; then printf '%-10s %-4s %-3s %-2s %-6s failed\n' "$name" "-$codec" "$level" "$threads" "$t"; continue; fi
          cmp=""
          if [[ $t != ours && ${R[ours]} != fail ]]; then
            read -r os _ ob <<<"${R[ours]}"
            cmp=$(awk -v a="$os" -v b="$s" -v x="$ob" -v y="$bytes" 'BEGIN { printf "%.2fx faster, size %.4f", b / a, x / y }')
          fi
          printf '%-10s %-4s %-3s %-2s %-6s %8.3f %7.2f %9.1f %12d   %s\n' "$name" "-$codec" "$level" "$threads" "$t" "$s" \
            "$(awk -v n="$size" -v s="$s" 'BEGIN { print n / s / 1e9 }')" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$bytes" "$cmp"
        done
      done
    done
  done
done
echo
echo "Per-page codecs, one thread, non-zero pages of $1:"
"$CODECS" "$1" 256
