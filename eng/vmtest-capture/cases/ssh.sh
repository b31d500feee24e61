#!/usr/bin/env bash
# VM case: a dump over ssh, proven end to end. The first kernel (Debian lab kernel under QEMU/TCG)
# loads its virtio NIC driver, configures eth0 statically (10.0.2.15/24 via 10.0.2.2), and runs OUR
# mkdumprd against its own live system: the route, addresses and NIC driver it records are what
# that kernel reports (/proc/net/route, rtnetlink, sysfs), and ssh with its libraries, the key and
# known_hosts come from its root. It loads the capture kernel with that image and panics. OUR
# kdump-capture brings eth0 up from the record and saves vmcore.flat and vmcore-dmesg.txt through
# ssh root@10.0.2.100 — QEMU's guestfwd to an sshd on 127.0.0.1 in a network namespace this script
# creates (user networking, restrict=on: no packet leaves). The host checks the directory, modes,
# and that makedumpfile 1.7.8 -R reassembles the dump and finds the same log as vmcore-dmesg.txt.
#   cases/ssh.sh [RELEASE]    (default bookworm; must run as root: ip netns, sshd)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO/.lab}"
REL=${1:-bookworm}
LOCK=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}
source "$REPO/eng/lib/heavy-lock.sh"
source "$REPO/eng/lib/publish-static.sh"
source "$REPO/eng/lib/vm.sh"
source "$REPO/eng/lib/netns.sh"
VM_TIMEOUT=${KDUMP_VMTEST_TIMEOUT:-420}
KDIR=$KDUMP_LAB_DIR/kernels/$REL
W=$KDUMP_LAB_DIR/vmtest-capture/ssh-$REL
P=$KDUMP_LAB_DIR/vmtest-capture/publish
MAC=52:54:00:12:34:56
DUMP_PATH=/var/crash-test
die() { echo "ssh-case: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must run as root (ip netns, sshd)"
vm_need_tools qemu-system-x86_64 cpio dotnet ssh ssh-keygen ip
vm_need_busybox
[[ -x /usr/sbin/sshd ]] || die "/usr/sbin/sshd missing (eng/lab/install-deps.sh)"
vm_need_kernel "$KDIR" "$REL"
KVER=$(cat "$KDIR/kernel-release")
MDF_REF=$KDUMP_LAB_DIR/ref/bin/makedumpfile-1.7.8
[[ -x $MDF_REF ]] || die "reference makedumpfile missing: eng/lab/lab.sh all"

# 1. Our static programs (mkdumprd too: it runs in the guest).
for t in kdump-capture makedumpfile kexec mkdumprd; do publish_static "$REPO/src/Tools/$t/$t.csproj" "$P" "$t" || die "no static $t"; done

rm -rf "$W"; mkdir -p "$W/server"
chmod 700 "$W/server"
ssh-keygen -q -t ed25519 -N '' -C kdump-test-client -f "$W/client_key"

# 2. The server: sshd on 127.0.0.1:PORT in a namespace of our own; the dump path is a bind mount of $W/server.
PORT=$((20000 + $$ % 20000))
made_dump_path=""
[[ -e $DUMP_PATH ]] || made_dump_path=1
cleanup() {
  netns_cleanup
  [[ -n $made_dump_path ]] && rmdir "$DUMP_PATH" 2>/dev/null || true
}
trap cleanup EXIT
netns_create "kdumptest-$$" || die "ip netns add failed"
netns_sshd "$W/sshd" "$PORT" "$W/client_key.pub" bind "$W/server" "$DUMP_PATH" || die "sshd did not start"
echo "ssh-case: sshd on 127.0.0.1:$PORT in netns kdumptest-$$"

# 3. The first kernel's root: busybox, our tools, ssh with its libraries, the NIC's modules.
F=$W/first
mkdir -p "$F"/{bin,sbin,usr/sbin,usr/bin,dev,proc,sys,tmp,boot,etc/sysconfig,root/.ssh,lib/modules/$KVER}
cp /bin/busybox "$F/bin/busybox"
for t in kexec mkdumprd kdump-capture makedumpfile; do cp "$P/$t" "$F/usr/sbin/$t"; done
cp -L "$KDIR/vmlinuz" "$F/boot/vmlinuz"
cp /usr/bin/ssh "$F/usr/bin/ssh"
for lib in $(ldd /usr/bin/ssh | awk '/=>/ {print $3} /^\t\// {print $1}'); do
  mkdir -p "$F$(dirname "$lib")"; cp -L "$lib" "$F$lib"
done
M=$KDIR/root/lib/modules/$KVER
cp "$M"/modules.{dep,alias,builtin,softdep,order} "$F/lib/modules/$KVER/"
for m in kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio_pci_legacy_dev.ko \
  kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_pci.ko kernel/net/core/failover.ko \
  kernel/drivers/net/net_failover.ko kernel/drivers/net/virtio_net.ko; do
  [[ -e $M/$m ]] || continue   # built into this kernel
  mkdir -p "$F/lib/modules/$KVER/$(dirname $m)"; cp "$M/$m" "$F/lib/modules/$KVER/$m"
done
install -m 600 "$W/client_key" "$F/root/.ssh/kdump_id_rsa"
echo "10.0.2.100 $(cat "$W/sshd/host_ed25519.pub")" >"$F/root/.ssh/known_hosts"
chmod 700 "$F/root/.ssh"
# makedumpfile's -F: mkdumprd refuses an ssh target without it (upstream's verify_core_collector); the capture side re-adds it.
cat >"$F/etc/kdump.conf" <<CONF
ssh root@10.0.2.100
sshkey /root/.ssh/kdump_id_rsa
path $DUMP_PATH
core_collector makedumpfile -F -l --message-level 7 -d 31
failure_action poweroff
final_action poweroff
CONF
echo "MKDUMPRD_BACKEND=minimal" >"$F/etc/sysconfig/kdump"
cat >"$F/init" <<'INIT'
#!/bin/busybox sh
# /init of the first kernel: NIC driver, static eth0, our mkdumprd, kexec -p, panic. Markers "SSHVM-…".
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox --install -s
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "SSHVM-FIRST-KERNEL-UP $(uname -r)"
modprobe virtio_pci; modprobe virtio_net
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
echo "SSHVM-NET $(ip -o -4 addr show dev eth0 | awk '{print $4}') $(cat /sys/class/net/eth0/address)"
/usr/sbin/mkdumprd --capture-program /usr/sbin/kdump-capture --makedumpfile /usr/sbin/makedumpfile -f /boot/kdump.img "$(uname -r)"
echo "SSHVM-MKDUMPRD rc=$?"
export KDUMP_ALLOW_REBOOT=1
kexec -s -p /boot/vmlinuz --initrd=/boot/kdump.img --append="console=ttyS0 nokaslr irqpoll nr_cpus=1 reset_devices panic=-1"
echo "SSHVM-LOAD rc=$? crash_loaded=$(cat /sys/kernel/kexec_crash_loaded)"
echo c > /proc/sysrq-trigger
echo "SSHVM-STILL-ALIVE"
poweroff -f; sleep 5
INIT
chmod 755 "$F/init"
cpio_of "$F" "$W/first.cpio"
cat $(vm_devimg "$W") "$W/first.cpio" >"$W/initrd.img"

# 4. The guest, inside the namespace: user networking restricted to the guestfwd, which runs one
# connector per guest connection (ssh opens several) to the namespace's sshd.
VM_WRAP=(ip netns exec "kdumptest-$$")
VM_NET=(-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:22-cmd:busybox nc 127.0.0.1 $PORT" -device "virtio-net-pci,netdev=n0,mac=$MAC")
rc=0
vm_qemu "$W/serial.log" "$KDIR/vmlinuz" "$W/initrd.img" "console=ttyS0 crashkernel=256M nokaslr panic=-1" || rc=$?
echo "qemu_rc=$rc guest_s=$VM_GUEST_S"
grep -E '^(SSHVM-|kdump: )' "$W/serial.txt" || true

# 5. Verdict from the server's directory.
dir=$(find "$W/server" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
  -regex '.*/10\.0\.2\.15-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -1)
[[ -n $dir ]] || { tail -n 80 "$W/serial.txt" >&2; die "no 10.0.2.15-<date> directory under $DUMP_PATH on the server"; }
echo "dump directory: $DUMP_PATH/${dir##*/}"
ls -l "$dir"
for f in vmcore.flat vmcore-dmesg.txt; do
  [[ -s $dir/$f ]] || die "$f missing or empty"
  [[ $(stat -c %a "$dir/$f") == 600 ]] || die "$f has mode $(stat -c %a "$dir/$f"), not 600"
done
[[ ! -e $dir/vmcore-incomplete ]] || die "vmcore-incomplete left behind"
grep -q 'sysrq' "$dir/vmcore-dmesg.txt" || die "vmcore-dmesg.txt has no sysrq panic"
cp "$dir/vmcore-dmesg.txt" "$W/vmcore-dmesg.txt"
"$MDF_REF" -R "$W/vmcore" <"$dir/vmcore.flat" >/dev/null || die "makedumpfile 1.7.8 -R failed on vmcore.flat"
"$MDF_REF" --dump-dmesg "$W/vmcore" "$W/ref-dmesg.txt" >/dev/null
# makedumpfile >= 1.7.7 adds the printk caller id ("[     T0]") that vmcore-dmesg does not print.
sed -E 's/^(\[[^]]*\]) \[ *[TC][0-9]+\] /\1 /' "$W/ref-dmesg.txt" | cmp - "$W/vmcore-dmesg.txt" \
  || die "makedumpfile 1.7.8 --dump-dmesg of the reassembled vmcore differs from vmcore-dmesg.txt"
grep -q "Accepted publickey for root from 127.0.0.1" "$W/sshd/sshd.log" || die "sshd did not log the guest's key login"
echo "ssh-case: PASS ($REL)"
