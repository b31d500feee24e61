# shellcheck shell=bash
# Case enospc: the target (16 MiB of ext4) is too small for the vmcore (~34 MiB with -c -d 31).
# Upstream (§5.2/5.3): no free-space check; the collector fails, vmcore-incomplete stays (never
# renamed), vmcore-dmesg.txt was saved first; post.d gets the non-zero status; failure_action runs
# (poweroff here), the final action does not. makedumpfile marks the kdump header incomplete (0x8).
case_disks() {
  make_ext4 "$W/dump.img" 16M 6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a04
  add_disk "$W/dump.img"
}

case_root() {
  mkdir -p "$R/bin" "$R/etc/kdump/post.d"
  cp /bin/busybox "$R/bin/busybox"
  printf '#!/bin/busybox sh\necho "CASE-POST.D rc=$1"\n' >"$R/etc/kdump/post.d/10-rc"
  chmod 755 "$R/etc/kdump/post.d/10-rc"
  cat >"$R/etc/kdump.conf" <<CONF
ext4 UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a04
path /
core_collector makedumpfile -c --message-level 7 -d 31
extra_bins /bin/busybox
extra_modules virtio_blk virtio_pci
failure_action poweroff
final_action reboot
CONF
}

case_verdict() {
  local dir names
  dir=$(ext4_dump_dir "$W/dump.img" /)
  names=$(ext4_names "$W/dump.img" "$dir" | tr '\n' ' ')
  echo "$dir: $names"
  [[ $names == *"vmcore-incomplete "* ]] || die "no vmcore-incomplete in $dir ($names)"
  [[ $names != *"vmcore "* ]] || die "a vmcore in $dir: the failed dump was renamed ($names)"
  ext4_get "$W/dump.img" "$dir/vmcore-dmesg.txt" "$W/vmcore-dmesg.txt"
  ext4_get "$W/dump.img" "$dir/vmcore-incomplete" "$W/vmcore-incomplete"
  [[ $(ext4_mode "$W/dump.img" "$dir/vmcore-dmesg.txt") == 600 ]] || die "vmcore-dmesg.txt is not 0600"
  grep -q sysrq "$W/vmcore-dmesg.txt" || die "vmcore-dmesg.txt has no sysrq panic"
  [[ $(kdump_status "$W/vmcore-incomplete") == incomplete ]] || die "vmcore-incomplete's header is not marked incomplete"
  need_marker "kdump: saving vmcore failed, exitcode:"
  need_marker "kdump: saving vmcore failed"
  grep -qE '^CASE-POST.D rc=[1-9]' "$W/serial.txt" || die "post.d did not get a non-zero status"
  need_marker "kdump: Executing failure action systemctl poweroff -f"
  no_marker "Executing final action"
  # Not checked: the reference's --dump-dmesg of the incomplete dump. It needs mem_section, which
  # sits near the top of memory (0x3ffd4000 here) and so is among the pages ENOSPC cut off; the log
  # itself is in vmcore-dmesg.txt, saved first for exactly this case. The header check is above and
  # tests/Kdump.Capture.Tests opens vmcore-incomplete with our reader.
}
