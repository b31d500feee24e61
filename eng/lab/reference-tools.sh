#!/usr/bin/env bash
# Builds a private sysroot of Debian sid's makedumpfile, kexec-tools and crash (plus the libraries
# they need, sid's libc6 included) under $KDUMP_LAB_DIR/ref/sid and writes wrappers in
# $KDUMP_LAB_DIR/ref/bin that run them through sid's own dynamic loader. Nothing is installed.
#   reference-tools.sh [--force]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FORCE=0; [[ ${1:-} == --force ]] && FORCE=1
REF=$KDUMP_LAB_DIR/ref
ROOT=$REF/sid
BIN=$REF/bin
# A lab made before crash was added has no crash wrapper: build again.
if [[ $FORCE == 0 && -e $REF/.done && -x $BIN/crash-ref ]]; then log "reference tools present ($REF/VERSIONS)"; exit 0; fi
rm -rf "$ROOT" "$BIN" "$REF/.done" "$REF/debs"
mkdir -p "$ROOT" "$BIN" "$REF/debs"

lab_apt_setup sid

# Resolve the runtime library closure of the tools in sid (libraries only: perl, debconf,
# dpkg are install-time or script dependencies that the binaries do not load).
# One apt-cache call per dependency level (each call parses sid's whole package list).
declare -A seen=()
# crash: Debian 12's 8.0.2 stops at 6.12's module layout; sid's reads 6.12 (not 7.x yet).
level=(makedumpfile kexec-tools crash)
while ((${#level[@]})); do
  for p in "${level[@]}"; do seen[$p]=1; done
  next=()
  for d in $(lab_apt_cache sid show --no-all-versions "${level[@]}" 2>/dev/null |
      awk -F': ' '/^(Pre-)?Depends:/{print $2}' | tr ',' '\n' |
      sed -E 's/\(.*\)//; s/\|.*//; s/:any//; s/[[:space:]]//g' | grep -E '^(lib|zlib)' | sort -u); do
    [[ -z ${seen[$d]:-} ]] && next+=("$d")
  done
  level=("${next[@]}")
done
pkgs=("${!seen[@]}")
log "sid packages: ${pkgs[*]}"
(cd "$REF/debs" && lab_apt sid download "${pkgs[@]/%//sid}" >"$REF/download.log" 2>&1) ||
  { cat "$REF/download.log" >&2; die "apt-get download from sid failed"; }
for f in "$REF"/debs/*.deb; do dpkg -x "$f" "$ROOT"; done

L=$ROOT/usr/lib/x86_64-linux-gnu
LD=$L/ld-linux-x86-64.so.2
[[ -x $LD ]] || die "sid loader missing: $LD"
LIBPATH="$L:$ROOT/lib/x86_64-linux-gnu:$ROOT/usr/lib"

mkwrap() { # name target
  cat >"$BIN/$1" <<W
#!/bin/sh
# Runs Debian sid's $(basename "$2") from the private sysroot through sid's own loader.
R=\$(cd "\$(dirname "\$0")/../sid" && pwd)
L=\$R/usr/lib/x86_64-linux-gnu
exec "\$L/ld-linux-x86-64.so.2" --library-path "\$L:\$R/lib/x86_64-linux-gnu:\$R/usr/lib" "\$R$2" "\$@"
W
  chmod +x "$BIN/$1"
}

# Versions, from the packages actually obtained.
ver() { dpkg-deb -f "$(ls "$REF"/debs/"$1"_*.deb | head -1)" Version; }
MDF_V=$(ver makedumpfile); KT_V=$(ver kexec-tools); LC_V=$(ver libc6)
MDF_UP=$(echo "$MDF_V" | sed -E 's/^[0-9]+://; s/-[^-]+$//')
KT_UP=$(echo "$KT_V" | sed -E 's/^[0-9]+://; s/-[^-]+$//')
# crash's Debian version carries its bundled gdb's (9.0.2+~16.3-1): the upstream part only.
CR_UP=$(ver crash | sed -E 's/^[0-9]+://; s/-[^-]+$//; s/\+.*$//')
mkwrap "makedumpfile-$MDF_UP" /usr/bin/makedumpfile
mkwrap "vmcore-dmesg-$KT_UP" /usr/sbin/vmcore-dmesg
mkwrap "kexec-$KT_UP" /usr/sbin/kexec
mkwrap "crash-$CR_UP" /usr/bin/crash
# Stable names too, for scripts that do not care about the exact version.
ln -sf "makedumpfile-$MDF_UP" "$BIN/makedumpfile-ref"
ln -sf "vmcore-dmesg-$KT_UP" "$BIN/vmcore-dmesg-ref"
ln -sf "kexec-$KT_UP" "$BIN/kexec-ref"
ln -sf "crash-$CR_UP" "$BIN/crash-ref"

# Verify: every wrapper starts and reports the expected version.
out=$("$BIN/makedumpfile-$MDF_UP" -v 2>&1) || true
echo "$out" | grep -q "version $MDF_UP" || die "makedumpfile-$MDF_UP does not report $MDF_UP: $out"
out=$("$BIN/kexec-$KT_UP" --version 2>&1) || true
echo "$out" | grep -q "$KT_UP" || die "kexec-$KT_UP does not report $KT_UP: $out"
out=$("$BIN/crash-$CR_UP" --version 2>&1) || true
echo "$out" | grep -q "^crash $CR_UP" || die "crash-$CR_UP does not report $CR_UP: $out"
# vmcore-dmesg has no --version: it must at least load and print its usage.
out=$("$BIN/vmcore-dmesg-$KT_UP" 2>&1) || true
echo "$out" | grep -qi 'usage\|vmcore' || die "vmcore-dmesg-$KT_UP does not start: $out"
# Pass-through of exit codes: a missing input must fail.
if "$BIN/makedumpfile-$MDF_UP" --dump-dmesg /nonexistent "$REF/x.txt" >/dev/null 2>&1; then die "exit code not passed through"; fi

{
  echo "# Debian sid binary packages unpacked into ref/sid (obtained $(date -u +%F))"
  for f in "$REF"/debs/*.deb; do dpkg-deb --showformat='${Package}=${Version}\n' -W "$f"; done | sort
  echo "makedumpfile_upstream=$MDF_UP"
  echo "kexec_tools_upstream=$KT_UP"
  echo "crash_upstream=$CR_UP"
  echo "makedumpfile_features=$("$BIN/makedumpfile-$MDF_UP" -v 2>&1 | awk 'NR>1 && /enabled|disabled/{printf "%s:%s ", $1, $2}')"
} >"$REF/VERSIONS"
cat "$REF/VERSIONS" >&2
touch "$REF/.done"
log "reference tools ready in $BIN"
