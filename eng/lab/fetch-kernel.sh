#!/usr/bin/env bash
# Downloads (never installs) the current Debian amd64 kernel of a release and unpacks it.
#   fetch-kernel.sh [bullseye|bookworm|trixie|sid] [--force]  (default: bookworm)
# Output: $KDUMP_LAB_DIR/kernels/RELEASE/{root/, vmlinuz, kernel-release, package, .done}
set -euo pipefail
source "$(dirname "$0")/lib.sh"

REL=bookworm; FORCE=0
for a in "$@"; do case $a in --force) FORCE=1 ;; bullseye|bookworm|trixie|sid) REL=$a ;; *) die "usage: $0 [bullseye|bookworm|trixie|sid] [--force]" ;; esac; done
OUT=$KDUMP_LAB_DIR/kernels/$REL
if [[ $FORCE == 0 && -e $OUT/.done ]]; then log "kernel $REL present: $(cat "$OUT/kernel-release")"; exit 0; fi

lab_apt_setup "$REL"
# The flavour the meta-package depends on (e.g. linux-image-6.1.0-56-amd64).
PKG=$(lab_apt_cache "$REL" depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
[[ -n $PKG ]] || die "cannot resolve linux-image-amd64 in $REL"
# Prefer the unsigned build when the archive has one (same kernel, no signature wrapper).
if [[ -n $(lab_candidate "$REL" "$PKG-unsigned") && $(lab_candidate "$REL" "$PKG-unsigned") != "(none)" ]]; then PKG=$PKG-unsigned; fi
VER=$(lab_candidate "$REL" "$PKG")
log "$REL: $PKG $VER"

# Since 7.x sid's image package is a shell that depends on linux-binary-* (vmlinuz),
# linux-modules-* and linux-base-* (modules.builtin); fetch those parts with it.
PARTS=("$PKG=$VER")
for p in $(lab_apt_cache "$REL" depends "$PKG" | awk '/Depends: linux-(base|binary|modules)-[0-9]/{print $2}'); do
  PARTS+=("$p=$(lab_candidate "$REL" "$p")")
done
rm -rf "$OUT"; mkdir -p "$OUT/deb"
(cd "$OUT/deb" && lab_apt "$REL" download "${PARTS[@]}" >"$OUT/download.log" 2>&1) ||
  { cat "$OUT/download.log" >&2; die "download of ${PARTS[*]} failed"; }
for DEB in "$OUT"/deb/*.deb; do heavy dpkg -x "$DEB" "$OUT/root"; done
KVER=$(ls "$OUT/root/lib/modules" 2>/dev/null || ls "$OUT/root/usr/lib/modules")
[[ $(echo "$KVER" | wc -l) == 1 ]] || die "expected one module tree, got: $KVER"
MODROOT=$OUT/root
[[ -d $OUT/root/lib/modules/$KVER ]] || { mkdir -p "$OUT/root/lib"; ln -s ../usr/lib/modules "$OUT/root/lib/modules"; }
heavy depmod -b "$MODROOT" "$KVER"
[[ -s $MODROOT/lib/modules/$KVER/modules.dep ]] || die "depmod produced no modules.dep"
# /boot/vmlinuz-KVER, or (linux-binary-* of 7.x) the modules directory's vmlinuz.
VMLINUZ=root/boot/vmlinuz-$KVER
[[ -f $OUT/$VMLINUZ ]] || VMLINUZ=root/lib/modules/$KVER/vmlinuz
[[ -f $OUT/$VMLINUZ ]] || die "no vmlinuz in ${PARTS[*]}"
ln -sf "$VMLINUZ" "$OUT/vmlinuz"
echo "$KVER" >"$OUT/kernel-release"
printf '%s=%s\n' "$PKG" "$VER" >"$OUT/package"
rm -f "$OUT"/deb/*.deb
touch "$OUT/.done"
log "kernel $REL ready: $KVER ($PKG $VER)"
