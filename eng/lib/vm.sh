# shellcheck shell=bash
# What the QEMU/TCG VM tests share. Source after heavy-lock.sh; the caller defines die().
#   vm_need_tools TOOL…          die unless every TOOL is on PATH
#   vm_need_busybox              die unless /bin/busybox (busybox-static) works
#   vm_need_kernel KDIR REL      die unless KDIR/vmlinuz exists (the lab kernel for REL)
#   now / since T                wall clock; seconds since T with one decimal
#   cpio_of DIR OUT              a newc archive of DIR (sorted, owned by root)
#   vm_devimg W                  prints W/dev.img, the /dev/console archive (empty when not root)
#   vm_qemu LOG KERNEL INITRD APPEND [QEMU ARG…]
#                                one guest under the heavy lock and `timeout $VM_TIMEOUT` with the
#                                safe flags below; serial console to LOG, and LOG with \r removed to
#                                LOG's .txt sibling. Returns QEMU's exit status (124: timeout).
#     VM_TIMEOUT                 seconds (default 150)
#     VM_NET=(…)                 network arguments (default: -nic none); a network test passes its
#                                own -netdev/-device pair (user networking, restrict=on)
#     VM_WRAP=(…)                a command prefix for QEMU, e.g. (ip netns exec NAME)
#     VM_QEMU_OUT                file for QEMU's own stdout/stderr (default: inherited)
#     VM_TIMINGS                 when set, guest_s=<wall time inside the lock> is appended to it
#   After vm_qemu, VM_GUEST_S holds that time.
VM_NET=(-nic none)
VM_WRAP=()
: "${VM_TIMEOUT:=150}"
VM_GUEST_S=

vm_need_tools() {
  local t
  for t in "$@"; do command -v "$t" >/dev/null || die "$t is missing (eng/lab/install-deps.sh)"; done
}

vm_need_busybox() {
  [[ -x /bin/busybox ]] && /bin/busybox --list >/dev/null || die "/bin/busybox (busybox-static) is missing"
}

vm_need_kernel() {
  [[ -r $1/vmlinuz ]] || die "no lab kernel in $1: run eng/lab/fetch-kernel.sh $2 (or eng/lab/lab.sh $2)"
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

cpio_of() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"; }

# Without a /dev/console node in the initramfs the kernel has no console for /init (its output is
# lost); a node needs root, so it travels in its own small archive placed first.
vm_devimg() {
  [[ $(id -u) == 0 ]] || return 0
  mkdir -p "$1/devroot/dev"
  [[ -c $1/devroot/dev/console ]] || mknod -m 600 "$1/devroot/dev/console" c 5 1
  cpio_of "$1/devroot" "$1/dev.img"
  echo "$1/dev.img"
}

vm_qemu() {
  local log=$1 kernel=$2 initrd=$3 append=$4 rc=0 gs=$1.guest_s
  shift 4
  rm -f "$gs"
  # The guest's wall time is measured inside the lock (the lock wait is not the guest's).
  local -a cmd=(heavy bash -c 's=$(date +%s.%N); "$@"; rc=$?; awk -v a="$s" -v b="$(date +%s.%N)" "BEGIN{printf \"%.1f\", b-a}" >"'"$gs"'"; exit $rc' guest
    "${VM_WRAP[@]}" timeout "$VM_TIMEOUT" qemu-system-x86_64 -machine q35 -accel tcg -m 1024 -smp 1
    -display none -monitor none -vga none -no-reboot -serial "file:$log" "${VM_NET[@]}" "$@"
    -kernel "$kernel" -initrd "$initrd" -append "$append")
  if [[ -n ${VM_QEMU_OUT:-} ]]; then "${cmd[@]}" >"$VM_QEMU_OUT" 2>&1 || rc=$?; else "${cmd[@]}" || rc=$?; fi
  VM_GUEST_S=$(cat "$gs" 2>/dev/null || echo "?")
  [[ -z ${VM_TIMINGS:-} ]] || echo "guest_s=$VM_GUEST_S" >>"$VM_TIMINGS"
  if [[ -f $log ]]; then tr -d '\r' <"$log" >"${log%.*}.txt"; else : >"${log%.*}.txt"; fi
  return $rc
}
