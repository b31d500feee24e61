# shellcheck shell=bash
# Case mem-usage: `makedumpfile --mem-usage /proc/kcore` in a running first kernel with a crash
# kernel reservation: sid's makedumpfile 1.7.8 (run through sid's own loader from a private /ref
# in the guest), OURS, then 1.7.8 again, one after the other on the same idle system. The verdict
# compares the tables: page size and total pages equal, and each category of ours within 1 % of
# the total of either 1.7.8 run or between the two. A live system drifts: once (CI, 2026-11-30)
# ~10 000 pages went from kernel data to free between a run of ours and the 1.7.8 run after it,
# so one reference run on one side could not tell drift from a wrong count. The crash kernel is
# loaded as in ext4-uuid, then the guest powers off instead of crashing (nothing to capture here).
DUMP_UUID=6b1d2f0e-5a1c-4c39-9b7e-1f2d3c4b5a09

case_disks() { var_crash_disk "$W/dump.img" "$DUMP_UUID"; }

case_root() {
  cat >"$R/etc/kdump.conf" <<CONF
ext4 UUID=$DUMP_UUID
path /var/crash
core_collector makedumpfile -l --message-level 7 -d 31
extra_modules virtio_blk virtio_pci
CONF
  # sid's makedumpfile and the libraries its own loader resolves, for /ref in the guest.
  local sid=$KDUMP_LAB_DIR/ref/sid lib=$KDUMP_LAB_DIR/ref/sid/usr/lib/x86_64-linux-gnu path
  mkdir -p "$F/ref/lib"
  cp "$sid/usr/bin/makedumpfile" "$F/ref/makedumpfile"
  cp -L "$lib/ld-linux-x86-64.so.2" "$F/ref/lib/"
  for path in $("$lib/ld-linux-x86-64.so.2" --library-path "$lib:$sid/lib/x86_64-linux-gnu:$sid/usr/lib" --list "$sid/usr/bin/makedumpfile" | awk '$2 == "=>" && $3 ~ /^\// {print $3}'); do
    cp -L "$path" "$F/ref/lib/"
  done
}

case_first() {
  cat <<'SH'
for t in ref ours ref2; do
  if [ $t = ours ]; then set -- /usr/sbin/makedumpfile; else set -- /ref/lib/ld-linux-x86-64.so.2 --library-path /ref/lib /ref/makedumpfile; fi
  "$@" --mem-usage /proc/kcore >/tmp/mu.out 2>/tmp/mu.err
  echo "CVM-MU-$t rc=$?"
  sed "s/^/CVM-MU-$t | /" /tmp/mu.out
  tr '\r' '\n' </tmp/mu.err | grep -v '^$' | sed "s/^/CVM-MU-$t-err | /"
done
SH
}

case_panic() { echo 'echo CVM-MU-DONE; poweroff -f'; }

case_verdict() {
  need_marker "CVM-MU-ours rc=0"
  need_marker "CVM-MU-ref rc=0"
  need_marker "CVM-MU-ref2 rc=0"
  need_marker "CVM-MU-DONE"
  local t
  for t in ours ref ref2; do
    sed -n "s/^CVM-MU-$t | //p" "$W/serial.txt" >"$W/mem-usage.$t"
    grep -q '^KERN_DATA' "$W/mem-usage.$t" || die "no --mem-usage table from $t"
  done
  # The layout is upstream's, line for line, once the numbers (and their padding) are blanked out.
  diff <(sed -E 's/[0-9]+ */N/g' "$W/mem-usage.ref") <(sed -E 's/[0-9]+ */N/g' "$W/mem-usage.ours") \
    || die "the --mem-usage tables differ in layout"
  # Numbers are the last field of the total lines and the second of the rows ($NF + 0: numeric).
  awk '
    FILENAME == ARGV[1] { if ($1 ~ /^[A-Z_]+$/ && $2 ~ /^[0-9]+$/) ref[$1] = $2 + 0; if (/^Total pages/) rt = $NF + 0; if (/^page size/) rp = $NF + 0; next }
    FILENAME == ARGV[2] { if ($1 ~ /^[A-Z_]+$/ && $2 ~ /^[0-9]+$/) ref2[$1] = $2 + 0; if (/^Total pages/) rt2 = $NF + 0; next }
    $1 ~ /^[A-Z_]+$/ && $2 ~ /^[0-9]+$/ { ours[$1] = $2 + 0 }
    /^Total pages/ { ot = $NF + 0 }
    /^page size/ { op = $NF + 0 }
    END {
      if (rt == 0 || rt != ot || rt2 != ot || rp != op) { printf "total pages %d vs %d and %d, page size %d vs %d\n", ot, rt, rt2, op, rp; exit 1 }
      bad = 0
      for (k in ref) {
        lo = ref[k] < ref2[k] ? ref[k] : ref2[k]; hi = ref[k] < ref2[k] ? ref2[k] : ref[k]
        # The distance from the range the two 1.7.8 runs span (0 inside it).
        d = ours[k] < lo ? lo - ours[k] : ours[k] > hi ? ours[k] - hi : 0
        printf "%-14s 1.7.8 %9d  ours %9d  1.7.8 %9d  outside by %d\n", k, ref[k], ours[k], ref2[k], d
        if (d * 100 > rt) bad = 1
      }
      exit bad
    }' "$W/mem-usage.ref" "$W/mem-usage.ref2" "$W/mem-usage.ours" || die "--mem-usage counts differ by more than 1 % of the total pages from both 1.7.8 runs"
}
