#!/usr/bin/env bash
# Capture benchmark (issue #5 "Measure"; a script, not a test): a 1 GiB Debian lab guest panics with
# sysrq-c and its capture kernel saves the dump to an ext4 virtio disk, for each capture variant in
# the same run:
#   minimal    our mkdumprd --backend=minimal (our static kdump-capture is /init and, linked, makedumpfile)
#   dracut     our mkdumprd --backend=dracut (skipped with a note when the backend cannot build)
#   reference  busybox initramfs + Debian sid's makedumpfile 1.7.8 (own loader and libraries),
#              loaded by sid's kexec-tools 2.0.32
# Each variant uses the kdump default collector `makedumpfile -l --message-level 7 -d 31`.
# Reported per variant: seconds from the host seeing the panic marker to the host seeing the
# "saved" marker (host clock stamps on every serial line; TCG, so compare within one run), the part
# of it spent booting the capture kernel, the vmcore size, and the smallest crashkernel= (from
# CK_SIZES, by bisection) with which the dump was still saved complete.
#   run.sh [RELEASE] [VARIANT...]      (default bookworm, all variants)
#   REPEAT=3 (timing rounds)  CK_SIZES="64 80 96 112 128 160 192 256" (MiB, ascending)   BENCH_NO_SEARCH=1: timing run only
# Output: table on stdout, details in $KDUMP_LAB_DIR/bench-capture/RELEASE/.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO/.lab}"
REL=${1:-bookworm}; shift || true
VARIANTS=("$@"); ((${#VARIANTS[@]})) || VARIANTS=(minimal dracut reference)
read -r -a CK_SIZES <<<"${CK_SIZES:-64 80 96 112 128 160 192 256}"
GUEST_TIMEOUT=${KDUMP_BENCH_TIMEOUT:-240}
source "$REPO/eng/lib/heavy-lock.sh"
source "$REPO/eng/lib/publish-static.sh"
source "$REPO/eng/lib/vm.sh"
KDIR=$KDUMP_LAB_DIR/kernels/$REL
W=$KDUMP_LAB_DIR/bench-capture/$REL
P=$KDUMP_LAB_DIR/vmtest-capture/publish
SID=$KDUMP_LAB_DIR/ref/sid
SIDLIB=$SID/usr/lib/x86_64-linux-gnu
COLLECTOR="makedumpfile -l --message-level 7 -d 31"
CAPTURE_APPEND="console=ttyS0 nokaslr irqpoll nr_cpus=1 reset_devices panic=-1"
die() { echo "bench-capture: $*" >&2; exit 1; }
vm_need_tools qemu-system-x86_64 cpio mkfs.ext4 debugfs dotnet python3
vm_need_busybox
vm_need_kernel "$KDIR" "$REL"
[[ -x $SID/usr/bin/makedumpfile && -x $SID/usr/sbin/kexec ]] || die "reference tools missing: eng/lab/lab.sh all"
KVER=$(cat "$KDIR/kernel-release")
MODDIR=$KDIR/root/lib/modules/$KVER

# sid binary + its libraries + sid's loader into an image root.
install_sid() { # BINARY ROOT DEST
  mkdir -p "$2/lib/x86_64-linux-gnu" "$2/lib64" "$(dirname "$2/$3")"
  cp "$1" "$2/$3"
  LD_TRACE_LOADED_OBJECTS=1 "$SIDLIB/ld-linux-x86-64.so.2" --library-path "$SIDLIB:$SID/lib/x86_64-linux-gnu:$SID/usr/lib" "$1" |
    awk '$2=="=>" && $3 ~ /^\//{print $3}' | while read -r lib; do cp -L "$lib" "$2/lib/x86_64-linux-gnu/"; done
  cp -L "$SIDLIB/ld-linux-x86-64.so.2" "$2/lib64/ld-linux-x86-64.so.2"
}

rm -rf "$W"; mkdir -p "$W"
# 1. Our static programs (shared with capture-vm.sh) and mkdumprd.
for t in kdump-capture makedumpfile kexec; do publish_static "$REPO/src/Tools/$t/$t.csproj" "$P" "$t" || die "no static $t"; done
heavy dotnet build "$REPO/src/Tools/mkdumprd/mkdumprd.csproj" -c Release --nologo -v q >/dev/null || die "build mkdumprd failed"
MKDUMPRD=$REPO/artifacts/bin/mkdumprd/release/mkdumprd

# 2. The capture images.
R=$W/root
mkdir -p "$R/etc/sysconfig" "$R/lib"
ln -s "$(realpath --relative-to="$R/lib" "$KDIR/root/lib/modules")" "$R/lib/modules"
printf 'ext4 LABEL=kdump\npath /\ncore_collector %s\nextra_modules virtio_blk virtio_pci\nfailure_action poweroff\nfinal_action poweroff\n' \
  "$COLLECTOR" >"$R/etc/kdump.conf"
declare -A IMAGE NOTE
for v in "${VARIANTS[@]}"; do
  case $v in
    minimal|dracut)
      echo "MKDUMPRD_BACKEND=$v" >"$R/etc/sysconfig/kdump"
      if "$MKDUMPRD" --root "$R" --capture-program "$P/kdump-capture" \
           -f "$W/$v.img" "$KVER" >"$W/$v.mkdumprd.log" 2>&1; then IMAGE[$v]=$W/$v.img
      else NOTE[$v]="mkdumprd --backend=$v failed: $(tail -n 1 "$W/$v.mkdumprd.log")"; fi ;;
    reference)
      S=$W/ref-root
      mkdir -p "$S"/{bin,dev,proc,sys,mnt,tmp,lib/modules}
      cp /bin/busybox "$S/bin/busybox"
      install_sid "$SID/usr/bin/makedumpfile" "$S" usr/sbin/makedumpfile
      for m in $(python3 "$REPO/eng/lab/modorder.py" "$MODDIR" virtio_pci virtio_blk crc32c_generic ext4); do
        n=$(basename "$m"); n=${n%%.ko*}
        case $m in
          *.ko.xz) xz -dc "$MODDIR/$m" >"$S/lib/modules/$n.ko" ;;
          *.ko.zst) zstd -qdc "$MODDIR/$m" >"$S/lib/modules/$n.ko" ;;
          *) cp "$MODDIR/$m" "$S/lib/modules/$n.ko" ;;
        esac
        echo "$n" >>"$S/lib/modules/order"
      done
      cp "$HERE/reference-init" "$S/init"; chmod 755 "$S/init"
      cpio_of "$S" "$W/reference.cpio"; gzip -9n <"$W/reference.cpio" >"$W/reference.img"
      IMAGE[$v]=$W/reference.img ;;
    *) die "unknown variant $v (minimal, dracut, reference)" ;;
  esac
done

# 3. One first-kernel initrd per variant: busybox, the loader (ours; sid's for the reference), the
#    kernel and the capture image. The first kernel's /init fills memory, loads, and panics.
DEVIMG=$(vm_devimg "$W")
first_initrd() { # VARIANT
  local F=$W/first-$1
  mkdir -p "$F"/{bin,sbin,dev,proc,sys,tmp,boot}
  cp /bin/busybox "$F/bin/busybox"; cp "$HERE/first-init" "$F/init"; chmod 755 "$F/init"
  if [[ $1 == reference ]]; then install_sid "$SID/usr/sbin/kexec" "$F" sbin/kexec; else cp "$P/kexec" "$F/sbin/kexec"; fi
  cp -L "$KDIR/vmlinuz" "$F/boot/vmlinuz"; cp "${IMAGE[$1]}" "$F/boot/capture.img"
  echo "$CAPTURE_APPEND" >"$F/boot/append"
  cpio_of "$F" "$W/first-$1.cpio"
  cat $DEVIMG "$W/first-$1.cpio" >"$W/first-$1.img"
}

# 4. One guest run: RUN_DIR VARIANT CRASHKERNEL_MIB. Serial lines get host stamps ($EPOCHREALTIME).
run_guest() {
  local d=$1 v=$2 ck=$3
  mkdir -p "$d"
  truncate -s 512M "$d/disk.img"; mkfs.ext4 -q -F -L kdump "$d/disk.img"
  heavy bash -c '
    timeout "$0" qemu-system-x86_64 -machine q35 -accel tcg -m 1024 -smp 1 \
      -display none -monitor none -vga none -nic none -no-reboot -serial stdio \
      -drive "file=$1/disk.img,if=virtio,format=raw" \
      -kernel "$2" -initrd "$3" -append "console=ttyS0 crashkernel=${4}M nokaslr panic=-1" </dev/null |
    while IFS= read -r line; do printf "%s %s\n" "$EPOCHREALTIME" "${line%$'"'"'\r'"'"'}"; done >"$1/serial.ts"
    exit "${PIPESTATUS[0]}"' "$GUEST_TIMEOUT" "$d" "$KDIR/vmlinuz" "$W/first-$v.img" "$ck" || echo "qemu_rc=$?" >"$d/qemu.rc"
  # The verdict comes from the disk: a complete vmcore (ours renames vmcore-incomplete on success;
  # the reference init does the same after makedumpfile exits 0).
  local dir size
  dir=$(debugfs -R 'ls -p /' "$d/disk.img" 2>/dev/null | awk -F/ '$6 ~ /^(127\.0\.0\.1-|ref-)/ {print $6}' | head -1)
  size=
  [[ -n $dir ]] && size=$(debugfs -R "stat /$dir/vmcore" "$d/disk.img" 2>/dev/null | awk '/Size: /{for(i=1;i<=NF;i++) if($i=="Size:") print $(i+1); exit}')
  [[ -n $size && $size -gt 0 ]] || return 1
  echo "$size" >"$d/vmcore.size"
}
stamp() { awk -v pat="$2" 'index($0, pat) {print $1; exit}' "$1"; }
stamp_nth() { awk -v pat="$2" -v n="$3" 'index($0, pat) && ++c == n {print $1; exit}' "$1"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "" || b == "") print "-"; else printf "%.1f", b - a }'; }

median() { sort -n | awk '{a[NR]=$1} END{ if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }'; }
for v in "${VARIANTS[@]}"; do if [[ -n ${IMAGE[$v]:-} ]]; then first_initrd "$v"; fi; done
# Timing at crashkernel=256M (what the lab's fixtures use), variants interleaved, REPEAT rounds:
# TCG speed drifts with whatever else runs, interleaving spreads that over every variant.
declare -A SAVED BOOT SIZE
for ((rep = 1; rep <= ${REPEAT:-3}; rep++)); do
  for v in "${VARIANTS[@]}"; do
    [[ -n ${IMAGE[$v]:-} ]] || continue
    d=$W/$v-256-r$rep
    marker="kdump: saving vmcore complete"; [[ $v == reference ]] && marker=BENCH-REF-SAVED
    if run_guest "$d" "$v" 256; then
      t0=$(stamp "$d/serial.ts" BENCH-PANIC)
      SAVED[$v]+="$(sub "$t0" "$(stamp "$d/serial.ts" "$marker")") "
      BOOT[$v]+="$(sub "$t0" "$(stamp_nth "$d/serial.ts" "Linux version" 2)") "
      SIZE[$v]+="$(cat "$d/vmcore.size") "
    else
      SAVED[$v]+="failed "
    fi
  done
done
printf '%-10s %10s %12s %12s %14s  %s\n' variant saved_s capture_boot vmcore_MiB min_crashkernel "runs (saved_s) / note"
for v in "${VARIANTS[@]}"; do
  if [[ -z ${IMAGE[$v]:-} ]]; then printf '%-10s %10s %12s %12s %14s  %s\n' "$v" - - - - "${NOTE[$v]}" | tee -a "$W/results.txt"; continue; fi
  secs=$(tr ' ' '\n' <<<"${SAVED[$v]}" | grep -E '^[0-9.]+$' | median)
  boot=$(tr ' ' '\n' <<<"${BOOT[$v]:-}" | grep -E '^[0-9.]+$' | median)
  mib=$(tr ' ' '\n' <<<"${SIZE[$v]:-}" | grep -E '^[0-9]+$' | median | awk '$1 != "-" {printf "%.1f", $1 / 1048576} $1 == "-" {print "-"}')
  # Smallest crashkernel= that still saves a complete vmcore (bisection over CK_SIZES).
  best=-
  if [[ ${BENCH_NO_SEARCH:-0} != 1 ]]; then
    lo=0 hi=$((${#CK_SIZES[@]} - 1))
    while ((lo <= hi)); do
      mid=$(((lo + hi) / 2)); ck=${CK_SIZES[$mid]}
      if run_guest "$W/$v-$ck" "$v" "$ck"; then best=${ck}M; hi=$((mid - 1)); else lo=$((mid + 1)); fi
    done
  fi
  printf '%-10s %10s %12s %12s %14s  %s\n' "$v" "$secs" "$boot" "$mib" "$best" "${SAVED[$v]}" | tee -a "$W/results.txt"
done
# vmcore sizes differ between runs because each guest's memory differs (page cache and free
# memory at panic time); on one /proc/vmcore our makedumpfile and 1.7.8 write the same bytes
# (tests/Kdump.Compat.Tests), which this benchmark does not re-check.
