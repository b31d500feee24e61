#!/usr/bin/env bash
# The main job: show a real vmcore of the lab through our readers (kdump-lab show).
#   bash eng/main.sh [RELEASE|VMCORE]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${KDUMP_LAB_DIR:=$ROOT/.lab}"
ARG=${1:-bookworm}
if [[ -f $ARG ]]; then VMCORE=$ARG; else VMCORE=$KDUMP_LAB_DIR/fixtures/$ARG/proc-vmcore.elf; fi
[[ -f $VMCORE ]] || { echo "main: $VMCORE does not exist: run bash eng/lab/lab.sh ${ARG}" >&2; exit 1; }
BIN=$ROOT/artifacts/bin/kdump-lab/release/kdump-lab
[[ -x $BIN ]] || flock /tmp/kdump-heavy.lock dotnet build "$ROOT/src/Tools/kdump-lab" -c Release --nologo -v quiet
exec "$BIN" show "$VMCORE"
