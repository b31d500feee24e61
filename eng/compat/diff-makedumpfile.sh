#!/usr/bin/env bash
# Differential harness: our makedumpfile against the reference makedumpfile 1.7.8 on the same
# command lines (eng/compat/makedumpfile-cases.txt), over the lab's real vmcores. Reports every
# difference; fixes nothing. Re-runnable; writes nothing outside .lab/.
#
#   eng/compat/diff-makedumpfile.sh                  every case × bullseye bookworm trixie sid
#   RELEASES="bookworm" ...                          only these releases
#   FILTER='dmesg|-R ' ...                           only cases whose line matches this (grep -E)
#   CASES_FILE=path ...                              another cases file (same format)
#   KEEP=1 ...                                       keep the scratch directory (printed at the end)
#   COMPAT_FIXTURES=dir COMPAT_KERNELS=dir ...         releases from elsewhere (make-4g-fixture.sh)
#   TIMEOUT_MIN=N ...                                no case gets less than N s (large inputs)
#
# For each case and release: a fresh directory .lab/scratch/compat-diff.XXXX/NNN-REL/ with ref/
# and ours/; 1.7.8 runs first, then ours, each with cwd = its own directory, the same argv and
# RELATIVE output names ({OUT} = out, …), so file names in messages are the same. Inputs made by
# the harness (truncated copies, 1.7.8's --split parts) are shared, by absolute path. stdin is
# empty unless the case says `< FILE`; stdout is a pipe (as `-F … | ssh`). Each run: nice, one at
# a time, a TIMEOUT_S=60 s timeout, or N s for a case line that starts with `TIMEOUT=N ` (exit 124
# in the results; 1.7.8 -R retries read() at the end of a short stream for 600 s).
# Compared: exit code; stdout; stderr; every file left in the two directories (cmp, and its mode:
# `mode NAME`). When stdout holds a NUL byte (a -F stream) it is compared as bytes: `stdout-size`
# when the lengths differ, `stdout-bytes` when only the bytes do; each stream is then reassembled
# by 1.7.8's -R and the two files compared (`flat-R`; only when both tools exited 0). A file that
# differs only by 1.7.8's `\xffffffXX` dmesg escapes is reported as `file NAME(\x-escape)` (a
# documented difference); stdout likewise. Not compared: the order of stdout lines relative to
# stderr lines (they are captured apart; 1.7.8's stdout is block-buffered into a pipe anyway).
# Normalised before comparing stdout/stderr (both tools alike):
#   - progress lines (`Checking for memory holes : [ 45.3 %] /  …`, `Excluding unnecessary pages`,
#     `Excluding free pages`, `Copying data`) are removed wherever they are: 1.7.8 redraws them
#     with \r, ours ends each with a newline; a line left empty by that is dropped;
#   - `STEP [name] : N seconds` lines are removed;
#   - with --split only: empty lines right after a removed progress line (1.7.8's writer children
#     end their progress lines at the same time; where the newlines land varies from run to run);
#   - the tool's own path (argv[0] in getopt messages) becomes `makedumpfile`, the scratch
#     directory `<SCR>`, the tool's own directory `<CWD>`, the repository `<ROOT>`;
#   - the random suffix of the --work-dir bitmap file (`kdump_bitmapXXXXXX`).
# Nothing else (the `Cache hit` line, Write bytes, -h text, … are reported as they are).
# Refused: any case whose argv or stdin contains /dev/ (1.7.8 unlinks and recreates its output on
# a dump-level retry; it once replaced /dev/full with a regular file).
# Results: one line per case and release on stdout (`SAME` / `DIFF <what>` / `SKIP <why>`),
# .lab/compat/diff-DATE.tsv, and .lab/compat/diff-DATE/NNN-REL.diff (argv, exit codes, first 40
# lines of the unified diff of normalised stdout and stderr, cmp of differing files) per DIFF.
# The reference sometimes aborts with `--num-threads` ("libgcc_s.so.1 must be installed for
# pthread_exit to work"); such a run is retried up to twice.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/eng/compat
PY="/usr/bin/python3 $HERE/compat.py"
OURS=$ROOT/artifacts/aot/makedumpfile/makedumpfile
REF=$ROOT/.lab/ref/bin/makedumpfile-1.7.8
REF_REAL=$ROOT/.lab/ref/sid/usr/bin/makedumpfile      # what 1.7.8 sees as argv[0]
CASES_FILE=${CASES_FILE:-$HERE/makedumpfile-cases.txt}
RELEASES=${RELEASES:-"bullseye bookworm trixie sid"}
FILTER=${FILTER:-}
KEEP=${KEEP:-}
TIMEOUT_S=${TIMEOUT_S:-60}
TIMEOUT_MIN=${TIMEOUT_MIN:-0}
LABFIX=$ROOT/.lab/fixtures
FIX=$(realpath "${COMPAT_FIXTURES:-$LABFIX}")         # absolute: each run has its own cwd
KERNELS=$(realpath "${COMPAT_KERNELS:-$ROOT/.lab/kernels}")

for f in "$OURS" "$REF"; do [[ -x $f ]] || { echo "compat: $f missing" >&2; exit 1; }; done
[[ -r $CASES_FILE ]] || { echo "compat: $CASES_FILE missing" >&2; exit 1; }
for r in $RELEASES; do
  [[ -s $FIX/$r/proc-vmcore.elf ]] || { echo "compat: $FIX/$r/proc-vmcore.elf missing" >&2; exit 1; }
done
renice -n 10 -p $$ >/dev/null 2>&1 || true    # the machine is shared; children inherit it

mkdir -p "$ROOT/.lab/scratch" "$ROOT/.lab/compat"
SCR=$(mktemp -d "$ROOT/.lab/scratch/compat-diff.XXXX")
cleanup() { if [[ -z $KEEP ]]; then rm -rf "$SCR"; else echo "compat: scratch kept in $SCR" >&2; fi; }
trap cleanup EXIT
DATE=$(date +%Y%m%d-%H%M%S)
TSV=$ROOT/.lab/compat/diff-$DATE.tsv
DDIR=$ROOT/.lab/compat/diff-$DATE
mkdir -p "$DDIR"
printf 'n\trelease\trc_ref\trc_ours\tresult\tdiffers\tms_ref\tms_ours\tcase\n' >"$TSV"

# ---- Shared inputs -------------------------------------------------------------------------------
IN=$SCR/in
mkdir -p "$IN"
$PY vmcoreinfo "$LABFIX/bookworm/proc-vmcore.elf" "$IN/vmcoreinfo.txt"
head -c 1M "$LABFIX/bookworm/derived/F-l-d31.flat" >"$IN/trunc.flat"
setup_release() { # release: truncated copies and 1.7.8's split parts, made once
  local r=$1 d=$IN/$1
  [[ -d $d ]] && return 0
  mkdir -p "$d"
  head -c 16M "$FIX/$r/proc-vmcore.elf" >"$d/trunc.elf"
  head -c 100 "$FIX/$r/proc-vmcore.elf" >"$d/trunc-hdr.elf"
  head -c 1M "$FIX/$r/derived/l-d31.kdump" >"$d/trunc.kdump"
  (cd "$d" && "$REF" --message-level 0 --split --splitblock-size 16384 -l -d 31 \
    "$FIX/$r/proc-vmcore.elf" split1 split2 split3 >split.log 2>&1) ||
    echo "compat: 1.7.8 --split for $r failed (see {SPLIT*} cases)" >&2
}

# ---- One tool run ---------------------------------------------------------------------------------
# run TOOL DIR STDIN OUTPREFIX TIMEOUT ARGV…: rc in OUTPREFIX.rc, stdout/stderr in
# OUTPREFIX.{out,err}, milliseconds in OUTPREFIX.ms
run_tool() {
  local tool=$1 dir=$2 stdin=$3 o=$4 timeout=$5 rc try t0
  shift 5
  t0=$(date +%s%N)
  for try in 1 2 3; do
    rc=0
    # stdout is a pipe, as for `makedumpfile -F … | ssh …` (1.7.8 behaves differently when it
    # can seek stdout)
    (cd "$dir" || exit 99
     set +e +o pipefail
     timeout -k 10 "$timeout" "$tool" "$@" <"${stdin:-/dev/null}" 2>"$o.err" | cat >"$o.out"
     exit "${PIPESTATUS[0]}") || rc=$?
    [[ $tool == "$REF" ]] && grep -q 'libgcc_s.so.1 must be installed' "$o.err" || break
    # the retry must start from the same directory state
    find "$dir" -mindepth 1 -maxdepth 1 ! -name existing ! -name empty ! -name emptydir -exec rm -rf {} +
    printf 'x\n' >"$dir/existing"
  done
  echo "$rc" >"$o.rc"
  echo $((($(date +%s%N) - t0) / 1000000)) >"$o.ms"
}

prepare_dir() { # the per-tool files the placeholders name
  mkdir -p "$1/emptydir"
  printf 'x\n' >"$1/existing"
  : >"$1/empty"
}

# ---- Cases -----------------------------------------------------------------------------------------
n=0 same=0 diff=0 skip=0
declare -A KIND=()
RELDEP='\{(VMCORE|VMLINUX|KDUMP:[^}]*|FLAT|SPLIT[123]|TRUNC|TRUNC_HDR|TRUNC_KDUMP)\}'
t_start=$(date +%s)
echo "compat: ours $OURS vs $REF; cases $CASES_FILE; releases $RELEASES; results $TSV" >&2

while IFS= read -r line || [[ -n $line ]]; do
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  [[ -n $FILTER ]] && ! grep -Eq -- "$FILTER" <<<"$line" && continue
  timeout=$TIMEOUT_S
  if [[ $line =~ ^TIMEOUT=([0-9]+)[[:space:]]+(.*)$ ]]; then
    timeout=${BASH_REMATCH[1]} line=${BASH_REMATCH[2]}
  fi
  ((timeout >= TIMEOUT_MIN)) || timeout=$TIMEOUT_MIN
  if [[ $line =~ $RELDEP ]]; then rels=$RELEASES; else rels=-; fi
  for r in $rels; do
    n=$((n + 1))
    id=$(printf '%03d-%s' "$n" "${r/-/any}")
    vars=(OUT=out OUT2=out2 OUT3=out3 EXISTING=existing EMPTY=empty DIR=emptydir MISSING=missing
          VMCOREINFO="$IN/vmcoreinfo.txt" TRUNC_FLAT="$IN/trunc.flat" ERASECONF="$HERE/erase.conf")
    if [[ $r != - ]]; then
      setup_release "$r"
      vars+=(VMCORE="$FIX/$r/proc-vmcore.elf" VMLINUX="$KERNELS/$r/vmlinux" FLAT="$FIX/$r/derived/F-l-d31.flat"
             SPLIT1="$IN/$r/split1" SPLIT2="$IN/$r/split2" SPLIT3="$IN/$r/split3"
             TRUNC="$IN/$r/trunc.elf" TRUNC_HDR="$IN/$r/trunc-hdr.elf" TRUNC_KDUMP="$IN/$r/trunc.kdump")
      for k in "$FIX/$r"/derived/*.kdump; do vars+=("KDUMP:$(basename "$k" .kdump)=$k"); done
    fi
    mapfile -d '' words < <($PY expand "$line" "${vars[@]}")
    if ((${#words[@]} == 0)); then
      echo "SKIP bad-line  $r  $line"; skip=$((skip + 1))
      printf '%s\t%s\t\t\tSKIP\tbad line\t\t\t%s\n' "$n" "$r" "$line" >>"$TSV"; continue
    fi
    stdin=${words[0]}
    argv=("${words[@]:1}")
    if [[ "$stdin ${argv[*]}" == */dev/* ]]; then
      echo "SKIP /dev/  $r  $line"; skip=$((skip + 1))
      printf '%s\t%s\t\t\tSKIP\targv names /dev/\t\t\t%s\n' "$n" "$r" "$line" >>"$TSV"; continue
    fi
    C=$SCR/$id
    mkdir -p "$C/ref" "$C/ours"
    prepare_dir "$C/ref"; prepare_dir "$C/ours"
    run_tool "$REF" "$C/ref" "$stdin" "$C/r" "$timeout" "${argv[@]}"
    run_tool "$OURS" "$C/ours" "$stdin" "$C/o" "$timeout" "${argv[@]}"
    rc_r=$(<"$C/r.rc") rc_o=$(<"$C/o.rc")

    what=()
    [[ $rc_r == "$rc_o" ]] || what+=(exit)
    # stdout: a flattened stream (binary) or text
    binary=
    if $PY binary "$C/r.out" || $PY binary "$C/o.out"; then binary=1; fi
    if [[ -n $binary ]]; then
      if ! cmp -s "$C/r.out" "$C/o.out"; then
        sr=$(stat -c %s "$C/r.out") so=$(stat -c %s "$C/o.out")
        if [[ $sr != "$so" ]]; then what+=(stdout-size); else what+=(stdout-bytes); fi
      fi
      # reassemble both streams when both runs succeeded (1.7.8 -R spins on a cut stream)
      if [[ $rc_r == 0 && $rc_o == 0 ]] && ! cmp -s "$C/r.out" "$C/o.out"; then
        mkdir -p "$C/R-ref" "$C/R-ours"
        (cd "$C/R-ref" && timeout -k 10 "$TIMEOUT_S" "$REF" --message-level 0 -R dump <"$C/r.out" >/dev/null 2>&1) || true
        (cd "$C/R-ours" && timeout -k 10 "$TIMEOUT_S" "$REF" --message-level 0 -R dump <"$C/o.out" >/dev/null 2>&1) || true
        if [[ ! -f $C/R-ref/dump || ! -f $C/R-ours/dump ]] || ! cmp -s "$C/R-ref/dump" "$C/R-ours/dump"; then
          what+=(flat-R)
        fi
      fi
    fi
    reps=("$REF_REAL=makedumpfile" "$REF=makedumpfile" "$OURS=makedumpfile"
          "$C/ref=<CWD>" "$C/ours=<CWD>" "$SCR=<SCR>" "$ROOT=<ROOT>")
    nopt=()
    [[ " ${argv[*]} " == *" --split "* ]] && nopt=(--split)
    for s in out err; do
      $PY norm "${nopt[@]}" "$C/r.$s" "${reps[@]}" >"$C/r.$s.n"
      $PY norm "${nopt[@]}" "$C/o.$s" "${reps[@]}" >"$C/o.$s.n"
    done
    if [[ -z $binary ]] && ! cmp -s "$C/r.out.n" "$C/o.out.n"; then
      if $PY escape-equal "$C/r.out.n" "$C/o.out.n"; then what+=('stdout(\x-escape)'); else what+=(stdout); fi
    fi
    cmp -s "$C/r.err.n" "$C/o.err.n" || what+=(stderr)
    # files left in the two directories
    filenotes=()
    while IFS= read -r f; do
      if [[ ! -e $C/ref/$f ]]; then what+=("file $f(only-ours)"); continue; fi
      if [[ ! -e $C/ours/$f ]]; then what+=("file $f(only-ref)"); continue; fi
      mr=$(stat -c %a "$C/ref/$f") mo=$(stat -c %a "$C/ours/$f")
      [[ $mr == "$mo" ]] || { what+=("mode $f"); filenotes+=("$f: mode 1.7.8 $mr, ours $mo"); }
      [[ -d $C/ref/$f && -d $C/ours/$f ]] && continue
      cmp -s "$C/ref/$f" "$C/ours/$f" && continue
      if $PY escape-equal "$C/ref/$f" "$C/ours/$f"; then what+=("file $f(\\x-escape)"); continue; fi
      what+=("file $f")
      filenotes+=("$f: ref $(stat -c %s "$C/ref/$f") bytes, ours $(stat -c %s "$C/ours/$f") bytes; $({ cmp "$C/ref/$f" "$C/ours/$f" 2>&1 || true; } | head -1 | sed "s|$C/||g")")
    done < <( (cd "$C/ref" && find . -mindepth 1 -printf '%P\n'; cd "$C/ours" && find . -mindepth 1 -printf '%P\n') | sort -u)

    if ((${#what[@]} == 0)); then
      same=$((same + 1)); result=SAME; differs=
      echo "SAME  $r  $line"
    else
      diff=$((diff + 1)); result=DIFF
      differs=$(IFS=,; echo "${what[*]}")
      echo "DIFF $differs  $r  $line"
      for w in "${what[@]}"; do
        case $w in
          file*'(\x-escape)') k='file(\x-escape)' ;;
          file*'(only-ref)') k='file(only-ref)' ;;
          file*'(only-ours)') k='file(only-ours)' ;;
          file*) k=file ;;
          'stdout(\x-escape)') k=$w ;;
          mode*) k=mode ;;
          *) k=$w ;;
        esac
        KIND[$k]=$((${KIND[$k]:-0} + 1))
      done
      {
        echo "# case $n ($r): $line"
        printf '# argv:'; printf ' %q' "${argv[@]}"; echo
        [[ -n $stdin ]] && echo "# stdin: $stdin"
        echo "# exit: 1.7.8 $rc_r, ours $rc_o; differs: $differs"
        for note in "${filenotes[@]}"; do echo "# $note"; done
        if [[ -n $binary ]]; then
          echo "# stdout (stream): 1.7.8 $(stat -c %s "$C/r.out") bytes, ours $(stat -c %s "$C/o.out") bytes"
        elif ! cmp -s "$C/r.out.n" "$C/o.out.n"; then
          $PY udiff "$C/r.out.n" "$C/o.out.n" "stdout.1.7.8" "stdout.ours" 40
        fi
        cmp -s "$C/r.err.n" "$C/o.err.n" || $PY udiff "$C/r.err.n" "$C/o.err.n" "stderr.1.7.8" "stderr.ours" 40
      } >"$DDIR/$id.diff"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$r" "$rc_r" "$rc_o" "$result" "$differs" \
      "$(<"$C/r.ms")" "$(<"$C/o.ms")" "$line" >>"$TSV"
    [[ -n $KEEP ]] || rm -rf "$C"
  done
done <"$CASES_FILE"

echo
echo "compat: $n case runs in $(($(date +%s) - t_start)) s: SAME $same, DIFF $diff, SKIP $skip"
for k in "${!KIND[@]}"; do printf '  %-22s %s\n' "$k" "${KIND[$k]}"; done | sort
echo "compat: $TSV; diffs in $DDIR/"
