# shellcheck shell=bash
# Case ext4-uuid: the usual upstream target, `ext4 UUID=…` with `path /var/crash`, on a virtio disk
# (not mounted in the first kernel: the capture kernel mounts it at /kdumproot). The directory
# /var/crash/127.0.0.1-<date> holds vmcore (complete, 0600), vmcore-dmesg.txt (0600) and
# kexec-dmesg.log, and makedumpfile 1.7.8 finds the same log in the vmcore as vmcore-dmesg.txt.
DUMP_UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a01

case_disks() { var_crash_disk "$W/dump.img" "$DUMP_UUID"; }

case_root() {
  cat >"$R/etc/kdump.conf" <<CONF
ext4 UUID=$DUMP_UUID
path /var/crash
core_collector makedumpfile -c --message-level 7 -d 31
extra_modules virtio_blk virtio_pci
failure_action poweroff
final_action poweroff
CONF
}

case_verdict() {
  check_saved_dump "$W/dump.img" /var/crash
  # Nothing else: no incomplete files, no leftovers.
  [[ $(ext4_names "$W/dump.img" "$DUMP_DIR" | tr '\n' ' ') == "kexec-dmesg.log vmcore vmcore-dmesg.txt " ]] \
    || die "$DUMP_DIR holds: $(ext4_names "$W/dump.img" "$DUMP_DIR" | tr '\n' ' ')"
  need_marker "kdump: saving vmcore complete"
  need_marker "kdump: Executing final action systemctl poweroff -f"
}
