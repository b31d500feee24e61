#!/usr/bin/env bash
# The Pacemaker side of fence_kdump, as reference: Debian 12's pcs and Pacemaker's command-line
# tools unpacked under $KDUMP_LAB_DIR/ref/pacemaker (nothing installed: installing pcs or
# pacemaker would start cluster daemons on the machine). Upstream's mkdumprd and kdumpctl ask
# `pcs cluster cib` for the cluster's nodes and whether a fence_kdump device is configured; pcs
# prints what `cibadmin -l -Q` returns, and both read a CIB file instead of a live cluster when
# CIB_file names one, which is how the tests use them:
#   ref/bin/cibadmin-ref   Pacemaker 2.1.5's cibadmin (makes and edits the test CIBs)
#   ref/bin/pcs-ref        pcs 0.11.5, whose cibadmin is the one above
#   pacemaker.sh [--force]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FORCE=0; [[ ${1:-} == --force ]] && FORCE=1
REF=$KDUMP_LAB_DIR/ref
DIR=$REF/pacemaker
if [[ $FORCE == 0 && -e $DIR/.done && -x $REF/bin/pcs-ref && -x $REF/bin/cibadmin-ref ]]; then log "pacemaker present ($(cat "$DIR/VERSION"))"; exit 0; fi
rm -rf "$DIR"
mkdir -p "$DIR/debs" "$REF/bin"
lab_apt_setup bookworm
# cibadmin and the libraries it loads; pcs and the Python modules it imports. Libraries a fresh
# Debian 12 may lack are unpacked too: the ldd check below fails the step on anything missing.
PKGS=(pacemaker-cli-utils pacemaker-common libcib27 libcrmcommon34 libcrmservice28 liblrmd28 libpacemaker1
  libpe-rules26 libpe-status28 libstonithd26 libqb100 libpils2 libplumb2 libltdl7 libxslt1.1 libcurl3-gnutls
  pcs python3-lxml python3-pycurl python3-dacite python3-dateutil python3-pyparsing python3-tornado
  python3-openssl python3-cryptography python3-six python3-cffi-backend)
(cd "$DIR/debs" && lab_apt bookworm download "${PKGS[@]}" >"$DIR/download.log" 2>&1) ||
  { cat "$DIR/download.log" >&2; die "apt-get download of Pacemaker's tools failed"; }
for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$DIR/root"; done
LIBS=$DIR/root/usr/lib/x86_64-linux-gnu:$DIR/root/usr/lib
missing=$(for f in "$DIR/root/usr/sbin/cibadmin" $(find "$DIR/root/usr/lib/python3" -name '*.so'); do
  LD_LIBRARY_PATH=$LIBS ldd "$f" | grep 'not found' || true; done | sort -u)
[[ -z $missing ]] || die "libraries missing for Pacemaker's tools:"$'\n'"$missing"
# pcs runs Pacemaker's programs from a fixed directory (settings.pacemaker_binaries): point it at
# the unpacked one.
settings=$DIR/root/usr/lib/python3/dist-packages/pcs/settings.py
grep -q '^pacemaker_binaries = "/usr/sbin"$' "$settings" || die "pcs settings.py has no pacemaker_binaries line to redirect"
sed -i 's|^pacemaker_binaries = "/usr/sbin"$|import os as _lab_os\npacemaker_binaries = _lab_os.environ["KDUMP_LAB_PACEMAKER_SBIN"]|' "$settings"

cat >"$REF/bin/cibadmin-ref" <<'W'
#!/bin/sh
# Debian 12's cibadmin (pacemaker-cli-utils), unpacked by eng/lab/pacemaker.sh.
d="$(cd "$(dirname "$0")/.." && pwd)/pacemaker/root"
LD_LIBRARY_PATH="$d/usr/lib/x86_64-linux-gnu:$d/usr/lib" PCMK_schema_directory="$d/usr/share/pacemaker" exec "$d/usr/sbin/cibadmin" "$@"
W
cat >"$REF/bin/pcs-ref" <<'W'
#!/bin/sh
# Debian 12's pcs, unpacked by eng/lab/pacemaker.sh, run by Debian's python3 (not /usr/sbin/pcs's
# entry script, whose package metadata lookup needs an installed pcs).
d="$(cd "$(dirname "$0")/.." && pwd)/pacemaker/root"
export LD_LIBRARY_PATH="$d/usr/lib/x86_64-linux-gnu:$d/usr/lib" PCMK_schema_directory="$d/usr/share/pacemaker"
export KDUMP_LAB_PACEMAKER_SBIN="$d/usr/sbin" PYTHONPATH="$d/usr/lib/python3/dist-packages"
exec /usr/bin/python3 -c 'import sys; sys.argv[0] = "pcs"; from pcs.entry_points.cli import main; sys.exit(main())' "$@"
W
chmod +x "$REF/bin/cibadmin-ref" "$REF/bin/pcs-ref"

# Both must work on a CIB file: an empty CIB, one node, then pcs reads it back.
cib=$DIR/selftest.xml
"$REF/bin/cibadmin-ref" --empty >"$cib"
CIB_file=$cib "$REF/bin/cibadmin-ref" -C -o nodes -X '<node id="1" uname="selftest"/>'
CIB_file=$cib "$REF/bin/pcs-ref" cluster cib | grep -q 'uname="selftest"' || die "pcs-ref cluster cib does not read a CIB file"
rm -f "$cib"
{ dpkg-deb -f "$DIR"/debs/pcs_*.deb Version; dpkg-deb -f "$DIR"/debs/pacemaker-cli-utils_*.deb Version; } | paste -sd' ' >"$DIR/VERSION"
touch "$DIR/.done"
log "pcs and cibadmin ($(cat "$DIR/VERSION")) ready in $REF/bin"
