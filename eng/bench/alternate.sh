#!/usr/bin/env bash
# Compare makedumpfile builds (two commits of ours, or ours and a reference) by running them in turn
# on the same input, round after round, so that whatever else the machine does hits them alike.
# Separate bench runs of two builds differ by up to 10 % with the same hot path (see
# docs/compat/makedumpfile.md, "Builds differ"); alternating is how to tell a real change from that.
#
#   eng/bench/alternate.sh [-n ROUNDS] NAME=BINARY NAME=BINARY ... [-- MAKEDUMPFILE-OPTIONS]
#   e.g. eng/bench/alternate.sh old=/tmp/aot-old/makedumpfile new=artifacts/aot/makedumpfile/makedumpfile \
#          ref=.lab/ref/bin/makedumpfile-1.7.8 -- -l -d 1
#
# Input: BENCH_VMCORE (default .lab/bench/vmcore-4g-phdrs64.elf, eng/bench/make-4g-vmcore.sh), read
# once first so the page cache is warm. Output to tmpfs (/dev/shm), deleted after each run. Default
# options `-l -d 1`, 5 rounds. Prints every run (wall, user, sys seconds) and each build's median wall
# time and its ratio to the first build's. Holds /tmp/kdump-heavy.lock for the whole loop.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMCORE=${BENCH_VMCORE:-$ROOT/.lab/bench/vmcore-4g-phdrs64.elf}
args=("$@")
rounds=5
names=() bins=() opts=(-l -d 1)
while (($#)); do
  case $1 in
    -n) rounds=$2; shift 2 ;;
    --) shift; opts=("$@"); break ;;
    *=*) names+=("${1%%=*}"); bins+=("${1#*=}"); shift ;;
    *) echo "alternate: NAME=BINARY expected, got '$1'" >&2; exit 2 ;;
  esac
done
((${#bins[@]} >= 2)) || { echo "usage: alternate.sh [-n ROUNDS] NAME=BINARY NAME=BINARY ... [-- OPTIONS]" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "alternate: -n wants a positive count, got '$rounds'" >&2; exit 2; }
for b in "${bins[@]}"; do [[ -x $b ]] || { echo "alternate: $b is not executable" >&2; exit 1; }; done
[[ -s $VMCORE ]] || { echo "alternate: $VMCORE missing (eng/bench/make-4g-vmcore.sh)" >&2; exit 1; }

if [[ -z ${BENCH_IN_LOCK:-} ]]; then
  exec env BENCH_IN_LOCK=1 flock /tmp/kdump-heavy.lock "$0" "${args[@]}"
fi

WORK=$(mktemp -d /dev/shm/kdump-alternate.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cat "$VMCORE" >/dev/null
declare -A walls
for ((r = 1; r <= rounds; r++)); do
  for i in "${!bins[@]}"; do
    rm -f "$WORK/out"
    /usr/bin/time -o "$WORK/time" -f '%e %U %S' "${bins[$i]}" -f --message-level 0 "${opts[@]}" "$VMCORE" "$WORK/out" >/dev/null ||
      { echo "alternate: ${names[$i]} failed (exit $?)" >&2; exit 1; }
    read -r wall user sys <"$WORK/time"
    printf '%-12s round %d  wall %s  user %s  sys %s\n' "${names[$i]}" "$r" "$wall" "$user" "$sys"
    walls[$i]+="$wall "
  done
done
echo "== medians of $rounds rounds, options: ${opts[*]}"
first=""
for i in "${!bins[@]}"; do
  median=$(tr ' ' '\n' <<<"${walls[$i]}" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  first=${first:-$median}
  printf '%-12s %6.3f s  %5.3f× the time of %s\n' "${names[$i]}" "$median" "$(awk -v a="$median" -v b="$first" 'BEGIN {print a/b}')" "${names[0]}"
done
