#!/usr/bin/env bash
# The 4 GiB bench vmcore (eng/bench/make-4g-vmcore.sh) as a release of the differential harness:
# .lab/compat-4g/fixtures/bench4g/ with proc-vmcore.elf and the derived dumps 1.7.8 makes of it
# ({KDUMP:…}, {FLAT}), and .lab/compat-4g/kernels/bench4g for {VMLINUX} (the vmcore's kernel is
# bookworm's 6.1.0-56, whose vmlinux the lab already has). Kept apart from .lab/fixtures so that
# the tests and the other scripts that walk the lab's releases do not pick up a 4 GiB input.
#
#   eng/compat/make-4g-fixture.sh
#   COMPAT_FIXTURES=.lab/compat-4g/fixtures COMPAT_KERNELS=.lab/compat-4g/kernels RELEASES=bench4g \
#     TIMEOUT_MIN=300 CASES_FILE=… eng/compat/diff-makedumpfile.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REF=$ROOT/.lab/ref/bin/makedumpfile-1.7.8
VMCORE=$ROOT/.lab/bench/vmcore-4g-phdrs64.elf   # the copy 1.7.8 reads (make-4g-vmcore.sh)
KERNEL=$ROOT/.lab/kernels/bookworm
OUT=$ROOT/.lab/compat-4g
F=$OUT/fixtures/bench4g
[[ -s $VMCORE ]] || { echo "make-4g-fixture: $VMCORE missing (eng/bench/make-4g-vmcore.sh)" >&2; exit 1; }
[[ -x $REF ]] || { echo "make-4g-fixture: $REF missing" >&2; exit 1; }
grep -q '^kernel=6.1.0-56-amd64 ' "$ROOT/.lab/bench/vmcore-4g.info" ||
  { echo "make-4g-fixture: the bench vmcore's kernel is not bookworm's 6.1.0-56" >&2; exit 1; }
grep -q '^kernel=6.1.0-56-amd64$' "$ROOT/.lab/fixtures/bookworm/info.txt" ||
  { echo "make-4g-fixture: the lab's bookworm kernel is not 6.1.0-56" >&2; exit 1; }
mkdir -p "$F/derived" "$OUT/kernels"
ln -sfn "$VMCORE" "$F/proc-vmcore.elf"
ln -sfn "$KERNEL" "$OUT/kernels/bench4g"
derive() { # NAME ARGS…: one derived dump by 1.7.8, unless already there
  local name=$1
  shift
  [[ -s $F/derived/$name ]] && return 0
  rm -f "$F/derived/$name.part"
  flock /tmp/kdump-heavy.lock "$REF" --message-level 0 "$@" "$VMCORE" "$F/derived/$name.part"
  mv "$F/derived/$name.part" "$F/derived/$name"
}
derive l-d31.kdump -l -d 31
derive l-d0.kdump -l -d 0
derive c-d1.kdump -c -d 1
derive z-d1.kdump -z -d 1
if [[ ! -s $F/derived/F-l-d31.flat ]]; then
  flock /tmp/kdump-heavy.lock "$REF" --message-level 0 -F -l -d 31 "$VMCORE" >"$F/derived/F-l-d31.flat.part"
  mv "$F/derived/F-l-d31.flat.part" "$F/derived/F-l-d31.flat"
fi
if [[ ! -s $F/derived/R-l-d31.kdump ]]; then
  flock /tmp/kdump-heavy.lock "$REF" --message-level 0 -R "$F/derived/R-l-d31.kdump.part" <"$F/derived/F-l-d31.flat"
  mv "$F/derived/R-l-d31.kdump.part" "$F/derived/R-l-d31.kdump"
fi
ls -l "$F/derived"
