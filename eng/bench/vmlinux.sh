#!/usr/bin/env bash
# makedumpfile -g benchmark (not a test): our NativeAOT build against sid's 1.7.8 on the debug vmlinux
# of every lab kernel (eng/lab/fetch-vmlinux.sh), in one run: wall time and peak RSS of each, the
# ratio, and whether the two VMCOREINFO files are identical. Best of BENCH_REPEAT (default 3) runs.
# Both map the vmlinux, so most of either RSS is the file's pages in the page cache (shared, clean).
#   eng/bench/vmlinux.sh [RELEASE...]     default: every release with a vmlinux
#   eng/bench/vmlinux.sh --config [RELEASE...]
#       instead: an erased dump (-l -d 31 -x VMLINUX --config, the config below) of the release's
#       lab vmcore, and whether the two dump files are identical.
set -euo pipefail
MODE=generate
if [[ ${1:-} == --config ]]; then MODE=config; shift; fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=${KDUMP_LAB_DIR:-$ROOT/.lab}
WORK=$LAB/scratch/bench-vmlinux
mkdir -p "$WORK"
OURS=$WORK/ours/makedumpfile
if [[ -z ${BENCH_NO_PUBLISH:-} || ! -x $OURS ]]; then
  flock /tmp/kdump-heavy.lock dotnet publish "$ROOT/src/Tools/makedumpfile/makedumpfile.csproj" -c Release -r linux-x64 --nologo -v quiet \
    -p:PublishAot=true -o "$WORK/ours" >/dev/null
fi
REF=$LAB/ref/bin/makedumpfile-1.7.8
[[ -x $REF ]] || { echo "bench: $REF missing (eng/lab/lab.sh)" >&2; exit 1; }
REPEAT=${BENCH_REPEAT:-3}
if (($# == 0)); then
  for d in "$LAB"/kernels/*/; do [[ -e $d/.vmlinux-done ]] && set -- "$@" "$(basename "$d")"; done
fi
(($#)) || { echo "bench: no vmlinux in $LAB/kernels (eng/lab/fetch-vmlinux.sh)" >&2; exit 1; }

# Best wall time of REPEAT runs and its peak RSS: "seconds rss_kib".
measure() {
  local out=$1 best="" line
  shift
  for ((i = 0; i < REPEAT; i++)); do
    rm -f "$out"
    /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; exit 1; }
    line=$(cat "$WORK/time.txt")
    if [[ -z $best ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best=$line; fi
  done
  echo "$best"
}

# The erase filter for --config: symbols, members, a loop over every task, sizes from the dump.
CONF=$WORK/erase.conf
cat >"$CONF" <<'EOF'
erase saved_command_line
erase core_pattern
erase init_task.comm size 4
for tsk in init_task.tasks within task_struct:tasks
	erase tsk.comm
endfor
for fs in file_systems via next
	erase fs.name
endfor
erase log_buf size log_buf_len
EOF

exec 9>>/tmp/kdump-heavy.lock
flock 9
printf '%-10s %10s %10s %8s %12s %12s %s\n' release ours_s 1.7.8_s speedup ours_rss_MiB ref_rss_MiB file
for r in "$@"; do
  v=$LAB/kernels/$r/vmlinux
  cat "$v" >/dev/null # warm page cache: both read the same cached file
  if [[ $MODE == config ]]; then
    c=$LAB/fixtures/$r/proc-vmcore.elf
    cat "$c" >/dev/null
    read -r os orss <<<"$(measure "$WORK/ours.txt" "$OURS" -l -d 31 -x "$v" --config "$CONF" "$c" "$WORK/ours.txt")"
    read -r rs rrss <<<"$(measure "$WORK/ref.txt" "$REF" -l -d 31 -x "$v" --config "$CONF" "$c" "$WORK/ref.txt")"
  else
    read -r os orss <<<"$(measure "$WORK/ours.txt" "$OURS" -g "$WORK/ours.txt" -x "$v")"
    read -r rs rrss <<<"$(measure "$WORK/ref.txt" "$REF" -g "$WORK/ref.txt" -x "$v")"
  fi
  same=$(cmp -s "$WORK/ours.txt" "$WORK/ref.txt" && echo identical || echo DIFFERENT)
  awk -v r="$r" -v os="$os" -v rs="$rs" -v om="$orss" -v rm="$rrss" -v f="$same" \
    'BEGIN { printf "%-10s %10.2f %10.2f %7.1fx %12.0f %12.0f %s\n", r, os, rs, rs / os, om / 1024, rm / 1024, f }'
done
