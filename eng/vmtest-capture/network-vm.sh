#!/usr/bin/env bash
# VM cases for network dump targets, proven end to end. The first kernel (Debian lab kernel under
# QEMU/TCG) loads its virtio NIC driver, configures eth0 statically (10.0.2.15/24 via 10.0.2.2) or
# by DHCP, and runs OUR `kdumpctl start`: it checks the target (ssh: a real `ssh … mkdir -p`), finds
# no kdump image and runs OUR mkdumprd against its own live system — the route, addresses and NIC
# driver it records are what that kernel reports (/proc/net/route, rtnetlink, sysfs) — then loads
# the capture kernel with that image. The guest panics with sysrq-c. OUR kdump-capture brings eth0
# up from the record and dumps to 10.0.2.100 — QEMU's guestfwd to a server on 127.0.0.1 in a network namespace this script creates
# (user networking, restrict=on: no packet leaves). The host then checks what the server received.
#   network-vm.sh ssh [dhcp] [RELEASE]  sshd; vmcore.flat and vmcore-dmesg.txt over ssh; makedumpfile
#                                1.7.8 -R reassembles the dump and finds the same log
#   network-vm.sh nfs [dhcp] [RELEASE]  NFS-Ganesha (NFSv4; the host kernel has no nfsd) exporting a
#                                directory as nfs-server.test:/exp (a name in the guest's /etc/hosts);
#                                the capture kernel mounts it (nfs modules, addr=, version
#                                negotiation) and saves a complete kdump-compressed vmcore
# dhcp: the first kernel leases eth0's address from QEMU's DHCP server with busybox udhcpc and sets
# it with a lifetime (as NetworkManager and systemd-networkd do), so mkdumprd records "dhcp" and
# kdump-capture leases again (10.0.2.15: QEMU keys leases by MAC). Without it the address is static.
# bond: a second NIC (…:57, its own restricted user network; only that one forwards to the server);
# the first kernel bonds eth0 and eth1 (active-backup, miimon 100, primary eth1) and puts the static
# address on bond0; mkdumprd records the bond, and kdump-capture makes it again from the two NICs.
# bond-swap: the same, but the first kernel names its NICs the other way round (eth0 is :57, the
# server's side, and primary), while the capture kernel names them in probe order (eth0 is :56):
# kdump-capture must swap the names, or primary eth0 would make the wrong NIC active.
# bridge: eth0 is the port of br0 (brctl, STP off), which has the static address; kdump-capture
# makes the bridge again.
# bridge-bond: a KVM host's stack: the bond above (eth1 primary, only its network reaches the
# server) is the port of br0, which has the static address; kdump-capture makes bond0, then br0.
# carrier: static, but after kdumpctl start the host takes eth0's link down over QMP
# (link-watch.py) and the guest panics; the capture kernel's eth0 comes up without carrier, and the
# host brings the link back 8 s after kdump-capture has configured eth0 (a mark that does not
# depend on the wait). Without the wait the first ARP for the server is lost and ssh fails.
# vlan (ssh only): the NIC is a UDP link (QEMU dgram netdev on 127.0.0.1) to a second guest, the
# server guest (server-guest.sh), and carries VLAN 100 only. The first kernel names the NIC as a
# server's often is, enp175s0f0np0, so its VLAN cannot be enp175s0f0np0.100 (over 15 bytes) and is
# vlan100, with 192.168.100.15/24; the server guest's 192.168.100.1 on its own eth0.100 relays
# port 22 (busybox nc) to its user network's guestfwd, which reaches the sshd. QEMU's user network
# drops tagged frames, hence the second guest. kdump-capture renames the NIC and makes vlan100 again.
# The same trunk carries the cluster's heartbeat, VLAN 200: vlan200 192.168.201.15/24 with an
# on-link route to 192.168.200.0/24, where the server guest's eth0.200 has node2.test (192.168.200.2)
# and Debian's fence_kdump agent. mkdumprd records vlan200 as a second block on the same NIC, which
# kdump-capture makes once; it makes vlan200 on it and the agent must hear from 192.168.201.15.
# ipv6: the same two guests, untagged and IPv6 only. The first kernel's eth0 has the
# permanent fd00:1::15/64 and a default route via the server guest's link-local address; the
# server, fd00:2::1 (on the server guest's lo, so reached only through that gateway), relays the
# server's port (ssh 22, nfs 2049) as above. kdump.conf says ssh root@fd00:2::1, or nfs
# nfs-server.test:/exp with the name on fd00:2::1 in the first kernel's /etc/hosts; kdump-capture
# sets the address, waits for DAD and adds the route through eth0, and the dump lands in
# fd00:1::15-<date>. The server guest also advertises fd00:1::/64 as a router (guest/ra-send.c,
# every second), which the first kernel ignores (accept_ra 0, as a static profile) and the capture
# kernel must not let spoil its static record. eth0 also has fd00:3::/64 on the link (no gateway),
# which the record carries and the capture kernel must add.
# auto6 (ssh only): the same, but the first kernel's address is SLAAC's from those advertisements
# (fd00:1::5054:ff:fe12:3456, not permanent, with the advertised default route), so mkdumprd
# records auto6 and the capture kernel's SLAAC makes the address again.
# dhcp6 (ssh only): the same, but the advertisements set the Managed flag and offer the prefix
# on-link only (no SLAAC), and the server guest runs Debian 12's ISC dhcpd -6
# (eng/lab/isc-dhcp-server.sh) with the one address fd00:1::100 to lease. The first kernel has it
# as a DHCPv6 client leaves it (fd00:1::100/128 with lifetimes, set by hand: no DHCPv6 client in
# busybox), so mkdumprd records auto6; the capture kernel sees the M flag, leases the address
# from dhcpd and the dump lands in fd00:1::100-<date>.
# fence (local only): a cluster node that dumps to its own disk (ext4 LABEL=kdump on a virtio
# disk, 127.0.0.1-<date>) and names a fence_kdump node: the two guests again, untagged, the first
# kernel's eth0 192.168.100.15/24; node2.test (its /etc/hosts) is 192.168.200.2 on the server
# guest, reached through an on-link route (192.168.200.0/24 dev eth0, no gateway), where Debian
# 12's real fence_kdump agent (fence-agents, eng/lab/fence-agents.sh) waits for the node's
# message. mkdumprd records the network toward the node though the dump is local, that route
# too; kdump-capture brings it up and sends while it dumps; the agent must exit 0.
# ssh fence: a cluster node whose heartbeat network is its own NIC, leased as a cloud's second NIC
# is. The dump goes over ssh as in the static case through eth0 (user networking); eth1
# (52:54:00:12:34:57) is the link to the server guest, whose busybox udhcpd leases it
# 192.168.100.15/24 with a router and a DNS server (the first kernel keeps eth0's default route),
# and the on-link route to node2.test's 192.168.200.0/24 added by hand. mkdumprd records eth1 as a second block, leased; kdump-capture brings up eth0,
# then leases eth1 again, and the agent must exit 0.
# RELEASE defaults to bookworm. Must run as root (ip netns, the servers).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO/.lab}"
TARGET=${1:-}
METHOD=static
[[ ${2:-} == dhcp || ${2:-} == static || ${2:-} == bond || ${2:-} == bridge || ${2:-} == carrier || ${2:-} == vlan || ${2:-} == bridge-bond || ${2:-} == ipv6 || ${2:-} == auto6 || ${2:-} == dhcp6 || ${2:-} == bond-swap || ${2:-} == fence ]] && { METHOD=$2; shift; }
REL=${2:-bookworm}
CASE=$TARGET
[[ $METHOD == static ]] || CASE=$TARGET-$METHOD
LOCK=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}
source "$REPO/eng/lib/heavy-lock.sh"
source "$REPO/eng/lib/publish-static.sh"
source "$REPO/eng/lib/vm.sh"
source "$REPO/eng/lib/netns.sh"
die() { echo "network-vm[$CASE]: $*" >&2; exit 1; }
[[ $TARGET == ssh || $TARGET == nfs || $TARGET == local ]] || die "usage: network-vm.sh ssh|nfs [dhcp|static|bond|bond-swap|bridge|bridge-bond|carrier|vlan|ipv6|auto6|dhcp6] [RELEASE] | ssh|local fence [RELEASE]"
[[ ($METHOD != vlan && $METHOD != auto6 && $METHOD != dhcp6) || $TARGET == ssh ]] || die "$METHOD is an ssh case"
[[ $TARGET != local || $METHOD == fence ]] || die "local goes with fence"
[[ $METHOD != fence || $TARGET != nfs ]] || die "fence is a local or ssh case"
VM_TIMEOUT=${KDUMP_VMTEST_TIMEOUT:-420}
KDIR=$KDUMP_LAB_DIR/kernels/$REL
W=$KDUMP_LAB_DIR/vmtest-capture/$CASE-$REL
P=$KDUMP_LAB_DIR/vmtest-capture/publish
F=$W/first
MAC=52:54:00:12:34:56
# The guest's address toward the server, and the server's (the vlan case has its own subnet).
GUEST_IP=10.0.2.15 SERVER_IP=10.0.2.100
[[ $METHOD == vlan || $CASE == local-fence ]] && GUEST_IP=192.168.100.15 SERVER_IP=192.168.100.1
# fence: the cluster node the capture kernel notifies (a second address of the server guest), and
# the first kernel's NIC toward it (local: the only one; ssh: the second, beside the dump's).
NODE_IP=192.168.200.2 FENCE_LINK=eth0 FENCE_MAC=$MAC
[[ $CASE == ssh-fence ]] && FENCE_LINK=eth1 FENCE_MAC=52:54:00:12:34:57
[[ $METHOD == ipv6 ]] && GUEST_IP=fd00:1::15 SERVER_IP=fd00:2::1
[[ $METHOD == auto6 ]] && GUEST_IP=fd00:1::5054:ff:fe12:3456 SERVER_IP=fd00:2::1
[[ $METHOD == dhcp6 ]] && GUEST_IP=fd00:1::100 SERVER_IP=fd00:2::1
# The server guest's first NIC (the link to the test guest) and its EUI-64 link-local address.
SERVER_LINK_MAC=52:54:00:00:01:01 SERVER_LINK_LOCAL=fe80::5054:ff:fe00:101
[[ $(id -u) -eq 0 ]] || die "must run as root (ip netns, servers)"
vm_need_tools qemu-system-x86_64 cpio dotnet ip
vm_need_busybox
vm_need_kernel "$KDIR" "$REL"
KVER=$(cat "$KDIR/kernel-release")
M=$KDIR/root/lib/modules/$KVER
MDF_REF=$KDUMP_LAB_DIR/ref/bin/makedumpfile-1.7.8
[[ -x $MDF_REF ]] || die "reference makedumpfile missing: eng/lab/lab.sh all"

# copy_modules NAME…: the modules and everything modules.dep says they need, into the first root.
copy_modules() {
  local name path
  for name in "$@"; do
    path=$(awk -F: -v n="/$name.ko" 'substr($1, length($1) - length(n) + 1) == n {print $1 $2; exit}' "$M/modules.dep")
    [[ -n $path ]] || continue   # built into this kernel
    for path in $path; do
      mkdir -p "$F/lib/modules/$KVER/$(dirname "$path")"; cp "$M/$path" "$F/lib/modules/$KVER/$path"
    done
  done
}
# check_dmesg_of VMCORE DMESG: the reference's --dump-dmesg of VMCORE equals DMESG (which has the
# panic), and libkdumpfile reads VMCORE (eng/lib/kdumpfile-check.py).
check_dmesg_of() {
  /usr/bin/python3 "$REPO/eng/lib/kdumpfile-check.py" "$1" "$KVER" || die "libkdumpfile does not read ${1##*/}"
  grep -q 'sysrq' "$2" || die "${2##*/} has no sysrq panic"
  "$MDF_REF" --dump-dmesg "$1" "$W/ref-dmesg.txt" >/dev/null || die "makedumpfile 1.7.8 --dump-dmesg cannot read ${1##*/}"
  # makedumpfile >= 1.7.7 adds the printk caller id ("[     T0]") that vmcore-dmesg does not print.
  sed -E 's/^(\[[^]]*\]) \[ *[TC][0-9]+\] /\1 /' "$W/ref-dmesg.txt" | cmp - "$2" \
    || die "makedumpfile 1.7.8 --dump-dmesg of ${1##*/} differs from ${2##*/}"
}
# private_files DIR FILE…: each non-empty and mode 0600.
private_files() {
  local dir=$1 f
  shift
  for f in "$@"; do
    [[ -s $dir/$f ]] || die "$f missing or empty"
    [[ $(stat -c %a "$dir/$f") == 600 ]] || die "$f has mode $(stat -c %a "$dir/$f"), not 600"
  done
}

# --- ssh: sshd with the dump path bind-mounted from W/server ------------------------------------
SSH_DUMP_PATH=/var/crash-test
ssh_need() { vm_need_tools ssh ssh-keygen; [[ -x /usr/sbin/sshd ]] || die "/usr/sbin/sshd missing (eng/lab/install-deps.sh)"; }
ssh_server() { # PORT
  mkdir -p "$W/server"; chmod 700 "$W/server"
  ssh-keygen -q -t ed25519 -N '' -C kdump-test-client -f "$W/client_key"
  [[ -e $SSH_DUMP_PATH ]] || made_dump_path=1
  netns_sshd "$W/sshd" "$1" "$W/client_key.pub" bind "$W/server" "$SSH_DUMP_PATH" || die "sshd did not start"
  SERVER_DIR=$W/server GUEST_PORT=22
}
ssh_first_root() {
  mkdir -p "$F/usr/bin" "$F/root/.ssh"
  cp /usr/bin/ssh "$F/usr/bin/ssh"
  local lib
  for lib in $(ldd /usr/bin/ssh | awk '/=>/ {print $3} /^\t\// {print $1}'); do
    mkdir -p "$F$(dirname "$lib")"; cp -L "$lib" "$F$lib"
  done
  # ssh needs its user in the password database (exit 255 "No user exists for uid 0" without it).
  echo 'root:x:0:0:root:/root:/bin/sh' >"$F/etc/passwd"
  install -m 600 "$W/client_key" "$F/root/.ssh/kdump_id_rsa"
  echo "$SERVER_IP $(cat "$W/sshd/host_ed25519.pub")" >"$F/root/.ssh/known_hosts"
  chmod 700 "$F/root/.ssh"
  # makedumpfile's -F: mkdumprd refuses an ssh target without it (upstream's verify_core_collector); the capture side re-adds it.
  cat >"$F/etc/kdump.conf" <<CONF
ssh root@$SERVER_IP
sshkey /root/.ssh/kdump_id_rsa
path $SSH_DUMP_PATH
core_collector makedumpfile -F -l --message-level 7 -d 31
failure_action poweroff
final_action poweroff
CONF
  if [[ $METHOD == fence || $METHOD == vlan ]]; then
    echo "$NODE_IP node2.test" >"$F/etc/hosts"
    printf 'fence_kdump_args -p 7410 -i 2 -v\nfence_kdump_nodes node2.test\n' >>"$F/etc/kdump.conf"
  fi
}
ssh_verdict() { # DIR
  private_files "$1" vmcore.flat vmcore-dmesg.txt
  cp "$1/vmcore-dmesg.txt" "$W/vmcore-dmesg.txt"
  "$MDF_REF" -R "$W/vmcore" <"$1/vmcore.flat" >/dev/null || die "makedumpfile 1.7.8 -R failed on vmcore.flat"
  check_dmesg_of "$W/vmcore" "$W/vmcore-dmesg.txt"
  grep -q "Accepted publickey for root from 127.0.0.1" "$W/sshd/sshd.log" || die "sshd did not log the guest's key login"
}

# --- nfs: Ganesha exporting W/export as 10.0.2.100:/exp -----------------------------------------
nfs_need() { [[ -x /usr/bin/ganesha.nfsd ]] || die "/usr/bin/ganesha.nfsd missing (eng/lab/install-deps.sh)"; }
nfs_server() { # PORT
  mkdir -p "$W/export/var/crash"; chmod 700 "$W/export"
  netns_ganesha "$W/ganesha" "$1" "$W/export" || die "ganesha did not start"
  SERVER_DIR=$W/export/var/crash GUEST_PORT=2049
}
nfs_first_root() {
  # The nfs client modules: mkdumprd in the guest puts them (and their dependencies) in the image.
  copy_modules nfs nfsv3 nfsv4
  # The server by name, as sysadmins write it: the first kernel finds it in its /etc/hosts, our
  # mkdumprd writes the address into the image's (the capture kernel asks no DNS server).
  echo "$SERVER_IP nfs-server.test" >"$F/etc/hosts"
  # mkdumprd mounts a target that is not mounted to check it (mount -t nfs, under coreutils'
  # timeout): this busybox system has neither mount.nfs nor that timeout, so the export is mounted
  # before kdumpctl start, as an fstab line would on a real system. busybox passes nfs4 options
  # to the kernel as they are, so addr= is given here (the kernel does no name lookup).
  cat >"$F/etc/netvm-before-kdumpctl" <<MOUNT
modprobe nfsv4; mkdir -p /mnt/nfs
mount -t nfs4 -o vers=4.2,addr=$SERVER_IP nfs-server.test:/exp /mnt/nfs && echo "NETVM-NFS-MOUNTED \$(grep ' /mnt/nfs ' /proc/mounts)" || echo "NETVM-NFS-MOUNT failed rc=\$?"
MOUNT
  chmod 755 "$F/etc/netvm-before-kdumpctl"
  cat >"$F/etc/kdump.conf" <<CONF
nfs nfs-server.test:/exp
path /var/crash
core_collector makedumpfile -l --message-level 7 -d 31
failure_action poweroff
final_action poweroff
CONF
}
nfs_verdict() { # DIR
  private_files "$1" vmcore vmcore-dmesg.txt
  [[ $(head -c 8 "$1/vmcore") == "KDUMP   " ]] || die "vmcore is not kdump-compressed"
  (( ($(od -An -tu4 -j424 -N4 "$1/vmcore" | tr -d ' ') & 8) == 0 )) || die "vmcore is marked incomplete"
  cp "$1/vmcore" "$W/vmcore"; cp "$1/vmcore-dmesg.txt" "$W/vmcore-dmesg.txt"
  check_dmesg_of "$W/vmcore" "$W/vmcore-dmesg.txt"
}

# --- local: ext4 LABEL=kdump on the first guest's virtio disk, read back with debugfs ----------
local_need() { vm_need_tools mkfs.ext4 debugfs; }
fence_need() {
  FENCE_AGENT=$KDUMP_LAB_DIR/ref/fence-agents/root/usr/sbin/fence_kdump
  [[ -x $FENCE_AGENT ]] || die "Debian's fence_kdump missing at $FENCE_AGENT: eng/lab/fence-agents.sh"
}
local_server() { # PORT: nothing listens; the disk is the target
  mkfs.ext4 -q -F -L kdump "$W/disk.img" 256M || die "mkfs.ext4 failed"
  GUEST_PORT=9
}
local_first_root() {
  # ext4 asks the crypto API for crc32c (no modules.dep line says so); mkdumprd adds both drivers of it.
  copy_modules virtio_blk ext4 crc32c_generic crc32c-intel
  echo "$NODE_IP node2.test" >"$F/etc/hosts"
  # Mounted as a cluster node's fstab would have it; mkdumprd checks the target there.
  cat >"$F/etc/netvm-before-kdumpctl" <<'MOUNT'
modprobe virtio_blk; modprobe crc32c_generic; modprobe ext4; mkdir -p /mnt/kdump /dev/disk/by-label
# The link udev would make (this system has no udev): mkdumprd finds LABEL=kdump through it.
ln -sf ../../vda /dev/disk/by-label/kdump
mount -t ext4 /dev/vda /mnt/kdump && mkdir -p /mnt/kdump/var/crash && echo "NETVM-DISK-MOUNTED $(grep ' /mnt/kdump ' /proc/mounts)" || echo "NETVM-DISK-MOUNT failed rc=$?"
MOUNT
  chmod 755 "$F/etc/netvm-before-kdumpctl"
  # The virtio disk's driver is not found through sysfs by the minimal backend: extra_modules.
  cat >"$F/etc/kdump.conf" <<CONF
ext4 LABEL=kdump
path /var/crash
core_collector makedumpfile -l --message-level 7 -d 31
extra_modules virtio_blk
fence_kdump_args -p 7410 -i 2 -v
fence_kdump_nodes node2.test
failure_action poweroff
final_action poweroff
CONF
}
local_verdict() { # the disk image
  local disk=$W/disk.img dir f
  dir=$(debugfs -R "ls -p /var/crash" "$disk" 2>/dev/null | awk -F/ '{print $6}' \
    | grep -E '^127\.0\.0\.1-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$' | head -1) || true
  [[ -n $dir ]] || { tail -n 80 "$W/serial.txt" >&2; die "no 127.0.0.1-<date> directory in the disk's /var/crash"; }
  echo "dump directory: /var/crash/$dir"
  debugfs -R "ls -l /var/crash/$dir" "$disk" 2>/dev/null
  ! debugfs -R "ls -p /var/crash/$dir" "$disk" 2>/dev/null | grep -q incomplete || die "an incomplete file was left behind"
  for f in vmcore vmcore-dmesg.txt; do
    rm -f "$W/$f"; debugfs -R "dump /var/crash/$dir/$f $W/$f" "$disk" 2>/dev/null
    [[ -s $W/$f ]] || die "$f missing or empty"
    [[ $(debugfs -R "stat /var/crash/$dir/$f" "$disk" 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "Mode:") {print substr($(i + 1), length($(i + 1)) - 2); exit}}') == 600 ]] \
      || die "$f is not mode 600"
  done
  [[ $(head -c 8 "$W/vmcore") == "KDUMP   " ]] || die "vmcore is not kdump-compressed"
  check_dmesg_of "$W/vmcore" "$W/vmcore-dmesg.txt"
}

"${TARGET}_need"
[[ $METHOD != fence && $METHOD != vlan ]] || fence_need
if [[ $METHOD == dhcp6 ]]; then
  DHCPD=$KDUMP_LAB_DIR/ref/isc-dhcp-server/root/usr/sbin/dhcpd
  [[ -x $DHCPD ]] || die "Debian's dhcpd missing at $DHCPD: eng/lab/isc-dhcp-server.sh"
fi

# 1. Our static programs (kdumpctl and mkdumprd too: they run in the guest).
for t in kdump-capture makedumpfile kexec mkdumprd kdumpctl; do publish_static "$REPO/src/Tools/$t/$t.csproj" "$P" "$t" || die "no static $t"; done
rm -rf "$W"; mkdir -p "$W"

# 2. The server on 127.0.0.1:PORT in a namespace of our own.
PORT=$((20000 + $$ % 20000))
made_dump_path=""
cleanup() {
  if [[ -n ${watch_pid:-} ]]; then kill "$watch_pid" 2>/dev/null || true; fi
  netns_cleanup
  [[ -n $made_dump_path ]] && rmdir "$SSH_DUMP_PATH" 2>/dev/null || true
}
trap cleanup EXIT
netns_create "kdumptest-$$" || die "ip netns add failed"
"${TARGET}_server" "$PORT"
echo "network-vm[$CASE]: server on 127.0.0.1:$PORT in netns kdumptest-$$"

# 3. The first kernel's root: busybox, our tools where an install puts them (kdumpctl runs
# /sbin/mkdumprd, which finds kdump-capture in /usr/lib/kdump), the kernel where kdumpctl looks for
# it, the NIC's modules, the target's part.
mkdir -p "$F"/{bin,sbin,usr/bin,usr/sbin,usr/lib/kdump,dev,proc,sys,tmp,run,boot,etc/sysconfig,var/lib/kdump,lib/modules/$KVER}
cp /bin/busybox "$F/bin/busybox"
for t in kexec mkdumprd makedumpfile; do cp "$P/$t" "$F/usr/sbin/$t"; done
ln -s ../usr/sbin/mkdumprd "$F/sbin/mkdumprd"
cp "$P/kdumpctl" "$F/usr/bin/kdumpctl"; cp "$P/kdump-capture" "$F/usr/lib/kdump/kdump-capture"
cp -L "$KDIR/vmlinuz" "$F/boot/vmlinuz-$KVER"
cp "$M"/modules.{dep,alias,builtin,softdep,order} "$F/lib/modules/$KVER/"
copy_modules virtio_pci virtio_net
[[ $METHOD == bond || $METHOD == bond-swap || $METHOD == bridge-bond ]] && copy_modules bonding
[[ $METHOD == bridge || $METHOD == bridge-bond ]] && copy_modules bridge
[[ $METHOD == vlan ]] && copy_modules 8021q
"${TARGET}_first_root"
# The image uncompressed (the minimal backend follows dracut_args): level-19 zstd of it takes most
# of a minute of TCG in the guest. The plain ssh case keeps the default, and capture-vm.sh's
# images (made on the host) are compressed.
[[ $CASE == ssh ]] || echo "dracut_args --no-compress" >>"$F/etc/kdump.conf"
{ cat "$HERE/sysconfig-kdump"; echo "MKDUMPRD_BACKEND=minimal"; } >"$F/etc/sysconfig/kdump"
echo "$METHOD" >"$F/etc/netvm-method"
echo "$FENCE_LINK" >"$F/etc/netvm-fence-link"
[[ $CASE == ssh-fence ]] && : >"$F/etc/netvm-fence-dhcp"
# udhcpc's event script (busybox: $1 the event; $interface, $ip, $mask (prefix), $router, $dns,
# $lease from the server). The lifetime makes the address non-permanent, as a DHCP client's is.
mkdir -p "$F/etc/udhcpc"
cat >"$F/etc/udhcpc/netvm.script" <<'SCRIPT'
#!/bin/busybox sh
case "$1" in
  deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr add "$ip/${mask:-24}" dev "$interface" valid_lft "$lease" preferred_lft "$lease"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : >/etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >>/etc/resolv.conf; done
    echo "NETVM-UDHCPC $1 $ip/${mask:-24} router=$router dns=$dns lease=$lease" ;;
esac
SCRIPT
chmod 755 "$F/etc/udhcpc/netvm.script"
cat >"$F/init" <<'INIT'
#!/bin/busybox sh
# /init of the first kernel: NIC driver, eth0 static or by DHCP, our kdumpctl start (it runs our
# mkdumprd), panic. Markers "NETVM-…", kdumpctl's output as "NETVM-KDUMPCTL | …".
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox --install -s
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "NETVM-FIRST-KERNEL-UP $(uname -r)"
modprobe virtio_pci; modprobe virtio_net
if [ "$(cat /etc/netvm-method)" = dhcp ]; then
  ip link set eth0 up && udhcpc -i eth0 -n -q -s /etc/udhcpc/netvm.script || echo "NETVM-UDHCPC failed rc=$?"
  # "dynamic" and a finite valid_lft: what mkdumprd reads as a leased address.
  echo "NETVM-ADDR $(ip -4 addr show dev eth0 | awk '/inet |valid_lft/' | tr -s ' \n' ' ')"
elif [ "$(cat /etc/netvm-method)" = bond ] || [ "$(cat /etc/netvm-method)" = bond-swap ] || [ "$(cat /etc/netvm-method)" = bridge-bond ]; then
  # As dracut's ifup does it: the bonding driver's sysfs files, the slaves down while added.
  modprobe bonding
  [ -d /sys/class/net/bond0 ] || echo +bond0 >/sys/class/net/bonding_masters
  # What a new bond shows: the defaults mkdumprd leaves out of its record (checked by the C# test).
  for f in /sys/class/net/bond0/bonding/*; do echo "NETVM-BONDOPT ${f##*/}=$(cat "$f" 2>/dev/null)"; done
  # The 802.3ad options show only in that mode: those of a scratch bond.
  echo +bondx >/sys/class/net/bonding_masters && echo 802.3ad >/sys/class/net/bondx/bonding/mode \
    && for f in ad_actor_sys_prio ad_actor_system ad_user_port_key; do echo "NETVM-BONDOPT $f=$(cat /sys/class/net/bondx/bonding/$f)"; done
  echo -bondx >/sys/class/net/bonding_masters
  echo active-backup >/sys/class/net/bond0/bonding/mode
  echo 100 >/sys/class/net/bond0/bonding/miimon
  ip link set eth0 down; ip link set eth1 down
  primary=eth1
  if [ "$(cat /etc/netvm-method)" = bond-swap ]; then
    # The NICs named the other way round (as udev rules may): eth0 is :57, the server's side.
    ip link set eth0 name netvmtmp && ip link set eth1 name eth0 && ip link set netvmtmp name eth1 && primary=eth0
    echo "NETVM-SWAPPED eth0=$(cat /sys/class/net/eth0/address) eth1=$(cat /sys/class/net/eth1/address)"
  fi
  echo +eth0 >/sys/class/net/bond0/bonding/slaves; echo +eth1 >/sys/class/net/bond0/bonding/slaves
  echo $primary >/sys/class/net/bond0/bonding/primary
  ip link set bond0 up
  echo "NETVM-BOND $(cat /sys/class/net/bond0/bonding/mode) slaves=$(cat /sys/class/net/bond0/bonding/slaves) active=$(cat /sys/class/net/bond0/bonding/active_slave)"
  top=bond0
  if [ "$(cat /etc/netvm-method)" = bridge-bond ]; then
    modprobe bridge
    brctl addbr br0 && brctl addif br0 bond0 && ip link set br0 up && top=br0
    echo "NETVM-BRIDGE $(ls /sys/class/net/br0/brif)"
  fi
  ip addr add 10.0.2.15/24 dev $top && ip route add default via 10.0.2.2
  echo "NETVM-NET $(ip -o -4 addr show dev $top | awk '{print $4}') $(cat /sys/class/net/$top/address)"
elif [ "$(cat /etc/netvm-method)" = bridge ]; then
  modprobe bridge
  brctl addbr br0 && brctl addif br0 eth0 && ip link set eth0 up && ip link set br0 up \
    && ip addr add 10.0.2.15/24 dev br0 && ip route add default via 10.0.2.2
  echo "NETVM-BRIDGE $(ls /sys/class/net/br0/brif)"
  echo "NETVM-NET $(ip -o -4 addr show dev br0 | awk '{print $4}') $(cat /sys/class/net/br0/address)"
elif [ "$(cat /etc/netvm-method)" = vlan ]; then
  # The NIC carries VLAN 100 only (the link to the server guest): the address is on vlan100.
  modprobe 8021q
  ip link set eth0 name enp175s0f0np0 && ip link set enp175s0f0np0 up \
    && ip link add link enp175s0f0np0 name vlan100 type vlan id 100 \
    && ip addr add 192.168.100.15/24 dev vlan100 && ip link set vlan100 up
  # The heartbeat VLAN on the same NIC: the fence node's subnet on the link, no gateway.
  ip link add link enp175s0f0np0 name vlan200 type vlan id 200 && ip addr add 192.168.201.15/24 dev vlan200 \
    && ip link set vlan200 up && ip route add 192.168.200.0/24 dev vlan200
  sed 's/^/NETVM-VLANPROC | /' /proc/net/vlan/vlan100
  echo "NETVM-ROUTES $(ip -4 route show dev vlan200 | tr '\n' ';')"
  echo "NETVM-NET $(ip -o -4 addr show dev vlan100 | awk '{print $4}') $(cat /sys/class/net/vlan100/address)"
elif [ "$(cat /etc/netvm-method)" = fence ]; then
  # The cluster network: the node and its fence_kdump peer on one link, no gateway; the peer's
  # subnet is reached on the link itself (a route without a gateway). On eth1, eth0 is the dump's.
  fl=$(cat /etc/netvm-fence-link)
  [ "$fl" = eth0 ] || { ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2; }
  if [ -e /etc/netvm-fence-dhcp ]; then
    # Leased from the server guest's udhcpd; its router's default route meets eth0's (EEXIST).
    ip link set $fl up && udhcpc -i $fl -n -q -s /etc/udhcpc/netvm.script || echo "NETVM-UDHCPC failed rc=$?"
    echo "NETVM-ADDR $(ip -4 addr show dev $fl | awk '/inet |valid_lft/' | tr -s ' \n' ' ')"
  else
    ip link set $fl up && ip addr add 192.168.100.15/24 dev $fl
  fi
  ip route add 192.168.200.0/24 dev $fl
  echo "NETVM-ROUTES $(ip -4 route show dev $fl | tr '\n' ';')"
elif [ "$(cat /etc/netvm-method)" = ipv6 ]; then
  # IPv6 only: a permanent address, the server's network through the server guest's link-local
  # address; the server guest's advertisements ignored, as a static profile does.
  echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_ra
  ip link set eth0 up && ip -6 addr add fd00:1::15/64 dev eth0 && ip -6 route add default via fe80::5054:ff:fe00:101 dev eth0
  # A second prefix on the link, without a gateway: recorded as "route fd00:3::/64", which the
  # capture kernel adds (in6_rtmsg without RTF_GATEWAY) or fails to configure eth0.
  ip -6 route add fd00:3::/64 dev eth0
  # DAD: wait while an address of eth0 is tentative (IFA_F_TENTATIVE 0x40 in the flags field).
  i=0; while grep -q ' [4-7c-f][0-9a-f] *eth0$' /proc/net/if_inet6 && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
  # The kernel's own text, the unit tests' fixtures (NetworkTests).
  sed 's/^/NETVM-IPV6ROUTE | /' /proc/net/ipv6_route
  sed 's/^/NETVM-IFINET6 | /' /proc/net/if_inet6
  echo "NETVM-NET $(ip -o -6 addr show dev eth0 scope global | awk '{print $4}') $(cat /sys/class/net/eth0/address)"
elif [ "$(cat /etc/netvm-method)" = dhcp6 ]; then
  # The address as a DHCPv6 client sets it (a /128 with the lease's lifetimes: not permanent);
  # the default route from the server guest's advertisement, whose prefix gives no SLAAC address.
  ip link set eth0 up && ip -6 addr add fd00:1::100/128 dev eth0 preferred_lft 1800 valid_lft 3600
  i=0; until grep -q '^00000000000000000000000000000000 00 .* fe80000000000000505400fffe000101 ' /proc/net/ipv6_route \
    && ! grep -q ' [4-7c-f][0-9a-f] *eth0$' /proc/net/if_inet6 || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
  sed 's/^/NETVM-IPV6ROUTE | /' /proc/net/ipv6_route
  sed 's/^/NETVM-IFINET6 | /' /proc/net/if_inet6
  echo "NETVM-NET $(ip -o -6 addr show dev eth0 scope global | awk '{print $4}') $(cat /sys/class/net/eth0/address)"
elif [ "$(cat /etc/netvm-method)" = auto6 ]; then
  # SLAAC: the server guest's advertisement gives the address (scope 00, past DAD) and the default route.
  ip link set eth0 up
  i=0; until grep -q '^fd00[0-9a-f]* 02 40 00 [0-3][0-9a-f] *eth0$' /proc/net/if_inet6 || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
  sed 's/^/NETVM-IPV6ROUTE | /' /proc/net/ipv6_route
  sed 's/^/NETVM-IFINET6 | /' /proc/net/if_inet6
  echo "NETVM-NET $(ip -o -6 addr show dev eth0 scope global | awk '{print $4}') $(cat /sys/class/net/eth0/address)"
else
  ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
fi
case "$(cat /etc/netvm-method)" in bond|bond-swap|bridge|bridge-bond|vlan|ipv6|auto6|dhcp6) ;; *) echo "NETVM-NET $(ip -o -4 addr show dev eth0 | awk '{print $4}') $(cat /sys/class/net/eth0/address)" ;; esac
[ -x /etc/netvm-before-kdumpctl ] && . /etc/netvm-before-kdumpctl
export KDUMP_ALLOW_REBOOT=1
kdumpctl start >/tmp/kdumpctl.out 2>&1
rc=$?
sed 's/^/NETVM-KDUMPCTL | /' /tmp/kdumpctl.out
echo "NETVM-LOAD rc=$rc crash_loaded=$(cat /sys/kernel/kexec_crash_loaded)"
if [ "$(cat /etc/netvm-method)" = carrier ]; then
  # The host takes the link down (QMP set_link); panic only once this kernel sees it gone.
  echo "NETVM-LINK-OFF-PLEASE"
  i=0; while [ "$(cat /sys/class/net/eth0/carrier)" != 0 ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
  echo "NETVM-LINK carrier=$(cat /sys/class/net/eth0/carrier)"
fi
echo c > /proc/sysrq-trigger
echo "NETVM-STILL-ALIVE"
poweroff -f; sleep 5
INIT
chmod 755 "$F/init"
cpio_of "$F" "$W/first.cpio"
cat $(vm_devimg "$W") "$W/first.cpio" >"$W/initrd.img"

# 4. The guest, inside the namespace: user networking restricted to the guestfwd, which runs one
# connector per guest connection (ssh opens several) to the namespace's server.
VM_WRAP=(ip netns exec "kdumptest-$$")
VM_NET=(-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:$GUEST_PORT-cmd:busybox nc 127.0.0.1 $PORT" -device "virtio-net-pci,netdev=n0,mac=$MAC")
# bond: only eth1's network reaches the server, so the dump goes out only if the capture kernel's
# bond made eth1 (primary) its active slave, as the first kernel's did.
[[ $METHOD == bond || $METHOD == bond-swap || $METHOD == bridge-bond ]] && VM_NET=(-netdev "user,id=n0,restrict=on" -device "virtio-net-pci,netdev=n0,mac=$MAC"
  -netdev "user,id=n1,restrict=on,guestfwd=tcp:10.0.2.100:$GUEST_PORT-cmd:busybox nc 127.0.0.1 $PORT" -device "virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57")
# vlan, ipv6, auto6, dhcp6: the server guest (busybox, the NIC and 8021q modules, ra-send) and the UDP link between the two.
if [[ $METHOD == vlan || $METHOD == ipv6 || $METHOD == auto6 || $METHOD == dhcp6 || $METHOD == fence ]]; then
  S=$W/server-root
  mkdir -p "$S"/{bin,dev,proc,sys,lib/modules/$KVER}
  cp /bin/busybox "$S/bin/busybox"
  vm_need_tools gcc
  gcc -static -O2 -Wall -Wextra -Werror -o "$S/bin/ra-send" "$HERE/guest/ra-send.c" || die "cannot build guest/ra-send.c"
  cp "$M"/modules.{dep,alias,builtin,softdep,order} "$S/lib/modules/$KVER/"
  F=$S copy_modules virtio_pci virtio_net 8021q
  if [[ $METHOD == fence || $METHOD == vlan ]]; then
    # The cluster's agent and the libraries it loads (the host's: it is the same Debian release).
    mkdir -p "$S/usr/sbin"; cp "$FENCE_AGENT" "$S/usr/sbin/fence_kdump"
    for lib in $(ldd "$FENCE_AGENT" | awk '/=>/ {print $3} /^\t\// {print $1}'); do
      mkdir -p "$S$(dirname "$lib")"; cp -L "$lib" "$S$lib"
    done
  fi
  if [[ $METHOD == dhcp6 ]]; then
    # dhcpd -6 and its libraries (the host's: the same Debian release); one address to lease.
    mkdir -p "$S/usr/sbin" "$S/etc"; cp "$DHCPD" "$S/usr/sbin/dhcpd"
    for lib in $(ldd "$DHCPD" | awk '/=>/ {print $3} /^\t\// {print $1}'); do
      mkdir -p "$S$(dirname "$lib")"; cp -L "$lib" "$S$lib"
    done
    printf 'default-lease-time 3600;\npreferred-lifetime 1800;\nsubnet6 fd00:1::/64 {\n  range6 fd00:1::100 fd00:1::100;\n}\n' >"$S/etc/dhcpd6.conf"
  fi
  echo "$METHOD" >"$S/method"; echo "$GUEST_PORT" >"$S/port"
  # ssh fence: the heartbeat NIC's lease, the one address of the pool, with a router and a DNS
  # server, which the capture kernel must not take for the dump's (its log line would say "via").
  if [[ $CASE == ssh-fence ]]; then
    mkdir -p "$S/etc"
    printf 'start 192.168.100.15\nend 192.168.100.15\nmax_leases 1\ninterface eth0\nlease_file /tmp/udhcpd.leases\noption subnet 255.255.255.0\noption lease 86400\noption router 192.168.100.1\noption dns 192.168.100.1\n' >"$S/etc/udhcpd.conf"
  fi
  cat >"$S/init" <<'INIT'
#!/bin/busybox sh
# The server guest: eth0 the link to the test guest, eth1 QEMU's user network, whose guestfwd
# (10.0.2.100:PORT, /port: 22 or 2049) reaches the server; PORT of its address toward the test
# guest is relayed there.
# vlan: 192.168.100.1 on eth0.100 (tagged), and on eth0.200 192.168.201.1 and the node 192.168.200.2,
# where fence_kdump waits for the test guest's message. fence: 192.168.100.1 and the node
# 192.168.200.2 on eth0, the same agent. ipv6, auto6: fd00:2::1 on lo, reached through eth0's
# link-local address, the test guest's gateway; fd00:1::1/64 on eth0 is the link's network, which
# ra-send advertises for SLAAC every second.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox --install -s
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
modprobe virtio_pci; modprobe virtio_net
if [ "$(cat /method)" = fence ]; then
  ip link set lo up; ip link set eth0 up && ip addr add 192.168.100.1/24 dev eth0 && ip addr add 192.168.200.2/24 dev eth0
  if [ -f /etc/udhcpd.conf ]; then mkdir -p /tmp && : >/tmp/udhcpd.leases && udhcpd -f /etc/udhcpd.conf & fi
  (fence_kdump -n 192.168.100.15 -t 400 -v; echo "SERVERGUEST-FENCED rc=$?") &
  ready="$(ip -o -4 addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
elif [ "$(cat /method)" != vlan ]; then
  ip link set lo up && ip -6 addr add fd00:2::1/128 dev lo
  ip link set eth0 up && ip -6 addr add fd00:1::1/64 dev eth0
  i=0; while grep -q ' [4-7c-f][0-9a-f] *eth0$' /proc/net/if_inet6 && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
  if [ "$(cat /method)" = dhcp6 ]; then
    ra-send eth0 fd00:1:: managed &
    mkdir -p /tmp && : >/tmp/dhcpd6.leases
    (dhcpd -6 -f -d -cf /etc/dhcpd6.conf -lf /tmp/dhcpd6.leases -pf /tmp/dhcpd6.pid eth0 2>&1 | sed 's/^/SERVERGUEST-DHCPD /') &
  else
    ra-send eth0 fd00:1:: &
  fi
  ready="$(ip -o -6 addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
else
  modprobe 8021q
  ip link set lo up; ip link set eth0 up && ip link add link eth0 name eth0.100 type vlan id 100 \
    && ip addr add 192.168.100.1/24 dev eth0.100 && ip link set eth0.100 up
  ip link add link eth0 name eth0.200 type vlan id 200 && ip addr add 192.168.201.1/24 dev eth0.200 \
    && ip addr add 192.168.200.2/24 dev eth0.200 && ip link set eth0.200 up
  (fence_kdump -n 192.168.201.15 -t 400 -v; echo "SERVERGUEST-FENCED rc=$?") &
  ready="$(ip -o -4 addr show | awk '/eth0\./ {print $4}' | tr '\n' ' ')"
fi
ip link set eth1 up && ip addr add 10.0.2.15/24 dev eth1
echo "SERVERGUEST-READY $ready"
port=$(cat /port)
exec nc -ll -p $port -e nc 10.0.2.100 $port
INIT
  chmod 755 "$S/init"
  cpio_of "$S" "$W/server.cpio"
  cat $(vm_devimg "$W") "$W/server.cpio" >"$W/server.img"
  LINK_SERVER=$((PORT + 1)) LINK_GUEST=$((PORT + 2))
  cat >"$W/server-qemu.sh" <<QEMU
exec timeout $((VM_TIMEOUT + 180)) qemu-system-x86_64 -machine q35 -accel tcg -m 256 -smp 1 -display none -monitor none -vga none -no-reboot \
  -serial file:$W/server-serial.log \
  -netdev dgram,id=d0,local.type=inet,local.host=127.0.0.1,local.port=$LINK_SERVER,remote.type=inet,remote.host=127.0.0.1,remote.port=$LINK_GUEST \
  -device virtio-net-pci,netdev=d0,mac=$SERVER_LINK_MAC \
  -netdev "user,id=u0,restrict=on,guestfwd=tcp:10.0.2.100:$GUEST_PORT-cmd:busybox nc 127.0.0.1 $PORT" -device virtio-net-pci,netdev=u0,mac=52:54:00:00:01:02 \
  -kernel $KDIR/vmlinuz -initrd $W/server.img -append "console=ttyS0 panic=-1"
QEMU
  VM_WRAP=("${VM_WRAP[@]}" bash "$HERE/server-guest.sh" "$W/server-qemu.sh" "$W/server-serial.log" SERVERGUEST-READY 180 --)
  VM_NET=(-netdev "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$LINK_GUEST,remote.type=inet,remote.host=127.0.0.1,remote.port=$LINK_SERVER"
    -device "virtio-net-pci,netdev=n0,mac=$MAC")
  # ssh fence: the dump's user network first (eth0), the link to the node second (eth1).
  [[ $CASE == ssh-fence ]] && VM_NET=(-netdev "user,id=u0,restrict=on,guestfwd=tcp:10.0.2.100:$GUEST_PORT-cmd:busybox nc 127.0.0.1 $PORT"
    -device "virtio-net-pci,netdev=u0,mac=$MAC" -netdev "${VM_NET[1]/id=n0/id=n1}" -device "virtio-net-pci,netdev=n1,mac=$FENCE_MAC")
fi
rc=0
QEMU_EXTRA=()
[[ $TARGET == local ]] && QEMU_EXTRA=(-drive "file=$W/disk.img,if=virtio,format=raw")
if [[ $METHOD == carrier ]]; then
  rm -f "$W/qmp.sock" "$W/serial.log"
  QEMU_EXTRA=(-qmp "unix:$W/qmp.sock,server=on,wait=off")
  /usr/bin/python3 "$HERE/link-watch.py" --serial "$W/serial.log" --qmp "$W/qmp.sock" --netdev n0 --timeout "$VM_TIMEOUT" >"$W/link-watch.log" 2>&1 &
  watch_pid=$!
fi
vm_qemu "$W/serial.log" "$KDIR/vmlinuz" "$W/initrd.img" "console=ttyS0 crashkernel=256M nokaslr panic=-1" "${QEMU_EXTRA[@]}" || rc=$?
echo "qemu_rc=$rc guest_s=$VM_GUEST_S"
if [[ $METHOD == carrier ]]; then
  # Done with both steps, it has exited 0; still waiting means the guest never got there.
  watch_rc=0
  if kill -0 "$watch_pid" 2>/dev/null; then
    kill "$watch_pid"; wait "$watch_pid" || true; watch_rc=1
  else
    wait "$watch_pid" || watch_rc=$?
  fi
  watch_pid=""
  cat "$W/link-watch.log"
fi
grep -E '^(NETVM-|kdump: )' "$W/serial.txt" || true
grep -qF "NETVM-LOAD rc=0 crash_loaded=1" "$W/serial.txt" || { tail -n 80 "$W/serial.txt" >&2; die "the capture kernel was not loaded"; }
for m in "kdump: Rebuilding /var/lib/kdump/initramfs-${KVER}kdump.img" "kdump: kexec: loaded kdump kernel" "kdump: Starting kdump: [OK]"; do
  grep -qF "NETVM-KDUMPCTL | $m" "$W/serial.txt" || die "no \"$m\" from kdumpctl start"
done

# 5. Verdict from the server's directory (the disk, for a local dump).
if [[ $TARGET == local ]]; then
  local_verdict
else
dir=$(find "$SERVER_DIR" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
  -regex ".*/${GUEST_IP//./\\.}-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}" | head -1)
[[ -n $dir ]] || { tail -n 80 "$W/serial.txt" >&2; die "no $GUEST_IP-<date> directory in ${SERVER_DIR#"$W"/} on the server"; }
echo "dump directory: ${dir#"$W"/}"
ls -l "$dir"
[[ -z $(find "$dir" -name '*incomplete*') ]] || die "an incomplete file was left behind"
"${TARGET}_verdict" "$dir"
fi
if [[ $METHOD == dhcp ]]; then
  # The first kernel's lease was not permanent, mkdumprd recorded dhcp, and kdump-capture leased.
  grep -qE '^NETVM-ADDR .*dynamic.*valid_lft [0-9]+sec' "$W/serial.txt" || die "the first kernel's address is not a lease"
  grep -qF "kdump: eth0 (52:54:00:12:34:56): the first kernel's address was leased (/etc/kdump/network.conf: dhcp), asking DHCP" "$W/serial.txt" \
    || die "the capture kernel did not read a dhcp record"
  # No "via": under restrict=on QEMU's DHCP server sends no router or DNS option (udhcpc's "router= dns=").
  grep -qE '^kdump: eth0 \(52:54:00:12:34:56\) leased 10\.0\.2\.15/24 from 10\.0\.2\.2 for [0-9]+s$' "$W/serial.txt" \
    || die "the capture kernel did not lease 10.0.2.15/24"
fi
if [[ $METHOD == bridge ]]; then
  grep -qF "NETVM-BRIDGE eth0" "$W/serial.txt" || die "the first kernel has no br0 with port eth0"
  grep -qF "kdump: bridge br0 of eth0" "$W/serial.txt" || die "the capture kernel did not make br0 again"
  grep -qF "kdump: br0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2" "$W/serial.txt" || die "the capture kernel did not configure br0"
fi
if [[ $METHOD == bond || $METHOD == bridge-bond ]]; then
  grep -qF "NETVM-BOND active-backup 1 slaves=eth0 eth1 active=eth1" "$W/serial.txt" || die "the first kernel has no bond0 of eth0 and eth1"
  grep -qF "kdump: bond bond0 (active-backup) of eth0, eth1" "$W/serial.txt" || die "the capture kernel did not make bond0 again"
  ! grep -qE "^kdump: bond bond0: .* not (set|added)" "$W/serial.txt" || die "the capture kernel's bond0 lacks an option or a slave"
fi
if [[ $METHOD == bond-swap ]]; then
  # The capture kernel names the NICs in probe order (eth0 is :56): the record's names must win.
  grep -qF "NETVM-SWAPPED eth0=52:54:00:12:34:57 eth1=52:54:00:12:34:56" "$W/serial.txt" || die "the first kernel did not swap its NIC names"
  grep -qF "NETVM-BOND active-backup 1 slaves=eth0 eth1 active=eth0" "$W/serial.txt" || die "the first kernel has no bond0 of eth0 and eth1 with eth0 active"
  grep -qF "kdump: eth1 (eth0 in the first kernel) moved aside to kdump0: the names are swapped" "$W/serial.txt" \
    || die "the capture kernel did not swap eth0 and eth1 (were they probed in the first kernel's order?)"
  grep -qF "kdump: bond bond0 (active-backup) of eth0, eth1" "$W/serial.txt" || die "the capture kernel did not make bond0 again"
  ! grep -qE "^kdump: (cannot rename|bond bond0: .* not (set|added))" "$W/serial.txt" || die "the capture kernel could not name a NIC, set an option or add a slave"
  grep -qF "kdump: bond0 (52:54:00:12:34:57) is 10.0.2.15/24 via 10.0.2.2" "$W/serial.txt" || die "the capture kernel did not configure bond0"
fi
if [[ $METHOD == bond ]]; then
  grep -qF "kdump: bond0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2" "$W/serial.txt" || die "the capture kernel did not configure bond0"
fi
if [[ $METHOD == bridge-bond ]]; then
  grep -qF "NETVM-BRIDGE bond0" "$W/serial.txt" || die "the first kernel has no br0 with port bond0"
  grep -qF "kdump: bridge br0 of bond0" "$W/serial.txt" || die "the capture kernel did not make br0 of bond0"
  grep -qF "kdump: br0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2" "$W/serial.txt" || die "the capture kernel did not configure br0"
fi
if [[ $METHOD == vlan ]]; then
  grep -qE "^NETVM-VLANPROC \| vlan100 +VID: 100" "$W/serial.txt" || die "the first kernel has no vlan100 with VID 100"
  grep -qF "NETVM-VLANPROC | Device: enp175s0f0np0" "$W/serial.txt" || die "the first kernel's vlan100 is not on enp175s0f0np0"
  grep -qF "kdump: vlan vlan100 (id 100) on enp175s0f0np0" "$W/serial.txt" || die "the capture kernel did not make vlan100 again"
  grep -qF "kdump: vlan100 (52:54:00:12:34:56) is 192.168.100.15/24" "$W/serial.txt" || die "the capture kernel did not configure vlan100"
  # The heartbeat VLAN: a second block on the same NIC, made on it after the first block's.
  tr -d '\r' <"$W/server-serial.log" >"$W/server-serial.txt"
  grep -E '^(SERVERGUEST-|\[debug\]|\[error\])' "$W/server-serial.txt" | sed 's/^/server guest: /' || true
  grep -qF "NETVM-ROUTES 192.168.200.0/24 dev vlan200 scope link ;192.168.201.0/24 dev vlan200 scope link  src 192.168.201.15 ;" "$W/serial.txt" \
    || die "the first kernel has no on-link route to 192.168.200.0/24 on vlan200"
  grep -qF "kdump: vlan vlan200 (id 200) on enp175s0f0np0" "$W/serial.txt" || die "the capture kernel did not make vlan200 on the dump's NIC"
  grep -qF "kdump: vlan200 (52:54:00:12:34:56) is 192.168.201.15/24" "$W/serial.txt" || die "the capture kernel did not configure vlan200"
  ! grep -qE "^kdump: (cannot|.* is not up)" "$W/serial.txt" || die "the capture kernel could not make or configure a link"
  grep -qF "[debug]: message sent to node '$NODE_IP'" "$W/serial.txt" || die "the capture kernel's fence_kdump_send sent nothing to $NODE_IP"
  grep -qF "[debug]: received valid message from '192.168.201.15'" "$W/server-serial.txt" || die "fence_kdump on the node did not receive the capture kernel's message"
  grep -qF "SERVERGUEST-FENCED rc=0" "$W/server-serial.txt" || die "fence_kdump on the node did not report the fencing done (exit 0)"
fi
if [[ $METHOD == ipv6 ]]; then
  grep -qF "NETVM-NET fd00:1::15/64 $MAC" "$W/serial.txt" || die "the first kernel has no fd00:1::15/64 on eth0"
  grep -qF "NETVM-IPV6ROUTE | 00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000505400fffe000101 " "$W/serial.txt" \
    || die "the first kernel's /proc/net/ipv6_route has no default route via $SERVER_LINK_LOCAL"
  grep -qE "^NETVM-IPV6ROUTE \| fd000003000000000000000000000000 40 0{32} 00 0{32} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} 00000001 +eth0$" "$W/serial.txt" \
    || die "the first kernel's /proc/net/ipv6_route has no on-link route to fd00:3::/64"
  grep -qF "kdump: eth0 ($MAC) is fd00:1::15/64 via $SERVER_LINK_LOCAL" "$W/serial.txt" || die "the capture kernel did not configure eth0 with IPv6"
fi
if [[ $METHOD == auto6 ]]; then
  grep -qF "NETVM-NET fd00:1::5054:ff:fe12:3456/64 $MAC" "$W/serial.txt" || die "the first kernel has no SLAAC address on eth0"
  grep -qF "kdump: eth0 ($MAC): the first kernel's IPv6 address was not permanent (/etc/kdump/network.conf: auto6), waiting for a router advertisement" "$W/serial.txt" \
    || die "the capture kernel did not read an auto6 record"
  grep -qE "^kdump: eth0 \($MAC\) autoconfigured fd00:1::5054:ff:fe12:3456/64 after [0-9]+\.[0-9]s$" "$W/serial.txt" || die "the capture kernel's SLAAC made no address"
fi
if [[ $METHOD == dhcp6 ]]; then
  tr -d '\r' <"$W/server-serial.log" >"$W/server-serial.txt"
  grep -E '^SERVERGUEST-' "$W/server-serial.txt" | sed 's/^/server guest: /' || true
  grep -qF "NETVM-NET fd00:1::100/128 $MAC" "$W/serial.txt" || die "the first kernel has no fd00:1::100/128 on eth0"
  grep -qE "^NETVM-IFINET6 \| fd000001000000000000000000000100 02 80 00 00 +eth0$" "$W/serial.txt" \
    || die "the first kernel's fd00:1::100 is not a leased (non-permanent) /128 past DAD"
  grep -qF "kdump: eth0 ($MAC): the first kernel's IPv6 address was not permanent (/etc/kdump/network.conf: auto6), waiting for a router advertisement" "$W/serial.txt" \
    || die "the capture kernel did not read an auto6 record"
  grep -qF "kdump: eth0: the router advertisement says addresses are managed (M flag), asking DHCPv6" "$W/serial.txt" \
    || die "the capture kernel did not see the advertisement's Managed flag"
  grep -qE "^kdump: eth0 \($MAC\) leased fd00:1::100 by DHCPv6 from server [0-9a-f:]+ at fe80::5054:ff:fe00:101%[0-9]+ for 3600s\$" "$W/serial.txt" \
    || die "the capture kernel did not lease fd00:1::100 from dhcpd"
  grep -qE "^SERVERGUEST-DHCPD Reply NA: address fd00:1::100 to client with duid 00:03:00:01:52:54:00:12:34:56 " "$W/server-serial.txt" \
    || die "dhcpd did not grant fd00:1::100 to the capture kernel's DUID-LL"
fi
if [[ $METHOD == carrier ]]; then
  [[ $watch_rc == 0 ]] || die "link-watch.py did not take the link down and up again (rc=$watch_rc)"
  grep -qF "NETVM-LINK carrier=0" "$W/serial.txt" || die "the first kernel never saw its link go down"
  grep -qF "kdump: Waiting for carrier on eth0 (up to 30s)" "$W/serial.txt" || die "the capture kernel did not wait for carrier"
  grep -qE "^kdump: eth0 has carrier after [0-9]+\.[0-9]s$" "$W/serial.txt" || die "the capture kernel did not see the link come back"
fi
if [[ $METHOD == fence ]]; then
  tr -d '\r' <"$W/server-serial.log" >"$W/server-serial.txt"
  grep -E '^(SERVERGUEST-|\[debug\]|\[error\])' "$W/server-serial.txt" | sed 's/^/server guest: /' || true
  [[ $TARGET != local ]] || grep -qF "NETVM-DISK-MOUNTED /dev/vda /mnt/kdump ext4" "$W/serial.txt" || die "the first kernel did not mount its dump disk"
  grep -qF "NETVM-ROUTES 192.168.100.0/24 dev $FENCE_LINK scope link  src 192.168.100.15 ;192.168.200.0/24 dev $FENCE_LINK scope link ;" "$W/serial.txt" || die "the first kernel has no on-link route to 192.168.200.0/24"
  if [[ $CASE == ssh-fence ]]; then
    grep -qE '^NETVM-ADDR .*192\.168\.100\.15/24.*dynamic.*valid_lft [0-9]+sec' "$W/serial.txt" || die "the first kernel's $FENCE_LINK address is not a lease"
    grep -qE "^kdump: $FENCE_LINK \($FENCE_MAC\) leased 192\.168\.100\.15/24 from 192\.168\.100\.1 for [0-9]+s\$" "$W/serial.txt" \
      || die "the capture kernel did not lease $FENCE_LINK for the fence node"
  else
    grep -qF "kdump: $FENCE_LINK ($FENCE_MAC) is 192.168.100.15/24" "$W/serial.txt" || die "the capture kernel did not bring up $FENCE_LINK for the fence node"
  fi
  grep -qF "kdump: fence_kdump: notifying node2.test (-p 7410 -i 2 -v)" "$W/serial.txt" || die "the capture kernel did not start fence_kdump_send"
  grep -qF "[debug]: message sent to node '$NODE_IP'" "$W/serial.txt" || die "the capture kernel's fence_kdump_send sent nothing to $NODE_IP"
  grep -qF "[debug]: received valid message from '192.168.100.15'" "$W/server-serial.txt" || die "fence_kdump on the node did not receive the capture kernel's message"
  grep -qF "SERVERGUEST-FENCED rc=0" "$W/server-serial.txt" || die "fence_kdump on the node did not report the fencing done (exit 0)"
fi
echo "network-vm[$CASE]: PASS ($REL)"
