# shellcheck shell=bash
# Case raw: `raw /dev/vda`, a virtio disk without a file system. The capture kernel writes the
# flattened dump onto it (makedumpfile -F … | dd of=/dev/vda, §5.3/5.6: no vmcore-dmesg, no log).
# The first kernel loads virtio_blk so that `kdumpctl start` finds /dev/vda (its save_raw sees no
# dump on the zeroed disk and goes on to load kdump). Then the "reboot" (§5.9): a second boot of the
# lab kernel runs OUR kdumpctl start, whose save_raw finds the flattened dump on /dev/vda (lsblk sees
# no signature), saves it with OUR makedumpfile -R to <path>/<YYYY-MM-DD-HH:MM>/vmcore on an ext4
# disk mounted at /var/crash, zeroes the device's first 512 bytes, and loads kdump. The host checks the raw disk with the reference makedumpfile
# 1.7.8 -R before the second boot, and that the saved vmcore is byte-identical to that.
ROOT_UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a06
CASE_TIMEOUT=240

case_disks() {
  rm -f "$W/raw.img"; truncate -s 64M "$W/raw.img"
  make_ext4 "$W/rootfs.img" 128M "$ROOT_UUID"
  add_disk "$W/raw.img"
  add_disk "$W/rootfs.img"
}

case_root() {
  # mkdumprd reads the raw device's first block (upstream: "Bad raw disk" otherwise).
  mkdir -p "$R/dev"; head -c 4096 /dev/zero >"$R/dev/vda"
  cat >"$R/etc/kdump.conf" <<CONF
raw /dev/vda
path /var/crash
core_collector makedumpfile -F -c --message-level 7 -d 31
extra_modules virtio_blk virtio_pci
failure_action poweroff
final_action poweroff
force_no_rebuild 1
CONF
}

case_first() {
  block_tools "$F"
  echo 'for m in $(cat /etc/kdump/modules.load); do insmod "$m" 2>/dev/null; done'
  echo 'echo "CASE-RAW-DEVICE $(cat /sys/block/vda/size 2>/dev/null) sectors"'
}

# The second boot's initramfs: kdump_root and block_tools (both in capture-vm.sh).
second_initrd() {
  local S=$W/second
  kdump_root "$S"
  block_tools "$S"
  cat >"$S/init" <<'INIT'
#!/bin/busybox sh
# The boot after the crash: mount the root's /var/crash, kdumpctl start. Markers "RAWVM-…".
/bin/busybox --install -s
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in $(cat /etc/kdump/modules.load); do insmod "$m" 2>/dev/null; done
mount -t ext4 /dev/vdb /var/crash && echo "RAWVM-MOUNTED /var/crash"
echo "RAWVM-LSBLK '$(lsblk --nodeps -npo FSTYPE /dev/vda)' rc=$?"
export KDUMP_ALLOW_REBOOT=1
kdumpctl start >/tmp/out 2>&1
echo "RAWVM-START rc=$?"; sed 's/^/  | /' /tmp/out
echo "RAWVM-CRASH-LOADED $(cat /sys/kernel/kexec_crash_loaded)"
ls -l /var/crash/* | sed 's/^/  | /'
umount /var/crash; sync
echo "RAWVM-DONE"
poweroff -f; sleep 5
INIT
  chmod 755 "$S/init"
  initrd_of "$S" "$W/second.img"
}

case_verdict() {
  need_marker "CASE-RAW-DEVICE 131072 sectors"
  need_marker "kdump: saving to raw disk /dev/vda"
  need_marker "kdump: saving vmcore complete"
  need_marker "kdump: Executing final action systemctl poweroff -f"
  no_marker "saving vmcore-dmesg.txt"
  [[ $(head -c 12 "$W/raw.img") == makedumpfile ]] || die "raw.img does not start with a flattened header"
  "$MDF_REF" -R "$W/ref-vmcore" <"$W/raw.img" >"$W/ref-R.out" 2>&1 || { cat "$W/ref-R.out" >&2; die "makedumpfile 1.7.8 -R cannot read raw.img"; }
  [[ $(kdump_status "$W/ref-vmcore") == complete ]] || die "the raw dump is marked incomplete"
  "$MDF_REF" --dump-dmesg "$W/ref-vmcore" "$W/ref-dmesg.txt" >/dev/null 2>&1 || die "makedumpfile 1.7.8 --dump-dmesg failed on the raw dump"
  grep -q sysrq "$W/ref-dmesg.txt" || die "no sysrq panic in the raw dump's log"

  # The second boot: kdumpctl start saves the dump from the raw disk.
  second_initrd
  local rc=0
  run_guest second "$W/second.img" "console=ttyS0 crashkernel=256M nokaslr panic=-1" || rc=$?
  grep -E '^(RAWVM-|  \| )' "$W/second.txt" || true
  ((rc == 0)) || { tail -n 40 "$W/second.txt" >&2; die "second boot: qemu exited with $rc"; }
  grep -qF "RAWVM-MOUNTED /var/crash" "$W/second.txt" || die "second boot: /var/crash not mounted"
  grep -qF "RAWVM-LSBLK '' rc=0" "$W/second.txt" || die "second boot: lsblk saw a signature on the raw disk or failed"
  grep -qF "RAWVM-START rc=0" "$W/second.txt" || die "second boot: kdumpctl start failed"
  grep -qE '^  \| kdump: Dump saved to /var/crash/[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}/vmcore$' "$W/second.txt" \
    || die "second boot: no \"Dump saved to /var/crash/<date>/vmcore\""
  grep -qF "RAWVM-CRASH-LOADED 1" "$W/second.txt" || die "second boot: kdump not loaded after start"
  local dirs
  dirs=$(ext4_names "$W/rootfs.img" / | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}$' || true)
  [[ -n $dirs && $(wc -l <<<"$dirs") == 1 ]] || die "the root file system holds no single <date> directory: $(ext4_names "$W/rootfs.img" / | tr '\n' ' ')"
  ext4_get "$W/rootfs.img" "/$dirs/vmcore" "$W/vmcore"
  cmp "$W/vmcore" "$W/ref-vmcore" || die "kdumpctl's saved vmcore differs from makedumpfile 1.7.8 -R of the raw disk"
  /usr/bin/python3 "$REPO/eng/lib/kdumpfile-check.py" "$W/vmcore" "$KVER" || die "libkdumpfile does not read the saved vmcore"
  [[ -z $(head -c 512 "$W/raw.img" | tr -d '\0') ]] || die "the raw disk's first 512 bytes were not zeroed"
  [[ -n $(head -c 8192 "$W/raw.img" | tail -c 4096 | tr -d '\0') ]] || die "more than the first block of the raw disk was wiped"
}
