#!/usr/bin/env bash
# The DHCPv6 server of the network VM cases (network-vm.sh ssh dhcp6): Debian 12's ISC dhcpd,
# unpacked under $KDUMP_LAB_DIR/ref/isc-dhcp-server (nothing installed: the package's maintainer
# scripts set up a system service). dhcpd needs only libc; the server guest runs it as `dhcpd -6`.
#   isc-dhcp-server.sh [--force]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FORCE=0; [[ ${1:-} == --force ]] && FORCE=1
DIR=$KDUMP_LAB_DIR/ref/isc-dhcp-server
if [[ $FORCE == 0 && -e $DIR/.done && -x $DIR/root/usr/sbin/dhcpd ]]; then log "isc-dhcp-server present ($(cat "$DIR/VERSION"))"; exit 0; fi
rm -rf "$DIR"
mkdir -p "$DIR/debs"
lab_apt_setup bookworm
(cd "$DIR/debs" && lab_apt bookworm download isc-dhcp-server >"$DIR/download.log" 2>&1) ||
  { cat "$DIR/download.log" >&2; die "apt-get download isc-dhcp-server failed"; }
deb=$(ls "$DIR"/debs/isc-dhcp-server_*.deb)
dpkg -x "$deb" "$DIR/root"
[[ -x $DIR/root/usr/sbin/dhcpd ]] || die "usr/sbin/dhcpd missing from $deb"
# `dhcpd --version` prints "isc-dhcpd-4.4.3-P1" on stderr and exits 0.
"$DIR/root/usr/sbin/dhcpd" --version 2>&1 | grep -q '^isc-dhcpd-' || die "dhcpd does not start"
dpkg-deb -f "$deb" Version >"$DIR/VERSION"
touch "$DIR/.done"
log "isc-dhcp-server $(cat "$DIR/VERSION") ready in $DIR/root/usr/sbin"
