# shellcheck shell=bash
# Case rootfs: failure_action dump_to_rootfs when the target is unreachable (`ext4 UUID=` of no
# disk). Upstream (§5.3, mkdumprd): the image also mounts the first kernel's root file system at
# /sysroot; the dump to the target fails, the error handler mounts /sysroot and dumps to
# /sysroot/<path>/127.0.0.1-<date>, then runs the final action. The first kernel's root is
# described to mkdumprd by the root's /proc/self/mountinfo: / is /dev/vda (ext4), the disk here.
ROOT_UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a05
case_disks() { var_crash_disk "$W/rootfs.img" "$ROOT_UUID"; }

case_root() {
  mkdir -p "$R/proc/self"
  echo "21 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,errors=remount-ro" >"$R/proc/self/mountinfo"
  cat >"$R/etc/kdump.conf" <<CONF
ext4 UUID=00000000-0000-4000-8000-00000000dead
path /var/crash
core_collector makedumpfile -l --message-level 7 -d 31
extra_modules virtio_blk virtio_pci
failure_action dump_to_rootfs
final_action poweroff
CONF
}

case_verdict() {
  need_marker "kdump: failed to dump to '/kdumproot', it's not a mount point!"
  need_marker "kdump: Executing failure action dump_to_rootfs"
  need_marker "kdump: saving vmcore complete"
  need_marker "kdump: Executing final action systemctl poweroff -f"
  local dir
  dir=$(ext4_dump_dir "$W/rootfs.img" /var/crash)
  echo "dump directory on the root file system: $dir"
  for f in vmcore vmcore-dmesg.txt kexec-dmesg.log; do ext4_get "$W/rootfs.img" "$dir/$f" "$W/$f"; done
  check_complete_dump "$W/vmcore" "$W/vmcore-dmesg.txt"
}
