#!/usr/bin/env bash
# VM smoke of the capture side: a Debian lab kernel boots with crashkernel=256M; its /init loads the
# same kernel as the crash kernel with an initramfs built by OUR mkdumprd (minimal backend: /init is
# OUR static kdump-capture, makedumpfile is OURS) and panics with sysrq-c; the capture kernel saves
# the dump on an ext4 virtio disk found by LABEL=kdump. The host then reads the disk with debugfs
# and checks: a 127.0.0.1-<date> directory with vmcore, vmcore-dmesg.txt, kexec-dmesg.log, and that
# the reference makedumpfile's --dump-dmesg of the saved vmcore equals vmcore-dmesg.txt.
#   capture-vm.sh [RELEASE]    (default bookworm; needs .lab/kernels/RELEASE and .lab/ref from eng/lab)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO/.lab}"
REL=${1:-bookworm}
LOCK=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}
source "$REPO/eng/lib/heavy-lock.sh"
source "$REPO/eng/lib/publish-static.sh"
GUEST_TIMEOUT=${KDUMP_VMTEST_TIMEOUT:-240}
KDIR=$KDUMP_LAB_DIR/kernels/$REL
W=$KDUMP_LAB_DIR/vmtest-capture/$REL
P=$KDUMP_LAB_DIR/vmtest-capture/publish
die() { echo "capture-vm: $*" >&2; exit 1; }
for t in qemu-system-x86_64 cpio mkfs.ext4 debugfs dotnet; do command -v $t >/dev/null || die "$t missing (eng/lab/install-deps.sh)"; done
[[ -r $KDIR/vmlinuz ]] || die "no lab kernel in $KDIR (eng/lab/fetch-kernel.sh $REL)"
KVER=$(cat "$KDIR/kernel-release")
MDF_REF=$KDUMP_LAB_DIR/ref/bin/makedumpfile-1.7.8
[[ -x $MDF_REF ]] || die "reference makedumpfile missing: eng/lab/lab.sh all"

# 1. Our static programs, republished when a source is newer (a stale capture program proves nothing).
for t in kdump-capture makedumpfile kexec; do publish_static "$REPO/src/Tools/$t/$t.csproj" "$P" "$t" || die "no static $t"; done
heavy dotnet build "$REPO/src/Tools/mkdumprd/mkdumprd.csproj" --nologo -v q >/dev/null || die "build mkdumprd failed"
MKDUMPRD=$REPO/artifacts/bin/mkdumprd/debug/mkdumprd

rm -rf "$W"; mkdir -p "$W"
# 2. The capture image, built by our mkdumprd from a prepared root (the lab kernel's modules).
R=$W/root
mkdir -p "$R/etc/sysconfig" "$R/lib"
ln -s "$(realpath --relative-to="$R/lib" "$KDIR/root/lib/modules")" "$R/lib/modules"
cat >"$R/etc/kdump.conf" <<CONF
ext4 LABEL=kdump
path /
core_collector makedumpfile -c --message-level 7 -d 31
extra_modules virtio_blk virtio_pci
failure_action poweroff
final_action poweroff
CONF
echo "MKDUMPRD_BACKEND=minimal" >"$R/etc/sysconfig/kdump"
"$MKDUMPRD" --root "$R" --capture-program "$P/kdump-capture" --makedumpfile "$P/makedumpfile" \
  -f "$W/kdump.img" "$KVER"

# 3. The first kernel's initramfs: busybox, our kexec, the kernel and the capture image.
F=$W/first
mkdir -p "$F"/{bin,sbin,dev,proc,sys,tmp,boot}
cp /bin/busybox "$F/bin/busybox"; cp "$HERE/first-init" "$F/init"; chmod 755 "$F/init"
cp "$P/kexec" "$F/sbin/kexec"; cp -L "$KDIR/vmlinuz" "$F/boot/vmlinuz"; cp "$W/kdump.img" "$F/boot/kdump.img"
mkdir -p "$W/devroot/dev"; mknod -m 600 "$W/devroot/dev/console" c 5 1
(cd "$W/devroot" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$W/dev.cpio"
(cd "$F" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$W/first.cpio"
cat "$W/dev.cpio" "$W/first.cpio" >"$W/initrd.img"

# 4. The dump disk and the guest.
truncate -s 256M "$W/disk.img"; mkfs.ext4 -q -F -L kdump "$W/disk.img"
set +e
heavy timeout "$GUEST_TIMEOUT" qemu-system-x86_64 -machine q35 -accel tcg -m 1024 -smp 1 \
  -display none -monitor none -vga none -nic none -no-reboot -serial "file:$W/serial.log" \
  -drive "file=$W/disk.img,if=virtio,format=raw" \
  -kernel "$KDIR/vmlinuz" -initrd "$W/initrd.img" -append "console=ttyS0 crashkernel=256M nokaslr panic=-1"
rc=$?
set -e
tr -d '\r' <"$W/serial.log" >"$W/serial.txt"
echo "qemu_rc=$rc"

# 5. Verdict from the disk.
dir=$(debugfs -R 'ls -p /' "$W/disk.img" 2>/dev/null | awk -F/ '$6 ~ /^127\.0\.0\.1-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/ {print $6}' | head -1)
[[ -n $dir ]] || { tail -n 60 "$W/serial.txt" >&2; die "no 127.0.0.1-<date> directory on the dump disk"; }
echo "dump directory: /$dir"
debugfs -R "ls -l /$dir" "$W/disk.img" 2>/dev/null
for f in vmcore vmcore-dmesg.txt kexec-dmesg.log; do
  debugfs -R "dump /$dir/$f $W/$f" "$W/disk.img" 2>/dev/null
  [[ -s $W/$f ]] || die "$f missing or empty"
done
grep -q 'sysrq' "$W/vmcore-dmesg.txt" || die "vmcore-dmesg.txt has no sysrq panic"
"$MDF_REF" --dump-dmesg "$W/vmcore" "$W/ref-dmesg.txt" >/dev/null
# makedumpfile >= 1.7.7 adds the printk caller id ("[     T0]") that vmcore-dmesg does not print.
sed -E 's/^(\[[^]]*\]) \[ *[TC][0-9]+\] /\1 /' "$W/ref-dmesg.txt" | cmp - "$W/vmcore-dmesg.txt" || die "makedumpfile 1.7.8 --dump-dmesg of the saved vmcore differs from vmcore-dmesg.txt"
echo "capture-vm: PASS ($REL)"
