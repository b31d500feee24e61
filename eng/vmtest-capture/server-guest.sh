#!/usr/bin/env bash
# server-guest.sh SERVER-SCRIPT SERVER-LOG MARKER TIMEOUT -- CLIENT-COMMAND…
# Runs a second guest beside a test's guest, for links QEMU's user network cannot carry (802.1Q
# tags): starts `bash SERVER-SCRIPT` (which execs that guest's QEMU) in the background, waits up to
# TIMEOUT seconds for MARKER in SERVER-LOG, runs CLIENT-COMMAND, then stops the server guest it
# started (by PID) and exits with the client's status. network-vm.sh runs it as its VM_WRAP, so both
# guests run inside the test's network namespace and under one hold of the heavy-job lock.
set -uo pipefail
[[ $# -ge 6 && $5 == -- ]] || { echo "usage: server-guest.sh SERVER-SCRIPT SERVER-LOG MARKER TIMEOUT -- CLIENT…" >&2; exit 2; }
script=$1 log=$2 marker=$3 timeout=$4
shift 5
bash "$script" &
server=$!
stop() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
trap stop EXIT
deadline=$((SECONDS + timeout))
until [[ -f $log ]] && grep -qF "$marker" "$log"; do
  if ! kill -0 "$server" 2>/dev/null || ((SECONDS >= deadline)); then
    echo "server-guest: no \"$marker\" from the server guest within ${timeout}s" >&2
    [[ -f $log ]] && tail -n 30 "$log" | tr -d '\r' >&2
    exit 1
  fi
  sleep 0.5
done
"$@"
