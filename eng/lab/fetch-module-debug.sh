#!/usr/bin/env bash
# Downloads (never installs) the -dbg package of the lab kernel of a release, as fetch-vmlinux.sh,
# and unpacks the separate debug files of some modules the lab guest loads, for the compat tests
# of makedumpfile --config "[module]" sections. virtio_pci is left out on purpose: a loaded module
# without a debug file is a case of its own.
#   fetch-module-debug.sh [bullseye|bookworm|trixie|sid] [--force]  (default: bookworm)
# Output: $KDUMP_LAB_DIR/kernels/RELEASE/module-debug/KVER/kernel/…/NAME.ko (the tree the package
# puts under /usr/lib/debug/lib/modules), .module-debug-done
set -euo pipefail
source "$(dirname "$0")/lib.sh"

MODULES=(drivers/firmware/qemu_fw_cfg drivers/block/virtio_blk fs/ext4/ext4 fs/jbd2/jbd2)
REL=bookworm; FORCE=0
for a in "$@"; do case $a in --force) FORCE=1 ;; bullseye|bookworm|trixie|sid) REL=$a ;; *) die "usage: $0 [bullseye|bookworm|trixie|sid] [--force]" ;; esac; done
K=$KDUMP_LAB_DIR/kernels/$REL
[[ -e $K/.done ]] || die "no kernel for $REL: run fetch-kernel.sh $REL first"
if [[ $FORCE == 0 && -e $K/.module-debug-done ]]; then log "module debug files $REL present"; exit 0; fi

KVER=$(cat "$K/kernel-release")
VER=$(sed 's/.*=//' "$K/package")
PKG=linux-image-$KVER-dbg
lab_apt_setup "$REL"
rm -rf "$K/.module-debug-done" "$K/module-debug"
TMP=$(mktemp -d "$K/dbgmod.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && lab_apt "$REL" download "$PKG=$VER" >"$TMP/download.log" 2>&1) ||
  { cat "$TMP/download.log" >&2; die "download of $PKG=$VER failed"; }
members=()
for m in "${MODULES[@]}"; do members+=("./usr/lib/debug/lib/modules/$KVER/kernel/$m.ko"); done
(cd "$TMP" && dpkg-deb --fsys-tarfile ./*.deb | tar -x "${members[@]}") ||
  die "$PKG lacks one of: ${MODULES[*]}"
mv "$TMP/usr/lib/debug/lib/modules" "$K/module-debug"
echo "$PKG=$VER" >"$K/module-debug/package"
touch "$K/.module-debug-done"
log "$REL: debug files of ${#MODULES[@]} modules of $KVER from $PKG=$VER"
