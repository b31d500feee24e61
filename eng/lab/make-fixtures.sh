#!/usr/bin/env bash
# Produces real-kernel dump fixtures for one Debian release (or all four).
#   make-fixtures.sh [bullseye|bookworm|trixie|sid|all] [--force]     (default: bookworm)
# Output: $KDUMP_LAB_DIR/fixtures/RELEASE/ (see README.md). Built in RELEASE.partial/ and renamed
# when complete; .done is written last. A failed build leaves RELEASE.partial/ with its logs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RELS=(); FORCE=0
for a in "$@"; do
  case $a in
    --force) FORCE=1 ;;
    all) RELS=(bullseye bookworm trixie sid) ;;
    bullseye|bookworm|trixie|sid) RELS+=("$a") ;;
    *) die "usage: $0 [bullseye|bookworm|trixie|sid|all] [--force]" ;;
  esac
done
((${#RELS[@]})) || RELS=(bookworm)

MEM_MIB=${KDUMP_LAB_MEM_MIB:-1024}
CRASHKERNEL=${KDUMP_LAB_CRASHKERNEL:-256M}
GUEST_TIMEOUT=${KDUMP_LAB_GUEST_TIMEOUT:-420}
SEED=${KDUMP_LAB_SEED:-4242}
# Guest state (deterministic): anonymous memory, page cache on ext4, tmpfs (shmem), slab, printk.
FILL_MIB=64 FILE_MIB=24 SHMEM_MIB=8 TREE_DIRS=40 TREE_FILES=50 KMSG_COUNT=1200
# crc32c_generic is gone since v6.14 (crc32c became a library that ext4 links directly).
MODULES=(virtio_pci virtio_blk 'crc32c_generic?' ext4 qemu_fw_cfg)
REF_BIN=$KDUMP_LAB_DIR/ref/bin

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

build_helper() { # static guest helper, shared by all releases
  local src=$LAB_SRC/guest/labhelper.c out=$KDUMP_LAB_DIR/build/labhelper
  mkdir -p "$KDUMP_LAB_DIR/build"
  if [[ ! -x $out || $src -nt $out ]]; then
    gcc -static -O2 -Wall -o "$out.tmp" "$src" && mv "$out.tmp" "$out"
  fi
  echo "$out"
}

build_initramfs() { # KDIR KVER STAGE OUT
  local kdir=$1 kver=$2 st=$3 out=$4 moddir m name lib
  moddir=$kdir/root/lib/modules/$kver
  rm -rf "$st"; mkdir -p "$st"/{bin,sbin,dev,proc,sys,tmp,data,etc/lab,lib/modules,lib64,lib/x86_64-linux-gnu}
  cp /bin/busybox "$st/bin/busybox"
  cp "$LAB_SRC/guest/init" "$st/init"; chmod 755 "$st/init"
  cp "$(build_helper)" "$st/bin/labhelper"
  mknod -m 600 "$st/dev/console" c 5 1
  : >"$st/etc/lab/modules"
  local mods; mods=$("$LAB_SRC/modorder.py" "$moddir" "${MODULES[@]}") || die "no load order for ${MODULES[*]} in $moddir"
  for m in $mods; do
    name=$(basename "$m"); name=${name%%.ko*}
    case $m in
      *.ko.xz) xz -dc "$moddir/$m" >"$st/lib/modules/$name.ko" ;;
      *.ko.zst) zstd -qdc "$moddir/$m" >"$st/lib/modules/$name.ko" ;;
      *.ko.gz) gzip -dc "$moddir/$m" >"$st/lib/modules/$name.ko" ;;
      *) cp "$moddir/$m" "$st/lib/modules/$name.ko" ;;
    esac
    echo "$name" >>"$st/etc/lab/modules"
  done
  # Reference kexec (sid's kexec-tools) with its own loader and shared libraries.
  local R=$KDUMP_LAB_DIR/ref/sid L
  L=$R/usr/lib/x86_64-linux-gnu
  cp "$R/usr/sbin/kexec" "$st/sbin/kexec"
  LD_TRACE_LOADED_OBJECTS=1 "$L/ld-linux-x86-64.so.2" --library-path "$L" "$R/usr/sbin/kexec" |
    awk '$2=="=>" && $3 ~ /^\//{print $3}' | while read -r lib; do cp -L "$lib" "$st/lib/x86_64-linux-gnu/"; done
  cp -L "$L/ld-linux-x86-64.so.2" "$st/lib64/ld-linux-x86-64.so.2"
  cat >"$st/etc/lab/config" <<CFG
SEED=$SEED
FILL_MIB=$FILL_MIB
FILE_MIB=$FILE_MIB
SHMEM_MIB=$SHMEM_MIB
TREE_DIRS=$TREE_DIRS
TREE_FILES=$TREE_FILES
KMSG_COUNT=$KMSG_COUNT
CAPTURE_APPEND="$CAPTURE_APPEND"
CFG
  (cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out"
}

vmcoreinfo() { # FILE KEY -> value from the VMCOREINFO note
  "$LAB_SRC/elfextent.py" --vmcoreinfo "$1" | awk -F= -v k="$2" '$1==k{sub(/^[^=]*=/,""); print; exit}'
}

make_one() {
  local rel=$1 fin=$KDUMP_LAB_DIR/fixtures/$1 W t_all t kver kdir
  if [[ $FORCE == 0 && -e $fin/.done ]]; then log "fixtures $rel present (use --force to rebuild)"; return 0; fi
  t_all=$(now)
  "$LAB_SRC/fetch-kernel.sh" "$rel"
  "$LAB_SRC/reference-tools.sh"
  kdir=$KDUMP_LAB_DIR/kernels/$rel; kver=$(cat "$kdir/kernel-release")
  W=$fin.partial
  rm -rf "$W"; mkdir -p "$W/work" "$W/derived"
  local T=$W/timings.txt
  CAPTURE_APPEND="console=ttyS0 nokaslr irqpoll nr_cpus=1 reset_devices panic=5 printk.devkmsg=on"
  local FIRST_APPEND="console=ttyS0 nokaslr crashkernel=$CRASHKERNEL panic=5 printk.devkmsg=on"

  log "$rel: building initramfs and disks for $kver"
  t=$(now)
  build_initramfs "$kdir" "$kver" "$W/work/stage" "$W/work/initrd.img"
  mkdir -p "$W/work/data/boot"
  cp -L "$kdir/vmlinuz" "$W/work/data/boot/vmlinuz"
  cp "$W/work/initrd.img" "$W/work/data/boot/initrd.img"
  mkfs.ext4 -q -F -L labdata -U 6b646c61-6200-4000-8000-000000000001 -E root_owner=0:0 \
    -d "$W/work/data" "$W/work/data.img" 192M >"$W/work/mkfs.log" 2>&1 || { cat "$W/work/mkfs.log" >&2; die "mkfs.ext4 failed"; }
  truncate -s $(( (MEM_MIB + 128) << 20 )) "$W/work/out.img"
  echo "build_s=$(since "$t")" >>"$T"

  log "$rel: guest run (QMP dump, then panic + capture); serial log: $W/guest.serial.log"
  local sock attempt=1
  t=$(now)
  # A second try only when the first kernel never reached our init (no LAB-READY-QMP): under TCG
  # with two vCPUs a 6.12 guest once died at 1.47 s in boot-time text patching ("Oops: int3" in
  # sched_clock_cpu, 2026-11-29 CI), before any of our code ran. Later failures are never retried.
  while true; do
    sock=$(mktemp -d /tmp/kdlab.XXXXXX)
    if heavy timeout $((GUEST_TIMEOUT + 60)) "$LAB_SRC/guest.py" --serial "$W/guest.serial.log" --sockdir "$sock" \
        --timeout "$GUEST_TIMEOUT" --qmp-dump "$W/qmp.elf" --timings "$T" -- \
        qemu-system-x86_64 -machine q35 -accel tcg -m "$MEM_MIB" -smp 2 -display none -monitor none \
        -vga none -nic none -no-reboot -device vmcoreinfo \
        -kernel "$kdir/vmlinuz" -initrd "$W/work/initrd.img" -append "$FIRST_APPEND" \
        -drive file="$W/work/data.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,serial=labdata \
        -drive file="$W/work/out.img",format=raw,if=none,id=d1,detect-zeroes=unmap,discard=unmap \
        -device virtio-blk-pci,drive=d1,serial=labout >"$W/guest.out" 2>&1; then
      rm -rf "$sock"
      break
    fi
    rm -rf "$sock"
    if (( attempt == 1 )) && ! grep -aq '^LAB-READY-QMP' "$W/guest.serial.log"; then
      mv "$W/guest.serial.log" "$W/guest.serial.attempt1.log"
      rm -f "$W/qmp.elf"
      truncate -s 0 "$W/work/out.img" && truncate -s $(( (MEM_MIB + 128) << 20 )) "$W/work/out.img"
      log "$rel: the first kernel died before our init (serial log kept as guest.serial.attempt1.log); one more try"
      attempt=2
      continue
    fi
    cat "$W/guest.out" >&2
    die "$rel: guest run failed; logs in $W (serial log: $W/guest.serial.log)"
  done
  echo "guest_wall_incl_lock_wait_s=$(since "$t")" >>"$T"

  # /proc/vmcore: cut the raw disk to the ELF's real length and check it against the guest's size.
  t=$(now)
  local done_line size head ext
  done_line=$(grep -a -m1 '^LAB-CAPTURE-DONE' "$W/guest.serial.log" | tr -d '\r')
  size=$(sed -E 's/.*size=([0-9]+).*/\1/' <<<"$done_line")
  head=$(sed -E 's/.*head4k_md5=([0-9a-f]+).*/\1/' <<<"$done_line")
  ext=$("$LAB_SRC/elfextent.py" --check "$W/work/out.img")
  [[ $ext == "$size" ]] || die "$rel: /proc/vmcore size $size but ELF extent $ext"
  mv "$W/work/out.img" "$W/proc-vmcore.elf"
  truncate -s "$size" "$W/proc-vmcore.elf"
  [[ $(head -c 4096 "$W/proc-vmcore.elf" | md5sum | cut -d' ' -f1) == "$head" ]] || die "$rel: first 4 KiB differ from the guest's /proc/vmcore"
  chmod 644 "$W/qmp.elf"
  [[ $("$LAB_SRC/elfextent.py" --check "$W/qmp.elf") == "$(stat -c %s "$W/qmp.elf")" ]] || die "$rel: qmp.elf length differs from its ELF extent"
  fallocate --dig-holes "$W/qmp.elf" 2>/dev/null || true
  local osrel qosrel
  osrel=$(vmcoreinfo "$W/proc-vmcore.elf" OSRELEASE)
  qosrel=$(vmcoreinfo "$W/qmp.elf" OSRELEASE)
  [[ $osrel == "$kver" && $qosrel == "$kver" ]] || die "$rel: OSRELEASE mismatch: vmcore '$osrel', qmp '$qosrel', kernel '$kver'"

  # Derived dumps with the reference tools (sid makedumpfile / vmcore-dmesg).
  log "$rel: derived dumps with the reference tools"
  heavy_begin  # one lock for the whole batch rather than one queue turn per command
  local MDF VMD D=$W/derived mlog=$W/derived/makedumpfile.log
  MDF=$(ls "$REF_BIN"/makedumpfile-1.* | head -1); VMD=$(ls "$REF_BIN"/vmcore-dmesg-2.* | head -1)
  local mv=${MDF##*-} kv=${VMD##*-}
  : >"$D/RESULTS"
  # 1.7.8 predates upstream commit f50c015 ("Fix wrong exclusion of compound tail pages on Linux
  # 7.1 and later"): Linux 7.1 exports OFFSET(page.compound_info) instead of compound_head, and
  # 1.7.8 then drops the tail pages of THPs at -d 8. f50c015 reads the new key into the old slot;
  # -i with the key renamed makes 1.7.8 do exactly that, so the derived dumps are upstream's.
  local V=$W/proc-vmcore.elf UP=()
  if "$LAB_SRC/elfextent.py" --vmcoreinfo "$V" | grep -q '^OFFSET(page.compound_info)='; then
    "$LAB_SRC/elfextent.py" --vmcoreinfo "$V" | sed 's/^OFFSET(page\.compound_info)=/OFFSET(page.compound_head)=/' >"$D/vmcoreinfo-upstream.txt"
    UP=(-i "$D/vmcoreinfo-upstream.txt")
  fi
  mdf() { # name args...: makedumpfile must succeed
    local name=$1; shift
    echo "### makedumpfile ${UP[*]} $*" >>"$mlog"
    local rc=0 t0; t0=$(now)
    heavy "$MDF" --message-level 22 "${UP[@]}" "$@" >>"$mlog" 2>&1 || rc=$?
    echo "derive_${name%.*}_s=$(since "$t0")" >>"$T"
    echo "$name rc=$rc" >>"$D/RESULTS"
    ((rc == 0)) || { tail -n 20 "$mlog" >&2; die "$rel: makedumpfile $* failed (rc=$rc)"; }
  }
  mdf l-d31.kdump -l -d 31 "$V" "$D/l-d31.kdump"
  mdf c-d1.kdump -c -d 1 "$V" "$D/c-d1.kdump"
  mdf z-d1.kdump -z -d 1 "$V" "$D/z-d1.kdump"
  mdf l-d0.kdump -l -d 0 "$V" "$D/l-d0.kdump"
  echo "### makedumpfile ${UP[*]} -F -l -d 31 $V > F-l-d31.flat" >>"$mlog"
  heavy "$MDF" --message-level 22 "${UP[@]}" -F -l -d 31 "$V" >"$D/F-l-d31.flat" 2>>"$mlog" || die "$rel: makedumpfile -F failed"
  echo "F-l-d31.flat rc=0" >>"$D/RESULTS"
  echo "### makedumpfile -R R-l-d31.kdump < F-l-d31.flat" >>"$mlog"
  heavy "$MDF" --message-level 22 -R "$D/R-l-d31.kdump" <"$D/F-l-d31.flat" >>"$mlog" 2>&1 || die "$rel: makedumpfile -R failed"
  echo "R-l-d31.kdump rc=0" >>"$D/RESULTS"
  cmp -s "$D/l-d31.kdump" "$D/R-l-d31.kdump" && echo "R-l-d31.kdump identical_to=l-d31.kdump" >>"$D/RESULTS" ||
    echo "R-l-d31.kdump identical_to=none" >>"$D/RESULTS"
  mdf dmesg-$mv.txt --dump-dmesg "$V" "$D/dmesg-$mv.txt"
  "$VMD" "$V" >"$D/vmcore-dmesg-$kv.txt" 2>"$D/vmcore-dmesg-$kv.err" || die "$rel: vmcore-dmesg failed on proc-vmcore.elf: $(cat "$D/vmcore-dmesg-$kv.err")"
  echo "vmcore-dmesg-$kv.txt rc=0" >>"$D/RESULTS"
  [[ -s $D/vmcore-dmesg-$kv.err ]] || rm -f "$D/vmcore-dmesg-$kv.err"
  # QMP ELF: the tools may reject it; record what they do.
  local rc=0
  "$MDF" --message-level 22 --dump-dmesg "$W/qmp.elf" "$D/qmp-dmesg-$mv.txt" >"$D/qmp-dmesg.log" 2>&1 || rc=$?
  { echo "### makedumpfile --dump-dmesg qmp.elf"; cat "$D/qmp-dmesg.log"; } >>"$mlog"
  echo "qmp-dmesg-$mv.txt rc=$rc" >>"$D/RESULTS"
  if ((rc != 0)); then
    { echo "exit_code=$rc"; echo "output:"; cat "$D/qmp-dmesg.log"; } >"$D/qmp-dmesg-$mv.failed"
    rm -f "$D/qmp-dmesg-$mv.txt"
    # makedumpfile assumes program headers at offset 64; QEMU puts section headers there. The same
    # bytes with the program headers moved (a temporary copy) give the reference dmesg anyway.
    cp --sparse=always "$W/qmp.elf" "$W/work/qmp-phdrs64.elf"
    "$LAB_SRC/elfextent.py" --phdrs-at-64 "$W/work/qmp-phdrs64.elf"
    rc=0; "$MDF" --message-level 22 --dump-dmesg "$W/work/qmp-phdrs64.elf" "$D/qmp-dmesg-$mv.txt" >"$D/qmp-dmesg.log" 2>&1 || rc=$?
    { echo "### makedumpfile --dump-dmesg qmp.elf with program headers moved to offset 64"; cat "$D/qmp-dmesg.log"; } >>"$mlog"
    echo "qmp-dmesg-$mv.txt via=phdrs-at-64 rc=$rc" >>"$D/RESULTS"
    ((rc == 0)) || rm -f "$D/qmp-dmesg-$mv.txt"
    rm -f "$W/work/qmp-phdrs64.elf"
  fi
  rm -f "$D/qmp-dmesg.log"
  rc=0
  "$VMD" "$W/qmp.elf" >"$D/qmp-vmcore-dmesg-$kv.txt" 2>"$D/qmp-vmcore-dmesg-$kv.err" || rc=$?
  echo "qmp-vmcore-dmesg-$kv.txt rc=$rc" >>"$D/RESULTS"
  if ((rc != 0)); then
    { echo "exit_code=$rc"; echo "stderr:"; cat "$D/qmp-vmcore-dmesg-$kv.err"; } >"$D/qmp-vmcore-dmesg-$kv.failed"
    rm -f "$D/qmp-vmcore-dmesg-$kv.txt" "$D/qmp-vmcore-dmesg-$kv.err"
  fi
  [[ -s $D/qmp-vmcore-dmesg-$kv.err ]] || rm -f "$D/qmp-vmcore-dmesg-$kv.err"
  grep -q 'kdlab\[' "$D/dmesg-$mv.txt" || die "$rel: lab kmsg records missing from the dmesg of proc-vmcore.elf"
  heavy_end
  echo "derive_s=$(since "$t")" >>"$T"

  # Description.
  local panic first_rec
  panic=$(grep -a -m1 -o 'Kernel panic - not syncing: .*' "$D/vmcore-dmesg-$kv.txt" | sed 's/[[:space:]]*$//') || true
  [[ -n $panic ]] || die "$rel: no panic line in the vmcore's dmesg"
  first_rec=$(grep -a -m1 -o 'kdlab\[[0-9]*\]' "$D/vmcore-dmesg-$kv.txt" || true)
  {
    echo "release=$rel"
    echo "kernel=$kver"
    echo "kernel_package=$(cat "$kdir/package")"
    echo "osrelease=$osrel"
    echo "qemu=$(qemu-system-x86_64 --version | head -1)"
    echo "qemu_mem_mib=$MEM_MIB"
    echo "qemu_smp=2"
    echo "crashkernel=$CRASHKERNEL"
    echo "first_cmdline=$FIRST_APPEND"
    echo "capture_cmdline=$CAPTURE_APPEND"
    echo "kexec=sid kexec-tools $(sed -n 's/^kexec-tools=//p' "$KDUMP_LAB_DIR/ref/VERSIONS") (kexec -s -p, own loader + libs in the initramfs)"
    echo "makedumpfile_ref=$(sed -n 's/^makedumpfile=//p' "$KDUMP_LAB_DIR/ref/VERSIONS")${UP:+ (dumps made with -i derived/vmcoreinfo-upstream.txt: compound_info read as upstream f50c015 does)}"
    echo "panic_string=$panic"
    echo "proc_vmcore_size=$size"
    echo "qmp_elf_size=$(stat -c %s "$W/qmp.elf")"
    echo "state_seed=$SEED"
    echo "state_anon_mib=$FILL_MIB (pattern pages tagged KDLAB-PG + page index; every 8th page zero)"
    echo "state_pagecache_mib=$FILE_MIB (ext4 /data/pagecache.bin, seed $((SEED + 1)))"
    echo "state_shmem_mib=$SHMEM_MIB (tmpfs /tmp/shmem.bin, seed $((SEED + 2)))"
    echo "state_tree=$TREE_DIRS dirs x $TREE_FILES files"
    echo "state_kmsg_records=$KMSG_COUNT (kdlab[NNNNN]: ...; first surviving in vmcore: $first_rec)"
    echo "guest_meminfo=$(grep -a -m1 'MemFree' "$W/guest.serial.log" | tr -d '\r')"
  } >"$W/info.txt"
  rm -rf "$W/work" "$W/guest.out"
  chmod -R a+rX,u+w "$W"
  (cd "$W" && heavy sha256sum proc-vmcore.elf qmp.elf derived/*.kdump derived/*.flat >SHA256SUMS)
  echo "total_s=$(since "$t_all")" >>"$T"
  rm -rf "$fin"; mv "$W" "$fin"
  touch "$fin/.done"
  log "$rel: fixtures ready in $fin ($(cat "$fin/timings.txt" | tr '\n' ' '))"
}

on_exit() {
  local rc=$? p
  ((rc != 0)) || return 0
  p=$(ls -d "$KDUMP_LAB_DIR"/fixtures/*.partial 2>/dev/null | head -1)
  if [[ -n $p && -f $p/guest.serial.log ]]; then
    echo "---- tail of $p/guest.serial.log" >&2; tail -n 25 "$p/guest.serial.log" >&2
    echo "---- the partial build is kept in $p (no .done)" >&2
  fi
  return "$rc"
}
trap on_exit EXIT
for r in "${RELS[@]}"; do make_one "$r"; done
