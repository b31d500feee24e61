#!/usr/bin/env bash
# VM proof of our kexec: boots a Debian lab kernel under QEMU/TCG with crashkernel=256M and an
# initramfs holding our static NativeAOT kexec, busybox and the kernel itself; the guest loads,
# queries and unloads crash kernels (kexec_file_load and kexec_load), kexec -e boots a second
# kernel loaded with kexec_load, which loads a crash kernel with kexec -c -p and panics: the crash
# kernel must come up with the first kernel's VMCOREINFO and log in /proc/vmcore (guest/init).
#   kexec-vm.sh [RELEASE]        (default bookworm; needs .lab/kernels/RELEASE from eng/lab)
# Output: $KDUMP_LAB_DIR/vmtest/RELEASE/{serial.log,timings.txt}; exit 0 when every marker is seen.
# Host packages: qemu-system-x86, busybox-static, cpio, gcc + libc6-dev (static NativeAOT link),
# file, all in eng/lab/install-deps.sh. Every heavy step holds /tmp/kdump-heavy.lock (re-entrant: see heavy).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO/.lab}"
REL=${1:-bookworm}
LOCK=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}
VM_TIMEOUT=${KDUMP_VMTEST_TIMEOUT:-150}
KDIR=$KDUMP_LAB_DIR/kernels/$REL
W=$KDUMP_LAB_DIR/vmtest/$REL
T=$W/timings.txt

die() { echo "kexec-vm: $*" >&2; exit 1; }
source "$REPO/eng/lib/heavy-lock.sh"
source "$REPO/eng/lib/publish-static.sh"
source "$REPO/eng/lib/vm.sh"
vm_need_tools qemu-system-x86_64 cpio gcc dotnet
vm_need_busybox
vm_need_kernel "$KDIR" "$REL"

rm -rf "$W"; mkdir -p "$W"
t_all=$(now)

# 1. Our kexec, fully static, published again only when a source is newer than the binary.
t=$(now)
P=$KDUMP_LAB_DIR/vmtest/publish-kexec
KEXEC=$P/kexec
publish_static "$REPO/src/Tools/kexec/kexec.csproj" "$P" kexec || die "no static kexec"
echo "publish_s=$(since "$t")" >>"$T"
echo "kexec_bytes=$(stat -c %s "$KEXEC")" >>"$T"

# 2. Initramfs images (see below).
t=$(now)
mkroot() { # DIR
  mkdir -p "$1"/{bin,sbin,dev,proc,sys,tmp,boot}
  cp /bin/busybox "$1/bin/busybox"
  cp "$HERE/guest/init" "$1/init"; chmod 755 "$1/init"
}
devimg=$(vm_devimg "$W")
# capture.img: busybox + init (the crash kernel's userspace); next.img adds kexec, the kernel and
# capture.img (the kernel kexec -e boots, which loads the crash kernel and panics); the first
# kernel's initrd adds next.img.
mkroot "$W/capture"
cpio_of "$W/capture" "$W/capture.cpio"
cat $devimg "$W/capture.cpio" >"$W/capture.img"
mkroot "$W/next"
cp "$KEXEC" "$W/next/sbin/kexec"
cp -L "$KDIR/vmlinuz" "$W/next/boot/vmlinuz"
cp "$W/capture.img" "$W/next/boot/capture.img"
cpio_of "$W/next" "$W/next.cpio"
cat $devimg "$W/next.cpio" >"$W/next.img"
mkroot "$W/first"
cp -a "$W/next/." "$W/first/"
cp "$W/next.img" "$W/first/boot/next.img"
cpio_of "$W/first" "$W/first.cpio"
cat $devimg "$W/first.cpio" >"$W/initrd.img"
echo "initramfs_s=$(since "$t")" >>"$T"
echo "initramfs_bytes=$(stat -c %s "$W/initrd.img")" >>"$T"

# 3. The guest.
t=$(now)
rc=0
VM_TIMINGS=$T VM_QEMU_OUT=$W/qemu.out vm_qemu "$W/serial.log" "$KDIR/vmlinuz" "$W/initrd.img" \
  "console=ttyS0 crashkernel=256M nokaslr panic=-1 kdumpvm.stage=first" || rc=$?
echo "guest_s_incl_lock_wait=$(since "$t")" >>"$T"
echo "qemu_rc=$rc" >>"$T"
echo "total_s=$(since "$t_all")" >>"$T"

# 4. Verdict.
fail=0
need() { grep -qF -- "$1" "$W/serial.txt" || { echo "kexec-vm: missing marker: $1" >&2; fail=1; }; }
need "KVM-FIRST-KERNEL-UP"
need "KVM-IOMEM crash kernel reserved"
need "KVM-STEP version rc=0"
need "KVM-STEP guard-refuses-load rc=255"
need "KVM-STEP guard-allows-crash-load rc=0"
need "KVM-STEP unload-unguarded rc=0"
need "KVM-STEP load-panic rc=0"
need "KVM-SYSFS kexec_crash_loaded=1"
need "KVM-STEP status-default rc=1"
need "KVM-STEP status-panic rc=1"
need "KVM-STEP status-normal rc=0"
need "KVM-STEP unload-panic rc=0"
need "KVM-STEP load-panic-legacy rc=0"
need "KVM-STEP unload-panic-legacy rc=0"
need "KVM-STEP status-after-unload rc=0"
need "KVM-STEP load-panic-auto rc=0"
need "KVM-STEP unload-u-then-p rc=255"
need "KVM-STEP load-normal rc=0"
need "KVM-SYSFS kexec_loaded=1"
need "KVM-STEP status-normal-loaded rc=1"
need "KVM-STEP unload-normal rc=0"
need "KVM-STEP load-normal-legacy rc=0"
need "KVM-SECOND-KERNEL-UP"
need "KVM-STEP second-load-panic-legacy rc=0"
need "KVM-CAPTURE-KERNEL-UP"
need "KVM-VMCORE-NOTE OSRELEASE=$(cat "$KDIR/kernel-release")"
need "KVM-VMCORE-LOG found"
((rc == 0)) || { echo "kexec-vm: qemu exited with $rc (124 = timeout after ${VM_TIMEOUT}s)" >&2; fail=1; }
if ((fail)); then
  echo "---- tail of $W/serial.txt" >&2; tail -n 40 "$W/serial.txt" >&2
  exit 1
fi
grep -E '^KVM-' "$W/serial.txt"
cat "$T"
echo "kexec-vm: PASS ($REL)"
