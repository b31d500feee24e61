# shellcheck shell=bash
# Case kdumpctl: the whole chain as a sysadmin runs it, up to `kdumpctl test`. As in every case,
# `kdumpctl start` loads the crash kernel (its command line from /proc/cmdline and
# KDUMP_COMMANDLINE_APPEND, the image from /var/lib/kdump); then `kdumpctl test --force` marks the
# test pending, reloads with kdump_test_id=<id> and writes c to /proc/sysrq-trigger; our
# kdump-capture saves the dump to `ext4 UUID=…` under /var/crash/kdump-test-<id>/ with
# vmcore-creation.status "success kdump_test_id=<id>" (kdump-reference §3.7). Then the boot after
# the test: `kdumpctl start` finds the test pending in /var/lib/kdump/vmcore-creation.status, reads
# the result from the target — not mounted in that kernel, so through a temporary mount under /run,
# unmounted after — and reports "Last successful vmcore creation test". The first boot's /var/lib
# is RAM (its initramfs): the host carries the pending line across, the id from the directory name.
DUMP_UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a07

case_disks() { var_crash_disk "$W/dump.img" "$DUMP_UUID"; }

case_root() {
  cat >"$R/etc/kdump.conf" <<CONF
ext4 UUID=$DUMP_UUID
path /var/crash
core_collector makedumpfile -l --message-level 7 -d 31
extra_modules virtio_blk virtio_pci
failure_action poweroff
final_action poweroff
CONF
}

case_panic() {
  echo 'kdumpctl test --force 2>&1 | sed "s/^/CASE-KDUMPCTL | /"'
}

# second_initrd ID: the boot after the test (kdump_root and block_tools are capture-vm.sh's).
second_initrd() {
  local S=$W/second
  kdump_root "$S"
  block_tools "$S"
  echo "pending kdump_test_id=$1" >"$S/var/lib/kdump/vmcore-creation.status"
  cat >"$S/init" <<'INIT'
#!/bin/busybox sh
# The boot after `kdumpctl test`: kdumpctl start reports the test. Markers "TESTVM…".
/bin/busybox --install -s
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in $(cat /etc/kdump/modules.load); do insmod "$m" 2>/dev/null; done
export KDUMP_ALLOW_REBOOT=1
kdumpctl start >/tmp/out 2>&1
echo "TESTVM-START rc=$?"; sed 's/^/TESTVM | /' /tmp/out
echo "TESTVM-STATUS $(cat /var/lib/kdump/vmcore-creation.status)"
echo "TESTVM-LEFT-MOUNTED $(grep -c /run/kdumpctl-status /proc/mounts)"
poweroff -f; sleep 5
INIT
  chmod 755 "$S/init"
  initrd_of "$S" "$W/second.img"
}

case_verdict() {
  need_marker "CASE-KDUMPCTL | kdump: Start kdump test..."
  local names id
  names=$(ext4_names "$W/dump.img" /var/crash)
  id=$(sed -n 's/^kdump-test-\([0-9]*-[0-9]*\)$/\1/p' <<<"$names")
  [[ -n $id && $names == "kdump-test-$id" ]] || die "/var/crash should hold one kdump-test-<id> directory, has: $names"
  DUMP_DIR=/var/crash/kdump-test-$id
  echo "dump directory: $DUMP_DIR"
  names=$(ext4_names "$W/dump.img" "$DUMP_DIR")
  [[ $names == $'kexec-dmesg.log\nvmcore\nvmcore-creation.status\nvmcore-dmesg.txt' ]] || die "$DUMP_DIR holds: $names"
  ext4_get_private "$W/dump.img" "$DUMP_DIR" vmcore vmcore-dmesg.txt kexec-dmesg.log vmcore-creation.status
  [[ $(cat "$W/vmcore-creation.status") == "success kdump_test_id=$id" ]] || die "vmcore-creation.status: $(cat "$W/vmcore-creation.status")"
  grep -q "kdump_test_id=$id" "$W/kexec-dmesg.log" || die "the capture kernel's command line has no kdump_test_id=$id"
  check_complete_dump "$W/vmcore" "$W/vmcore-dmesg.txt"
  need_marker "kdump: saving vmcore complete"

  second_initrd "$id"
  local rc=0
  run_guest second "$W/second.img" "console=ttyS0 crashkernel=256M nokaslr panic=-1" || rc=$?
  grep -E '^TESTVM' "$W/second.txt" || true
  ((rc == 0)) || { tail -n 40 "$W/second.txt" >&2; die "second boot: qemu exited with $rc"; }
  grep -qF "TESTVM-START rc=0" "$W/second.txt" || die "second boot: kdumpctl start failed"
  grep -qE '^TESTVM \| kdump: Notice: Last successful vmcore creation test on ' "$W/second.txt" \
    || die "second boot: kdumpctl start did not report the successful test"
  grep -qF "TESTVM-STATUS success kdump_test_id=$id" "$W/second.txt" || die "second boot: the local status was not resolved to success"
  grep -qF "TESTVM-LEFT-MOUNTED 0" "$W/second.txt" || die "second boot: the temporary mount was left behind"
}
