#!/usr/bin/env bash
# End-to-end capture cases: a Debian lab kernel boots under QEMU/TCG with crashkernel=256M; its /init
# (first-init) runs the case's first-kernel actions, then OUR `kdumpctl start`, which loads the same
# kernel as the crash kernel with an initramfs built by OUR mkdumprd (minimal backend: /init is OUR
# static kdump-capture, makedumpfile is OURS) from a root the case prepares, and panics with sysrq-c.
# The capture kernel dumps; the case's verdict then reads what the guest left (disks, serial console)
# on the host. The image is built on the host (the guest has no modules tree), so the guest's
# kdump.conf adds force_no_rebuild 1 (eng/vmtest-capture/network-vm.sh has kdumpctl rebuild it).
#   capture-vm.sh [RELEASE] [CASE]    (defaults bookworm, ext4-uuid; needs .lab/kernels/RELEASE
#                                     and .lab/ref from eng/lab; CASE is cases/CASE.sh)
# Output in $KDUMP_LAB_DIR/vmtest-capture/RELEASE/CASE/: serial.txt, timings.txt, extracted files.
#
# The case interface. A case file is sourced (bash, set -euo pipefail) after the runner set:
#   REL KVER KDIR   release, kernel release, lab kernel directory
#   W               the case's fresh work directory
#   R               the root mkdumprd reads (--root): lib/modules → the lab kernel's modules,
#                   etc/sysconfig/kdump with MKDUMPRD_BACKEND=$CASE_BACKEND; the case writes
#                   etc/kdump.conf and anything else there (hooks, a proc/self/mountinfo, bin/…)
#   F               the first kernel's initramfs root (kdump_root below, and first-init); the
#                   case may add files
#   P               our static tools (kdump-capture makedumpfile kexec kdumpctl)
#   MDF_REF         the reference makedumpfile 1.7.8
# It may set, at source time:
#   CASE_TIMEOUT    guest timeout in seconds (default 240)
#   CASE_BACKEND    mkdumprd backend for the capture image: minimal (default) or dracut
#   CASE_MKDUMPRD_ARGS=(…)   more mkdumprd arguments
#   VM_NET=(…) VM_WRAP=(…)  QEMU network arguments and a command prefix (eng/lib/vm.sh), e.g.
#                   (-netdev user,restrict=on,… -device virtio-net-pci,…) and (ip netns exec NS)
# and define functions (only case_root and case_verdict are required):
#   case_root       write $R/etc/kdump.conf etc. before mkdumprd runs
#   case_disks      create disks; add_disk FILE [FORMAT] appends a virtio drive (vda, vdb, … in order)
#   case_first      print shell lines for the first kernel, run before the crash kernel is loaded
#   case_load       print shell lines that load the crash kernel instead of first-init's
#                   `kdumpctl start` (their last status is CVM-LOAD's rc)
#   case_panic      print shell lines that crash the first kernel instead of `echo c > /proc/sysrq-trigger`
#   case_setup      before the guest (servers, network namespace); case_cleanup runs on exit
#   case_verdict    the checks, after the guest; die on failure. Helpers below: need_marker,
#                   ext4_* (debugfs), check_dmesg, kdump_status, run_guest (another boot), and
#                   for building guest roots kdump_root, block_tools, initrd_of.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO/.lab}"
REL=${1:-bookworm}
CASE=${2:-ext4-uuid}
LOCK=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}
die() { echo "capture-vm[$CASE]: $*" >&2; exit 1; }
source "$REPO/eng/lib/heavy-lock.sh"
source "$REPO/eng/lib/publish-static.sh"
source "$REPO/eng/lib/vm.sh"
vm_need_tools qemu-system-x86_64 cpio mkfs.ext4 debugfs dotnet
vm_need_busybox
KDIR=$KDUMP_LAB_DIR/kernels/$REL
vm_need_kernel "$KDIR" "$REL"
KVER=$(cat "$KDIR/kernel-release")
MDF_REF=$KDUMP_LAB_DIR/ref/bin/makedumpfile-1.7.8
[[ -x $MDF_REF ]] || die "reference makedumpfile missing: eng/lab/lab.sh all"
CASE_FILE=$HERE/cases/$CASE.sh
[[ -r $CASE_FILE ]] || die "no case $CASE_FILE"
grep -q '^case_verdict()' "$CASE_FILE" || die "$CASE_FILE is not a case file (no case_verdict)"
W=$KDUMP_LAB_DIR/vmtest-capture/$REL/$CASE
P=$KDUMP_LAB_DIR/vmtest-capture/publish
R=$W/root
F=$W/first
T=$W/timings.txt

# --- helpers for cases -----------------------------------------------------------------------
QEMU_ARGS=()
add_disk() { QEMU_ARGS+=(-drive "file=$1,if=virtio,format=${2:-raw}"); }
# make_ext4 FILE SIZE UUID [LABEL]: an empty ext4 file system with a known UUID.
make_ext4() {
  rm -f "$1"; truncate -s "$2" "$1"
  mkfs.ext4 -q -F -U "$3" ${4:+-L "$4"} "$1"
}
# var_crash_disk FILE UUID: a 256M ext4 disk with an empty /var/crash, added as the next virtio drive.
var_crash_disk() {
  make_ext4 "$1" 256M "$2"
  debugfs -w -R "mkdir /var" "$1" >/dev/null 2>&1
  debugfs -w -R "mkdir /var/crash" "$1" >/dev/null 2>&1
  add_disk "$1"
}
need_marker() { grep -qF -- "$1" "$W/serial.txt" || { tail -n 60 "$W/serial.txt" >&2; die "no \"$1\" on the serial console"; }; }
no_marker() { ! grep -qF -- "$1" "$W/serial.txt" || die "unexpected \"$1\" on the serial console"; }
# ext4_dump_dir DISK [DIR [IP]]: the one <IP>-<date> directory in DIR (default /, IP 127.0.0.1).
ext4_dump_dir() {
  local dir=${2:-/} ip=${3:-127.0.0.1} found
  found=$(debugfs -R "ls -p $dir" "$1" 2>/dev/null | awk -F/ -v ip="$ip" \
    '$6 ~ /^[0-9.]+-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/ && index($6, ip "-") == 1 {print $6}')
  [[ -n $found ]] || { tail -n 60 "$W/serial.txt" >&2; die "no $ip-<date> directory in $dir on ${1##*/}"; }
  [[ $(wc -l <<<"$found") == 1 ]] || die "more than one dump directory in $dir on ${1##*/}: $found"
  echo "${dir%/}/$found"
}
# ext4_names DISK DIR: the names in DIR, one a line, without . and ..
ext4_names() { debugfs -R "ls -p $2" "$1" 2>/dev/null | awk -F/ '$6 != "" && $6 != "." && $6 != ".." {print $6}' | LC_ALL=C sort; }
ext4_get() { rm -f "$3"; debugfs -R "dump $2 $3" "$1" 2>/dev/null; [[ -f $3 ]] || die "cannot read $2 from ${1##*/}"; }
# ext4_mode DISK PATH: the permission bits in octal (e.g. 600).
ext4_mode() { debugfs -R "stat $2" "$1" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "Mode:") { print substr($(i + 1), length($(i + 1)) - 2); exit } }'; }
# check_dmesg VMCORE DMESG: the reference makedumpfile's --dump-dmesg of VMCORE equals DMESG.
check_dmesg() {
  grep -q 'sysrq' "$2" || die "${2##*/} has no sysrq panic"
  "$MDF_REF" --dump-dmesg "$1" "$W/ref-dmesg.txt" >"$W/ref-dmesg.out" 2>&1 || { cat "$W/ref-dmesg.out" >&2; die "makedumpfile 1.7.8 --dump-dmesg cannot read ${1##*/}"; }
  # makedumpfile >= 1.7.7 adds the printk caller id ("[     T0]") that vmcore-dmesg does not print.
  sed -E 's/^(\[[^]]*\]) \[ *[TC][0-9]+\] /\1 /' "$W/ref-dmesg.txt" | cmp - "$2" \
    || die "makedumpfile 1.7.8 --dump-dmesg of ${1##*/} differs from ${2##*/}"
}
# kdump_status FILE: "complete" or "incomplete" from a kdump-compressed header (status@424, bit 0x8).
kdump_status() {
  [[ $(head -c 8 "$1") == "KDUMP   " ]] || die "${1##*/} is not kdump-compressed"
  local status
  status=$(od -An -tu4 -j424 -N4 "$1" | tr -d ' ')
  if ((status & 8)); then echo incomplete; else echo complete; fi
}
# check_complete_dump VMCORE DMESG: a complete kdump-compressed vmcore whose log (read by the
# reference) equals DMESG, and which libkdumpfile reads (eng/lib/kdumpfile-check.py).
check_complete_dump() {
  [[ $(kdump_status "$1") == complete ]] || die "${1##*/} is marked incomplete"
  check_dmesg "$1" "$2"
  /usr/bin/python3 "$REPO/eng/lib/kdumpfile-check.py" "$1" "$KVER" || die "libkdumpfile does not read ${1##*/}"
}
# ext4_get_private DISK DIR FILE…: extract DIR/FILE to W/FILE, each non-empty and mode 0600.
ext4_get_private() {
  local disk=$1 dir=$2 f mode
  shift 2
  for f in "$@"; do
    ext4_get "$disk" "$dir/$f" "$W/$f"
    [[ -s $W/$f ]] || die "$f is empty"
    mode=$(ext4_mode "$disk" "$dir/$f")
    [[ $mode == 600 ]] || die "$f has mode $mode, not 600"
  done
}
# check_saved_dump DISK PARENT: the one <ip>-<date> directory in PARENT on DISK (in DUMP_DIR) holds a
# complete vmcore, vmcore-dmesg.txt and kexec-dmesg.log, each 0600, checked by check_complete_dump.
check_saved_dump() {
  DUMP_DIR=$(ext4_dump_dir "$1" "$2")
  echo "dump directory: $DUMP_DIR"
  ext4_get_private "$1" "$DUMP_DIR" vmcore vmcore-dmesg.txt kexec-dmesg.log
  check_complete_dump "$W/vmcore" "$W/vmcore-dmesg.txt"
}
# kdump_root DIR: a guest root as a sysadmin's: busybox, OUR kdumpctl, kexec and makedumpfile
# (kdumpctl's save_raw), the case's kdump.conf (+ force_no_rebuild 1: the image is built on the
# host), /etc/sysconfig/kdump (sysconfig-kdump here), the kernel and the capture image where kdumpctl
# looks for them (no initramfs-KVER.img beside the kernel: the image is in /var/lib/kdump).
kdump_root() {
  local D=$1
  mkdir -p "$D"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,boot,etc/sysconfig,var/crash,var/lib/kdump}
  cp /bin/busybox "$D/bin/busybox"
  cp "$P/kexec" "$D/sbin/kexec"; cp "$P/kdumpctl" "$D/usr/bin/kdumpctl"; cp "$P/makedumpfile" "$D/usr/sbin/makedumpfile"
  cp -L "$KDIR/vmlinuz" "$D/boot/vmlinuz-$KVER"; cp "$W/kdump.img" "$D/var/lib/kdump/initramfs-${KVER}kdump.img"
  { cat "$R/etc/kdump.conf"; grep -q '^force_no_rebuild' "$R/etc/kdump.conf" || echo "force_no_rebuild 1"; } >"$D/etc/kdump.conf"
  cp "$HERE/sysconfig-kdump" "$D/etc/sysconfig/kdump"
}
# block_tools DIR: the virtio_blk and ext4 modules as our mkdumprd resolves them for an ext4 target
# (DIR/etc/kdump/modules.load lists them in load order; `for m in $(cat …); do insmod "$m"; done`
# loads them) and lsblk (kdumpctl's signature check) with its libraries.
block_tools() {
  local S=$1 R2=$W/block-root x=$W/block-tools
  if [[ ! -d $x ]]; then
    mkdir -p "$R2/etc/sysconfig" "$R2/lib" "$x"
    ln -sfn "$(realpath --relative-to="$R2/lib" "$KDIR/root/lib/modules")" "$R2/lib/modules"
    printf 'ext4 UUID=00000000-0000-4000-8000-000000000001\nextra_modules virtio_blk virtio_pci\n' >"$R2/etc/kdump.conf"
    echo "MKDUMPRD_BACKEND=minimal" >"$R2/etc/sysconfig/kdump"
    "$MKDUMPRD" --root "$R2" --capture-program "$P/kdump-capture" --compress=none -f "$W/block-tools.img" "$KVER" >"$W/block-tools.log" 2>&1 \
      || { cat "$W/block-tools.log" >&2; die "mkdumprd (the block modules for a guest) failed"; }
    (cd "$x" && cpio -id --quiet <"$W/block-tools.img")
  fi
  mkdir -p "$S/usr/bin" "$S/etc/kdump"
  cp -a "$x/lib" "$S/"; cp "$x/etc/kdump/modules.load" "$S/etc/kdump/modules.load"
  local lsblk lib
  lsblk=$(command -v lsblk) || die "lsblk missing (util-linux)"
  cp "$lsblk" "$S/usr/bin/lsblk"
  for lib in $(ldd "$lsblk" | awk '/=>/ {print $3} /^\t\// {print $1}'); do
    mkdir -p "$S$(dirname "$lib")"; cp -L "$lib" "$S$lib"
  done
}
# initrd_of DIR IMAGE: DIR as a guest's initramfs (with the device nodes QEMU's guest needs).
initrd_of() {
  local dev
  dev=$(vm_devimg "$W")
  cpio_of "$1" "$1.cpio"
  cat ${dev:+"$dev"} "$1.cpio" >"$2"
}
# run_guest NAME INITRD APPEND [QEMU ARG…]: another boot (serial in W/NAME.txt), with the case's disks.
run_guest() {
  local name=$1 initrd=$2 append=$3 rc=0
  shift 3
  vm_qemu "$W/$name.log" "$KDIR/vmlinuz" "$initrd" "$append" "${QEMU_ARGS[@]}" "$@" || rc=$?
  echo "${name}_guest_s=$VM_GUEST_S" >>"$T"
  echo "${name}_qemu_rc=$rc" >>"$T"
  return $rc
}

# --- the case ---------------------------------------------------------------------------------
CASE_TIMEOUT=240
CASE_BACKEND=minimal
CASE_MKDUMPRD_ARGS=()
case_disks() { :; }
case_first() { :; }
case_setup() { :; }
case_cleanup() { :; }
source "$CASE_FILE"
trap case_cleanup EXIT
VM_TIMEOUT=${KDUMP_VMTEST_TIMEOUT:-$CASE_TIMEOUT}

rm -rf "$W"; mkdir -p "$W"
t_all=$(now)

# 1. Our static programs, republished when a source is newer (a stale capture program proves nothing).
t=$(now)
for tool in kdump-capture makedumpfile kexec kdumpctl; do
  publish_static "$REPO/src/Tools/$tool/$tool.csproj" "$P" "$tool" || die "no static $tool"
done
heavy dotnet build "$REPO/src/Tools/mkdumprd/mkdumprd.csproj" --nologo -v q >"$W/mkdumprd.build.log" 2>&1 \
  || { cat "$W/mkdumprd.build.log" >&2; die "build mkdumprd failed"; }
MKDUMPRD=$REPO/artifacts/bin/mkdumprd/debug/mkdumprd
echo "publish_s=$(since "$t")" >>"$T"

# 2. The capture image, built by our mkdumprd from the case's root (the lab kernel's modules).
t=$(now)
mkdir -p "$R/etc/sysconfig" "$R/lib"
ln -s "$(realpath --relative-to="$R/lib" "$KDIR/root/lib/modules")" "$R/lib/modules"
echo "MKDUMPRD_BACKEND=$CASE_BACKEND" >"$R/etc/sysconfig/kdump"
case_disks
case_root
[[ -r $R/etc/kdump.conf ]] || die "the case wrote no $R/etc/kdump.conf"
"$MKDUMPRD" --root "$R" --capture-program "$P/kdump-capture" \
  "${CASE_MKDUMPRD_ARGS[@]}" -f "$W/kdump.img" "$KVER" 2>&1 | tee "$W/mkdumprd.log"
[[ ${PIPESTATUS[0]} == 0 ]] || die "mkdumprd failed"

# 3. The first kernel's initramfs: kdump_root, first-init, the case's actions.
kdump_root "$F"
cp "$HERE/first-init" "$F/init"; chmod 755 "$F/init"
case_first >"$F/case-first.sh"
if declare -F case_load >/dev/null; then case_load >"$F/case-load.sh"; fi
if declare -F case_panic >/dev/null; then case_panic >"$F/case-panic.sh"; fi
initrd_of "$F" "$W/initrd.img"
echo "images_s=$(since "$t")" >>"$T"

# 4. The guest.
case_setup
rc=0
run_guest serial "$W/initrd.img" "console=ttyS0 crashkernel=256M nokaslr panic=-1" || rc=$?
grep -E '^(CVM-|CASE-|kdump: )' "$W/serial.txt" || true
((rc == 0)) || { tail -n 60 "$W/serial.txt" >&2; die "qemu exited with $rc (124 = timeout after ${VM_TIMEOUT}s)"; }
need_marker "CVM-LOAD rc=0 crash_loaded=1"
if ! declare -F case_load >/dev/null; then
  need_marker "CVM-KDUMPCTL | kdump: kexec: loaded kdump kernel"
  need_marker "CVM-KDUMPCTL | kdump: Starting kdump: [OK]"
fi
no_marker "CVM-STILL-ALIVE"

# 5. The verdict.
t=$(now)
case_verdict
echo "verdict_s=$(since "$t")" >>"$T"
echo "total_s=$(since "$t_all")" >>"$T"
cat "$T"
echo "capture-vm: PASS ($REL $CASE)"
