#!/usr/bin/env bash
# The main job.
#   bash eng/main.sh [RELEASE|VMCORE]   show a real vmcore of the lab through our readers (kdump-lab show)
#   bash eng/main.sh demo [RELEASE]     crash a QEMU guest and let our kdump capture it: our kdumpctl start
#                                       loads the capture kernel with an image our mkdumprd built, sysrq-c,
#                                       our kdump-capture saves the dump; then show the saved files and the dump
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${KDUMP_LAB_DIR:=$ROOT/.lab}"
ARG=${1:-bookworm}
BIN=$ROOT/artifacts/bin/kdump-lab/release/kdump-lab
[[ -x $BIN ]] || flock /tmp/kdump-heavy.lock dotnet build "$ROOT/src/Tools/kdump-lab" -c Release --nologo -v quiet

if [[ $ARG == demo ]]; then
  REL=${2:-bookworm}
  [[ -r $KDUMP_LAB_DIR/kernels/$REL/vmlinuz ]] || bash "$ROOT/eng/lab/lab.sh" "$REL"
  echo "== crashing a $REL guest (sysrq-c) and capturing it with our tools (about a minute under TCG)"
  out=$(bash "$ROOT/eng/vmtest-capture/capture-vm.sh" "$REL" ext4-uuid) || { echo "$out"; exit 1; }
  W=$KDUMP_LAB_DIR/vmtest-capture/$REL/ext4-uuid
  dir=$(sed -n 's/^dump directory: //p' <<<"$out")
  echo "== the first kernel's kdumpctl start:"
  sed -n 's/^CVM-KDUMPCTL | /  /p' "$W/serial.txt"
  echo "== the capture kernel's console (our kdump-capture):"
  grep -E '^kdump: ' "$W/serial.txt" | sed 's/^/  /'
  echo "== saved on the dump disk in $dir (read back with debugfs):"
  debugfs -R "ls -l $dir" "$W/dump.img" 2>/dev/null | sed 's/^/  /'
  echo "== the tail of vmcore-dmesg.txt:"
  tail -n 5 "$W/vmcore-dmesg.txt" | sed 's/^/  /'
  echo "== the saved vmcore, read by our readers:"
  exec "$BIN" show "$W/vmcore"
fi

if [[ -f $ARG ]]; then VMCORE=$ARG; else VMCORE=$KDUMP_LAB_DIR/fixtures/$ARG/proc-vmcore.elf; fi
[[ -f $VMCORE ]] || { echo "main: $VMCORE does not exist: run bash eng/lab/lab.sh ${ARG}" >&2; exit 1; }
exec "$BIN" show "$VMCORE"
