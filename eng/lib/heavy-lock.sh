# shellcheck shell=bash
# The machine-wide "heavy job" lock: at most one build, publish or QEMU guest at a time on the
# 2 shared cores. Source this file; set LOCK first or get /tmp/kdump-heavy.lock.
: "${LOCK:=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}}"

# Run "$@" holding the lock, unless an ancestor already holds it: CI runs the whole test suite
# under `flock /tmp/kdump-heavy.lock dotnet test`, and a VM test taking it again would deadlock.
heavy() {
  local ino pid holders
  ino=$(stat -c %i "$LOCK" 2>/dev/null || echo none)
  holders=" $(awk -v ino="$ino" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == ino) printf "%s ", $5 }' /proc/locks) "
  pid=$$
  while [[ -n $pid && $pid != 0 && $pid != 1 ]]; do
    [[ $holders == *" $pid "* ]] && { "$@"; return; }
    pid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)
  done
  flock "$LOCK" "$@"
}
