#!/usr/bin/env bash
# VM proof of our kdumpctl (approach copied from eng/vmtest/kexec-vm.sh): a Debian lab kernel boots
# under QEMU/TCG with crashkernel=256M; its initramfs is a small system with our static NativeAOT
# kdumpctl, /etc/kdump.conf (force_no_rebuild 1), /etc/sysconfig/kdump and a prebuilt capture
# initramfs as /boot/initramfs-<kver>kdump.img. The guest runs kdumpctl status/start/status/stop/
# status and reports /sys/kernel/kexec_crash_loaded after each step (guest/init).
#   kdumpctl-vm.sh [RELEASE]      (default bookworm; needs .lab/kernels/RELEASE from eng/lab)
# Output: $KDUMP_LAB_DIR/vmtest-kdumpctl/RELEASE/{serial.txt,timings.txt}; exit 0 when every marker is seen.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO/.lab}"
REL=${1:-bookworm}
LOCK=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}
source "$REPO/eng/lib/heavy-lock.sh"
source "$REPO/eng/lib/publish-static.sh"
source "$REPO/eng/lib/vm.sh"
VM_TIMEOUT=${KDUMP_VMTEST_TIMEOUT:-120}
KDIR=$KDUMP_LAB_DIR/kernels/$REL
W=$KDUMP_LAB_DIR/vmtest-kdumpctl/$REL
T=$W/timings.txt

die() { echo "kdumpctl-vm: $*" >&2; exit 1; }
vm_need_tools qemu-system-x86_64 cpio gcc dotnet timeout flock
vm_need_busybox
vm_need_kernel "$KDIR" "$REL"

rm -rf "$W"; mkdir -p "$W"
t_all=$(now)

# 1. Our kdumpctl, fully static.
t=$(now)
publish_static "$REPO/src/Tools/kdumpctl/kdumpctl.csproj" "$W/publish" kdumpctl || die "no static kdumpctl"
echo "publish_s=$(since "$t")" >>"$T"

# 2. Initramfs images: capture.img (busybox + init: the crash kernel's userspace, never booted
#    here) and the first kernel's initrd (busybox, init, kdumpctl, config, kernel, capture.img).
t=$(now)
devimg=$(vm_devimg "$W")
mkdir -p "$W/capture/bin"; cp /bin/busybox "$W/capture/bin/"; cp "$HERE/guest/init" "$W/capture/init"; chmod 755 "$W/capture/init"
cpio_of "$W/capture" "$W/capture.cpio"
cat $devimg "$W/capture.cpio" >"$W/capture.img"
F=$W/first
mkdir -p "$F"/{bin,sbin,usr/bin,dev,proc,sys,tmp,boot,etc/sysconfig,var/crash,run}
cp /bin/busybox "$F/bin/busybox"
cp "$HERE/guest/init" "$F/init"; chmod 755 "$F/init"
cp "$W/publish/kdumpctl" "$F/usr/bin/kdumpctl"
cp -L "$KDIR/vmlinuz" "$F/boot/vmlinuz"          # renamed to vmlinuz-$(uname -r) by init
cp "$W/capture.img" "$F/boot/capture.img"        # → initramfs-<kver>kdump.img
cp "$HERE/guest/kdump.conf" "$F/etc/kdump.conf"
cp "$HERE/guest/sysconfig-kdump" "$F/etc/sysconfig/kdump"
cpio_of "$F" "$W/first.cpio"
cat $devimg "$W/first.cpio" >"$W/initrd.img"
echo "initramfs_s=$(since "$t")" >>"$T"

# 3. The guest.
t=$(now)
rc=0
VM_TIMINGS=$T VM_QEMU_OUT=$W/qemu.out vm_qemu "$W/serial.log" "$KDIR/vmlinuz" "$W/initrd.img" \
  "console=ttyS0 crashkernel=256M nokaslr panic=-1" || rc=$?
echo "guest_s_incl_lock_wait=$(since "$t")" >>"$T"
echo "qemu_rc=$rc" >>"$T"
echo "total_s=$(since "$t_all")" >>"$T"

# 4. Verdict: the markers in guest order.
expected=(
  "KCV-STEP status-before rc=3"
  "KCV-SYSFS kexec_crash_loaded=0"
  "KCV-STEP start rc=0"
  "KCV-SYSFS kexec_crash_loaded=1"
  "KCV-STEP status-after-start rc=0"
  "KCV-STEP start-again rc=0"
  "KCV-STEP stop rc=0"
  "KCV-SYSFS kexec_crash_loaded=0"
  "KCV-STEP status-after-stop rc=3"
  "KCV-STEP test-refused rc=1"
  "KCV-DONE"
)
got=$(grep -E '^KCV-' "$W/serial.txt" | grep -v '^KCV-UP' | sed -E 's/ t=[0-9.]+$//' || true)
want=$(printf '%s\n' "${expected[@]}")
if [[ $got != "$want" ]] || ((rc != 0)); then
  echo "kdumpctl-vm: markers differ or qemu failed (rc=$rc, 124 = timeout after ${VM_TIMEOUT}s)" >&2
  diff <(echo "$want") <(echo "$got") >&2 || true
  echo "---- tail of $W/serial.txt" >&2; tail -n 60 "$W/serial.txt" >&2
  exit 1
fi
grep -E '^(KCV-|  \| )' "$W/serial.txt"
cat "$T"
echo "kdumpctl-vm: PASS ($REL)"
