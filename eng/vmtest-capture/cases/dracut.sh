# shellcheck shell=bash
# Case dracut: the capture image built by `mkdumprd --backend=dracut` (Debian 12's real dracut with
# our 99kdump-cs module; systemd in the image), target `ext4 LABEL=kdump`, `path /`. Same verdict as
# ext4-uuid: the upstream-named directory with a complete 0600 vmcore whose log, read by makedumpfile
# 1.7.8, equals vmcore-dmesg.txt — and the log shows the image was dracut's. The collector is named
# by path: /usr/sbin/makedumpfile, linked to the capture program at /usr/lib/kdump/kdump-capture.
CASE_BACKEND=dracut
CASE_TIMEOUT=360   # a systemd initramfs boots ~8 s slower than the minimal one under TCG

case_disks() {
  make_ext4 "$W/dump.img" 256M 0c9a4e51-7d2b-4f08-a3c6-2b5e8f1d9a77 kdump
  add_disk "$W/dump.img"
}

case_root() {
  cat >"$R/etc/kdump.conf" <<CONF
ext4 LABEL=kdump
path /
core_collector /usr/sbin/makedumpfile -l --message-level 7 -d 31
extra_modules virtio_blk virtio_pci
failure_action poweroff
final_action poweroff
CONF
}

case_verdict() {
  check_saved_dump "$W/dump.img" /
  need_marker "dracut-059"
  need_marker "kdump: saving vmcore complete"
}
