#!/usr/bin/env bash
# Installs (idempotently) every Debian 12 package the fixture lab and the tests need.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

PKGS=(
  qemu-system-x86      # guests (TCG), QMP dump-guest-memory
  qemu-utils           # qemu-img (raw images)
  busybox-static       # guest userspace
  kmod                 # depmod -b for unpacked kernels
  cpio                 # initramfs archives
  e2fsprogs            # mkfs.ext4 / debugfs on image files
  zstd xz-utils gzip   # module / initramfs (de)compression
  python3 python3-libkdumpfile
  crash                # Debian 12: 8.0.2 (reads 5.10 and 6.1 dumps; not 6.12 and later)
  python3-drgn         # Debian 12: 0.0.22 (kdump-compressed through libkdumpfile)
  makedumpfile         # Debian 12: 1.7.2
  kexec-tools          # Debian 12: 2.0.25 (kexec is copied into the guest initramfs)
  gcc libc6-dev        # static guest helper (gcc -static)
  liblzma-dev zlib1g-dev # headers: the lzma_stream/z_stream layout test
  binutils file
  debian-archive-keyring apt-utils ca-certificates
  util-linux coreutils procps
)

if [[ $(id -u) -ne 0 ]]; then echo "install-deps.sh: must run as root" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
# kexec-tools asks (debconf) whether kexec should handle reboots: answer no, never touch the host.
echo 'kexec-tools kexec-tools/load_kexec boolean false' | debconf-set-selections 2>/dev/null || true

# Servers for the network dump-target VM cases (eng/vmtest-capture/network-vm.sh), which run their
# own instances inside a network namespace: openssh-server (`sshd -D -f <config>` on 127.0.0.1) and
# NFS-Ganesha (a userspace NFSv4 server: this machine's kernel has no nfsd). The packages' system
# services (rpcbind's too, pulled in by nfs-common) must never start or stay enabled on this host:
# policy-rc.d refuses the starts during the install (an existing policy is left as it is).
# install_kept_off "PACKAGES" "UNITS": install unless the first package is there, then disable UNITS.
install_kept_off() {
  local pkgs=($1) units=($2) policy=/usr/sbin/policy-rc.d made=""
  dpkg-query -W -f='${Status}' "${pkgs[0]}" 2>/dev/null | grep -q 'install ok installed' && return 0
  echo "install-deps: installing ${pkgs[*]} (services kept off)"
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" \
    || { [[ -n $made ]] && rm -f "$policy"; return 1; }
  [[ -n $made ]] && rm -f "$policy"
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "${units[@]}" >/dev/null 2>&1 || true; fi
}
install_servers() {
  install_kept_off "openssh-server" "ssh.service ssh.socket"
  install_kept_off "nfs-ganesha-vfs nfs-ganesha" "nfs-ganesha.service rpcbind.service rpcbind.socket"
}

# mkdumprd's dracut backend (tests build real images with it; issue #5). Only dracut-core: the
# `dracut` package replaces initramfs-tools and regenerates initramfs images on kernel installs.
# udev (a dracut-core dependency) is pinned to the installed systemd's version so that nothing
# else gets upgraded. dracut-core ships no kernel hooks: it never rebuilds this machine's initramfs.
install_dracut_core() {
  dpkg-query -W -f='${Status}' dracut-core 2>/dev/null | grep -q 'install ok installed' && return 0
  local pin=()
  if dpkg-query -W -f='${Status}' systemd 2>/dev/null | grep -q 'install ok installed' \
     && ! dpkg-query -W -f='${Status}' udev 2>/dev/null | grep -q 'install ok installed'; then
    pin=("udev=$(dpkg-query -W -f='${Version}' systemd)")
  fi
  echo "install-deps: installing dracut-core ${pin[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends dracut-core "${pin[@]}"
}

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PKGS[@]} packages already installed"
  install_dracut_core
  install_servers
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# kexec-tools' service must never load a kernel on this host.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now kexec-load.service kexec.service >/dev/null 2>&1 || true; fi
install_dracut_core
install_servers
echo "install-deps: done"
