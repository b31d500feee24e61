#!/usr/bin/env bash
# One entry point for the kdump fixture lab.
#   lab.sh all [--skip-deps] [--force]          deps + reference tools + bullseye, bookworm, trixie, sid
#   lab.sh RELEASE... [--skip-deps] [--force]   the same for some releases (bullseye|bookworm|trixie|sid)
#   lab.sh summary                              print what is there
# KDUMP_LAB_DIR defaults to <repo>/.lab. --skip-deps (or KDUMP_LAB_SKIP_DEPS=1) skips install-deps.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RELS=(); SKIP_DEPS=${KDUMP_LAB_SKIP_DEPS:-0}; FORCE=(); SUMMARY_ONLY=0
for a in "$@"; do
  case $a in
    all) RELS=(bullseye bookworm trixie sid) ;;
    bullseye|bookworm|trixie|sid) RELS+=("$a") ;;
    --skip-deps) SKIP_DEPS=1 ;;
    --force) FORCE=(--force) ;;
    summary) SUMMARY_ONLY=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown argument '$a' (see $0 --help)" ;;
  esac
done
((${#RELS[@]})) || RELS=(bullseye bookworm trixie sid)

summary() {
  local r f
  echo "==== kdump lab summary ($KDUMP_LAB_DIR)"
  [[ -f $KDUMP_LAB_DIR/ref/VERSIONS ]] && grep -E '^(makedumpfile|kexec-tools|libc6)=' "$KDUMP_LAB_DIR/ref/VERSIONS" | sed 's/^/  ref: /'
  for r in "${RELS[@]}"; do
    f=$KDUMP_LAB_DIR/fixtures/$r
    if [[ -e $f/.done ]]; then
      echo "  $r: $(sed -n 's/^kernel=//p' "$f/info.txt") ($(sed -n 's/^kernel_package=//p' "$f/info.txt"))"
      echo "    timings: $(tr '\n' ' ' <"$f/timings.txt")"
      (cd "$f" && find . -type f ! -name '.done' -printf '%p %s\n' | LC_ALL=C sort |
        awk '{printf "    %-40s %10.1f MiB\n", substr($1,3), $2/1048576}')
    else
      echo "  $r: MISSING (no $f/.done)"
    fi
  done
}
if ((SUMMARY_ONLY)); then summary; exit 0; fi

declare -A T=()
step() { # name cmd...
  local name=$1 t0=$SECONDS; shift
  log "== $name"
  "$@" || { log "FAILED: $name"; exit 1; }
  T[$name]=$((SECONDS - t0))
}
t_start=$SECONDS
if [[ $SKIP_DEPS != 1 ]]; then step install-deps heavy "$LAB_SRC/install-deps.sh"; fi
step reference-tools "$LAB_SRC/reference-tools.sh" "${FORCE[@]}"
step fence-agents "$LAB_SRC/fence-agents.sh" "${FORCE[@]}"
step isc-dhcp-server "$LAB_SRC/isc-dhcp-server.sh" "${FORCE[@]}"
step pacemaker "$LAB_SRC/pacemaker.sh" "${FORCE[@]}"
for r in "${RELS[@]}"; do
  step "fetch-$r" "$LAB_SRC/fetch-kernel.sh" "$r" "${FORCE[@]}"
  step "fixtures-$r" "$LAB_SRC/make-fixtures.sh" "$r" "${FORCE[@]}"
  step "vmlinux-$r" "$LAB_SRC/fetch-vmlinux.sh" "$r" "${FORCE[@]}"
  step "module-debug-$r" "$LAB_SRC/fetch-module-debug.sh" "$r" "${FORCE[@]}"
done
summary
echo "  wall time per step (s):$(for k in "${!T[@]}"; do printf ' %s=%s' "$k" "${T[$k]}"; done | tr ' ' '\n' | sort | tr '\n' ' ')"
echo "  total: $((SECONDS - t_start)) s"
