#!/usr/bin/env bash
# The cluster side of fence_kdump, as reference: Debian 12's fence-agents package unpacked under
# $KDUMP_LAB_DIR/ref/fence-agents (nothing installed: the package's Python dependencies are for
# other agents). Its two C programs need only libc:
#   ref/bin/fence_kdump_send-ref  the sender kdump-utils' image runs (ours is in kdump-capture)
#   ref/bin/fence_kdump-ref       the agent Pacemaker runs on the other nodes, which waits for it
#   fence-agents.sh [--force]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FORCE=0; [[ ${1:-} == --force ]] && FORCE=1
REF=$KDUMP_LAB_DIR/ref
DIR=$REF/fence-agents
# reference-tools.sh --force clears ref/bin: the wrappers are part of being done.
if [[ $FORCE == 0 && -e $DIR/.done && -x $REF/bin/fence_kdump-ref && -x $REF/bin/fence_kdump_send-ref ]]; then log "fence-agents present ($(cat "$DIR/VERSION"))"; exit 0; fi
rm -rf "$DIR"
mkdir -p "$DIR/debs" "$REF/bin"
lab_apt_setup bookworm
(cd "$DIR/debs" && lab_apt bookworm download fence-agents >"$DIR/download.log" 2>&1) ||
  { cat "$DIR/download.log" >&2; die "apt-get download fence-agents failed"; }
deb=$(ls "$DIR"/debs/fence-agents_*.deb)
dpkg -x "$deb" "$DIR/root"
for p in usr/libexec/fence-agents/fence_kdump_send usr/sbin/fence_kdump; do
  [[ -x $DIR/root/$p ]] || die "$p missing from $deb"
  name=$(basename "$p")
  cat >"$REF/bin/$name-ref" <<W
#!/bin/sh
# Debian 12's $name (fence-agents), unpacked by eng/lab/fence-agents.sh.
exec "\$(cd "\$(dirname "\$0")/.." && pwd)/fence-agents/root/$p" "\$@"
W
  chmod +x "$REF/bin/$name-ref"
done
"$REF/bin/fence_kdump_send-ref" -V | grep -q '^fence_kdump_send ' || die "fence_kdump_send-ref does not start"
dpkg-deb -f "$deb" Version >"$DIR/VERSION"
touch "$DIR/.done"
log "fence-agents $(cat "$DIR/VERSION") ready in $REF/bin"
