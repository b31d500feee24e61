# shellcheck shell=bash
# Case pre-fail: kdump_pre exits 3. Upstream (§5.4, kdump.sh main): "<exe> exited with 3 status",
# "kdump_pre script exited with non-zero status!", then the FINAL action — not failure_action —
# and nothing is dumped: pre.d does not run, no directory is made on the target.
case_disks() {
  make_ext4 "$W/dump.img" 64M 6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a03
  add_disk "$W/dump.img"
}

case_root() {
  mkdir -p "$R/bin" "$R/usr/local/bin" "$R/etc/kdump/pre.d"
  cp /bin/busybox "$R/bin/busybox"
  printf '#!/bin/busybox sh\necho "CASE-KDUMP-PRE failing"\nexit 3\n' >"$R/usr/local/bin/pre.sh"
  printf '#!/bin/busybox sh\necho "CASE-PRE.D ran"\n' >"$R/etc/kdump/pre.d/10-never"
  chmod 755 "$R/usr/local/bin/pre.sh" "$R/etc/kdump/pre.d/10-never"
  cat >"$R/etc/kdump.conf" <<CONF
ext4 UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a03
path /
extra_bins /bin/busybox
extra_modules virtio_blk virtio_pci
kdump_pre /usr/local/bin/pre.sh
failure_action reboot
final_action poweroff
CONF
}

case_verdict() {
  need_marker "CASE-KDUMP-PRE failing"
  need_marker "kdump: /usr/local/bin/pre.sh exited with 3 status"
  need_marker "kdump: kdump_pre script exited with non-zero status!"
  need_marker "kdump: Executing final action systemctl poweroff -f"
  no_marker "CASE-PRE.D ran"
  no_marker "kdump: saving vmcore"
  no_marker "Executing failure action"
  [[ $(ext4_names "$W/dump.img" / | tr '\n' ' ') == "lost+found " ]] || die "the target holds: $(ext4_names "$W/dump.img" / | tr '\n' ' ')"
}
