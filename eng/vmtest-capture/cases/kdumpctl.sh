# shellcheck shell=bash
# Case kdumpctl: the whole chain as a sysadmin runs it, up to `kdumpctl test`. As in every case,
# `kdumpctl start` loads the crash kernel (its command line from /proc/cmdline and
# KDUMP_COMMANDLINE_APPEND, the image from /var/lib/kdump); then `kdumpctl test --force` marks the
# test pending, reloads with kdump_test_id=<id> and writes c to /proc/sysrq-trigger; our
# kdump-capture saves the dump to `ext4 UUID=…` under /var/crash/kdump-test-<id>/ with
# vmcore-creation.status "success kdump_test_id=<id>" (kdump-reference §3.7).
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
}
