#!/usr/bin/env bash
# Makes the benchmark's realistic 4 GiB vmcore: the lab's bookworm (6.1) kernel in a 4 GiB TCG
# guest, filled by guest/benchfill.c (seeded: 1 GiB anonymous memory of mixed compressibility,
# 512 MiB of tmpfs files = page cache, 20000 small files = slab, 256 MiB written then freed), the
# rest never touched (zero). QMP dump-guest-memory (ELF, paging=false) with VMCOREINFO.
#   eng/bench/make-4g-vmcore.sh [--force]
# Output (cached; --force or a changed recipe rebuilds) in .lab/bench/:
#   vmcore-4g.elf          QEMU's ELF as written (section headers at 64, program headers after)
#   vmcore-4g-phdrs64.elf  the same bytes with the program headers moved to offset 64: makedumpfile
#                          1.7.2 and 1.7.8 read e_phoff as 64 and reject QEMU's layout, so the
#                          benchmark runs every tool on this copy
#   vmcore-4g.info         recipe, kernel, guest meminfo, timings
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$ROOT/eng/lab
OUT=$ROOT/.lab/bench
KDIR=$ROOT/.lab/kernels/bookworm
FORCE=0; [[ ${1:-} == --force ]] && FORCE=1

MEM_MIB=4096 SEED=20261126 ANON_MIB=1024 FILE_MIB=512 SMALL_FILES=20000 STALE_MIB=256
GUEST_TIMEOUT=${BENCH_GUEST_TIMEOUT:-480}
RECIPE="mem=$MEM_MIB seed=$SEED anon=$ANON_MIB files=$FILE_MIB small=$SMALL_FILES stale=$STALE_MIB helper=$(sha256sum "$ROOT/eng/bench/guest/benchfill.c" "$ROOT/eng/bench/guest/init" | sha256sum | cut -c1-16)"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ $FORCE == 0 && -s $OUT/vmcore-4g-phdrs64.elf && -s $OUT/vmcore-4g.info ]] &&
   grep -qxF "recipe=$RECIPE" "$OUT/vmcore-4g.info"; then
  log "cached: $OUT/vmcore-4g.elf (use --force to rebuild)"; exit 0
fi
[[ -e $KDIR/vmlinuz ]] || bash "$LAB/lab.sh" bookworm --skip-deps
kver=$(cat "$KDIR/kernel-release")

W=$OUT/work
rm -rf "$W"; mkdir -p "$W/stage"/{bin,dev,proc,sys,tmp,t,etc/bench,lib/modules}
st=$W/stage
gcc -static -O2 -Wall -Wextra -Werror -o "$st/bin/benchfill" "$ROOT/eng/bench/guest/benchfill.c"
cp /bin/busybox "$st/bin/busybox"
cp "$ROOT/eng/bench/guest/init" "$st/init"; chmod 755 "$st/init"
mknod -m 600 "$st/dev/console" c 5 1
moddir=$KDIR/root/lib/modules/$kver
: >"$st/etc/bench/modules"
for m in $("$LAB/modorder.py" "$moddir" qemu_fw_cfg); do
  name=$(basename "$m"); name=${name%%.ko*}
  case $m in
    *.ko.xz) xz -dc "$moddir/$m" >"$st/lib/modules/$name.ko" ;;
    *.ko.zst) zstd -qdc "$moddir/$m" >"$st/lib/modules/$name.ko" ;;
    *) cp "$moddir/$m" "$st/lib/modules/$name.ko" ;;
  esac
  echo "$name" >>"$st/etc/bench/modules"
done
printf 'SEED=%s\nANON_MIB=%s\nFILE_MIB=%s\nSMALL_FILES=%s\nSTALE_MIB=%s\n' "$SEED" "$ANON_MIB" "$FILE_MIB" "$SMALL_FILES" "$STALE_MIB" >"$st/etc/bench/config"
(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$W/initrd.img"

log "guest run ($MEM_MIB MiB, TCG, holding the heavy lock); serial log: $W/serial.log"
sock=$(mktemp -d /tmp/kdbench.XXXXXX)
t0=$(date +%s)
rc=0
flock /tmp/kdump-heavy.lock timeout $((GUEST_TIMEOUT + 60)) "$LAB/guest.py" --serial "$W/serial.log" --sockdir "$sock" \
  --timeout "$GUEST_TIMEOUT" --qmp-dump "$W/vmcore-4g.elf" --timings "$W/timings.txt" -- \
  qemu-system-x86_64 -machine q35 -accel tcg -m "$MEM_MIB" -smp 2 -display none -monitor none \
  -vga none -nic none -no-reboot -device vmcoreinfo \
  -kernel "$KDIR/vmlinuz" -initrd "$W/initrd.img" -append "console=ttyS0 nokaslr panic=5 quiet" \
  >"$W/guest.out" 2>&1 || rc=$?
rm -rf "$sock"
((rc == 0)) || { cat "$W/guest.out" >&2; die "guest run failed (rc=$rc); logs in $W"; }
guest_s=$(($(date +%s) - t0))

size=$("$LAB/elfextent.py" --check "$W/vmcore-4g.elf")
[[ $size == "$(stat -c %s "$W/vmcore-4g.elf")" ]] || die "vmcore-4g.elf length differs from its ELF extent ($size)"
osrel=$("$LAB/elfextent.py" --vmcoreinfo "$W/vmcore-4g.elf" | awk -F= '$1=="OSRELEASE"{print $2}')
[[ $osrel == "$kver" ]] || die "VMCOREINFO OSRELEASE '$osrel', kernel '$kver'"
chmod 644 "$W/vmcore-4g.elf"
fallocate --dig-holes "$W/vmcore-4g.elf" 2>/dev/null || true
cp --sparse=always "$W/vmcore-4g.elf" "$W/vmcore-4g-phdrs64.elf"
"$LAB/elfextent.py" --phdrs-at-64 "$W/vmcore-4g-phdrs64.elf"
{
  echo "recipe=$RECIPE"
  echo "kernel=$kver ($(cat "$KDIR/package"))"
  echo "qemu=$(qemu-system-x86_64 --version | head -1)"
  echo "size=$size"
  echo "guest_wall_incl_lock_wait_s=$guest_s"
  grep -a 'benchfill:' "$W/serial.log" | tr -d '\r' | sed 's/^/fill: /'
  echo "meminfo=$(grep -a -m1 'MemTotal' "$W/serial.log" | tr -d '\r')"
  sed 's/^/timing: /' "$W/timings.txt"
} >"$W/vmcore-4g.info"
mv "$W/vmcore-4g.elf" "$W/vmcore-4g-phdrs64.elf" "$W/vmcore-4g.info" "$OUT/"
rm -rf "$W"
log "done in ${guest_s}s: $OUT/vmcore-4g.elf, $OUT/vmcore-4g-phdrs64.elf"
cat "$OUT/vmcore-4g.info"
