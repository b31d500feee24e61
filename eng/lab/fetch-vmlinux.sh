#!/usr/bin/env bash
# Downloads (never installs) the debug vmlinux of the lab's kernel of a release: the -dbg package
# of the same version as fetch-kernel.sh's image, of which only the vmlinux is unpacked (the
# package is 0.8-1.2 GB; tar stops after that member). For makedumpfile -x/-g.
#   fetch-vmlinux.sh [bullseye|bookworm|trixie|sid] [--force]  (default: bookworm)
# Output: $KDUMP_LAB_DIR/kernels/RELEASE/{vmlinux, vmlinux.package, .vmlinux-done}
set -euo pipefail
source "$(dirname "$0")/lib.sh"

REL=bookworm; FORCE=0
for a in "$@"; do case $a in --force) FORCE=1 ;; bullseye|bookworm|trixie|sid) REL=$a ;; *) die "usage: $0 [bullseye|bookworm|trixie|sid] [--force]" ;; esac; done
K=$KDUMP_LAB_DIR/kernels/$REL
[[ -e $K/.done ]] || die "no kernel for $REL: run fetch-kernel.sh $REL first"
if [[ $FORCE == 0 && -e $K/.vmlinux-done ]]; then log "vmlinux $REL present: $(cat "$K/vmlinux.package")"; exit 0; fi

KVER=$(cat "$K/kernel-release")
VER=$(sed 's/.*=//' "$K/package")
PKG=linux-image-$KVER-dbg
lab_apt_setup "$REL"
[[ $(lab_candidate "$REL" "$PKG") == "$VER" ]] ||
  die "$PKG $VER (the lab kernel's version) is not in the archive (candidate: $(lab_candidate "$REL" "$PKG")); run fetch-kernel.sh $REL --force"
rm -f "$K/.vmlinux-done" "$K/vmlinux"
TMP=$(mktemp -d "$K/dbg.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && lab_apt "$REL" download "$PKG=$VER" >"$TMP/download.log" 2>&1) ||
  { cat "$TMP/download.log" >&2; die "download of $PKG=$VER failed"; }
# The first vmlinux member is the file: boot/vmlinux-KVER up to 6.12; from 7.x
# lib/modules/KVER/vmlinux, to which the boot/ name is a link. tar stops reading at that match;
# dpkg-deb then reports the broken pipe, which is expected.
(cd "$TMP" && { dpkg-deb --fsys-tarfile ./*.deb 2>/dev/null || true; } |
  tar -x --wildcards --occurrence=1 "./usr/lib/debug/*vmlinux*" 2>/dev/null) || true
FOUND=$(find "$TMP/usr" -type f -name 'vmlinux*' -size +1M 2>/dev/null | head -1)
[[ -n $FOUND ]] || die "$PKG has no vmlinux file"
mv "$FOUND" "$K/vmlinux"
chmod 0644 "$K/vmlinux"
echo "$PKG=$VER" >"$K/vmlinux.package"
touch "$K/.vmlinux-done"
log "$REL: vmlinux of $KVER ($(du -m "$K/vmlinux" | cut -f1) MiB) from $PKG=$VER"
