# shellcheck shell=bash
# Case hooks: kdump_pre, /etc/kdump/pre.d, /etc/kdump/post.d and kdump_post around a dump to
# `ext4 LABEL=…` (the label form). The scripts are `#!/bin/sh` (the root's /bin/sh is a link to
# busybox) and `#!/bin/busybox sh`: mkdumprd brings each script's interpreter, as dracut's
# inst_script does; nothing names busybox in kdump.conf. Upstream order (§5.4):
# kdump_pre, then pre.d; the dump; post.d, then kdump_post, each with the dump's exit status as $1.
# Each prints a "CASE-…" line on the console; the post hooks also leave a file on the dump disk.
# The collector is named by path, so it runs as a process: the image's /usr/sbin/makedumpfile, a
# link to the multi-call /init. It runs with -e --work-dir /tmp: the struct pages of the pages it
# leaves out go too (the header says so, and the console counts them).
case_disks() {
  make_ext4 "$W/dump.img" 256M 6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a02 kdump
  add_disk "$W/dump.img"
}

hook() { # FILE INTERPRETER BODY
  mkdir -p "$(dirname "$1")"
  printf '#!%s\n%s\n' "$2" "$3" >"$1"
  chmod 755 "$1"
}

case_root() {
  mkdir -p "$R/bin"; cp /bin/busybox "$R/bin/busybox"; ln -s busybox "$R/bin/sh"
  hook "$R/usr/local/bin/pre.sh" /bin/sh 'echo "CASE-KDUMP-PRE args=$#"'
  hook "$R/etc/kdump/pre.d/10-first" '/bin/busybox sh' 'echo "CASE-PRE.D 10-first args=$#"'
  hook "$R/etc/kdump/pre.d/20-second" /bin/sh 'echo "CASE-PRE.D 20-second"; exit 7'
  hook "$R/etc/kdump/post.d/10-post" /bin/sh 'echo "CASE-POST.D 10-post rc=$1"; echo "$1" >/kdumproot/post.d-rc'
  hook "$R/usr/local/bin/post.sh" '/bin/busybox sh' 'echo "CASE-KDUMP-POST rc=$1"; echo "$1" >/kdumproot/kdump_post-rc'
  # Not executable: mkdumprd leaves it out with a warning (upstream: "<file> is not executable").
  printf '#!/bin/busybox sh\necho CASE-NOT-EXECUTABLE\n' >"$R/etc/kdump/post.d/30-plain"
  cat >"$R/etc/kdump.conf" <<CONF
ext4 LABEL=kdump
path /
core_collector /usr/sbin/makedumpfile -l --message-level 7 -d 31 -e --work-dir /tmp
extra_modules virtio_blk virtio_pci
kdump_pre /usr/local/bin/pre.sh
kdump_post /usr/local/bin/post.sh
failure_action poweroff
final_action poweroff
CONF
}

case_verdict() {
  grep -q 'post.d/30-plain is not executable' "$W/mkdumprd.log" || die "mkdumprd did not warn about the non-executable hook"
  # The collector named by path runs as a process: the image's makedumpfile, a link to the
  # multi-call /init (kdump-capture), saved the dump below.
  local list
  list=$(zstd -dc "$W/kdump.img" | cpio -itv --quiet) || die "cannot list kdump.img"
  grep -qE ' usr/sbin/makedumpfile -> /init$' <<<"$list" || die "the image's /usr/sbin/makedumpfile is not a link to /init"
  # Order on the console: kdump_pre, pre.d in name order (a failing pre.d script is only logged),
  # the dump, post.d, kdump_post.
  local got want
  got=$(grep -E '^(CASE-|kdump: (saving vmcore complete|/etc/kdump/pre.d/20-second exited))' "$W/serial.txt")
  want=$(printf '%s\n' "CASE-KDUMP-PRE args=0" "CASE-PRE.D 10-first args=0" "CASE-PRE.D 20-second" \
    "kdump: /etc/kdump/pre.d/20-second exited with 7 status" "kdump: saving vmcore complete" \
    "CASE-POST.D 10-post rc=0" "CASE-KDUMP-POST rc=0")
  [[ $got == "$want" ]] || { diff <(echo "$want") <(echo "$got") >&2; die "hook order or arguments differ"; }
  no_marker "CASE-NOT-EXECUTABLE"
  local dir
  dir=$(ext4_dump_dir "$W/dump.img" /)
  for f in vmcore vmcore-dmesg.txt; do ext4_get "$W/dump.img" "$dir/$f" "$W/$f"; done
  check_complete_dump "$W/vmcore" "$W/vmcore-dmesg.txt"
  grep -qE 'Excluded [1-9][0-9]* unused vmemmap pages' "$W/serial.txt" || die "-e left no struct pages out"
  # disk_dump_header.status (offset 424) has DUMP_DH_EXCLUDED_VMEMMAP (0x10).
  (( $(od -An -tu4 -j424 -N4 "$W/vmcore") & 16 )) || die "the vmcore header lacks DUMP_DH_EXCLUDED_VMEMMAP"
  ext4_get "$W/dump.img" /post.d-rc "$W/post.d-rc"
  ext4_get "$W/dump.img" /kdump_post-rc "$W/kdump_post-rc"
  [[ $(cat "$W/post.d-rc") == 0 && $(cat "$W/kdump_post-rc") == 0 ]] || die "post hooks' files hold $(cat "$W/post.d-rc") and $(cat "$W/kdump_post-rc"), not 0"
  need_marker "kdump: Executing final action systemctl poweroff -f"
}
