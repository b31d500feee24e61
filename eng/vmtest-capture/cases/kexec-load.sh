# shellcheck shell=bash
# Case kexec-load: a sysadmin's KEXEC_ARGS="-c" in /etc/sysconfig/kdump (kexec_load instead of
# kexec_file_load, as on kernels without the file syscall). Our kdumpctl start loads the capture
# kernel through our kexec_load path: our zero page, purgatory and ELF core headers (the capture
# kernel's command line ends in kexec-tools' `elfcorehdr=NNNK`, where kexec_file_load puts
# `elfcorehdr=0x…` first). The dump, made through those headers, is the ext4-uuid case's: complete,
# its log the panic's, read by makedumpfile 1.7.8 and libkdumpfile; crash 8.0.2 with the kernel's
# debug vmlinux shows the panic's backtrace in it.
DUMP_UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a0c

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

case_first() {
  echo "sed -i 's/^KEXEC_ARGS=.*/KEXEC_ARGS=\"-c\"/' /etc/sysconfig/kdump"
  echo 'echo "CASE-KEXEC-ARGS $(grep ^KEXEC_ARGS= /etc/sysconfig/kdump)"'
}

case_verdict() {
  need_marker 'CASE-KEXEC-ARGS KEXEC_ARGS="-c"'
  grep -qE '^\[ *[0-9.]+\] Command line: .* elfcorehdr=[0-9]+K$' "$W/serial.txt" \
    || die "the capture kernel's command line does not end in kexec_load's elfcorehdr=NNNK"
  check_saved_dump "$W/dump.img" /var/crash
  # crash 8.0.2 (Debian 12) reads kernels up to 6.1.
  case $REL in
    bullseye|bookworm)
      [[ -e $KDIR/.vmlinux-done ]] || die "no debug vmlinux in $KDIR (eng/lab/fetch-vmlinux.sh)"
      printf 'sys\nbt\nquit\n' >"$W/crash.cmds"
      /usr/bin/crash -s --no_scroll -i "$W/crash.cmds" "$KDIR/vmlinux" "$W/vmcore" >"$W/crash.out" 2>&1 \
        || { cat "$W/crash.out" >&2; die "crash cannot open the vmcore"; }
      grep -q 'sysrq_handle_crash' "$W/crash.out" || { cat "$W/crash.out" >&2; die "crash shows no sysrq_handle_crash in the panic's backtrace"; } ;;
  esac
  need_marker "kdump: saving vmcore complete"
  need_marker "kdump: Executing final action systemctl poweroff -f"
}
