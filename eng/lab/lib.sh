# Shared helpers for the kdump fixture lab. Source it; do not run it.
# shellcheck shell=bash

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LAB_SRC/../.." && pwd)
: "${KDUMP_LAB_DIR:=$REPO_ROOT/.lab}"
export KDUMP_LAB_DIR
HEAVY_LOCK=${KDUMP_HEAVY_LOCK:-/tmp/kdump-heavy.lock}
# A caller that already holds the heavy lock around the whole lab (e.g. `flock LOCK lab.sh all`)
# must say so with KDUMP_LAB_NO_LOCK=1, or the lab's own flock calls would wait for it forever.
[[ ${KDUMP_LAB_NO_LOCK:-0} == 1 ]] && export LAB_HEAVY_HELD=external

log() { printf '[lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command holding the machine-wide "heavy job" lock (one heavy job on the 2 cores at a time).
# Re-entrant: nested calls inside a holder do not take the lock again.
heavy() {
  if [[ -n ${LAB_HEAVY_HELD:-} ]]; then "$@"; return; fi
  LAB_HEAVY_HELD=1 flock "$HEAVY_LOCK" "$@"
}

# Hold the heavy lock across several commands of this shell (fd 9): heavy_begin ... heavy_end.
heavy_begin() {
  [[ -n ${LAB_HEAVY_HELD:-} ]] && return 0
  exec 9>>"$HEAVY_LOCK"; flock 9; LAB_HEAVY_HELD=fd9
}
heavy_end() {
  [[ ${LAB_HEAVY_HELD:-} == fd9 ]] || return 0
  flock -u 9; exec 9>&-; unset LAB_HEAVY_HELD
}

# Mirror URIs as configured for this machine (deb822 sources); fall back to Debian's defaults.
_lab_uri() { # $1 = 'debian' or 'debian-security'
  local want=$1 u
  u=$(grep -hoE "^URIs:[[:space:]]*\S+/$want/?\$" /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}') || true
  if [[ -z $u ]]; then
    u=$(grep -hoE "^deb\s+\S+/$want/?\s" /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 | awk '{print $2}') || true
  fi
  [[ -n $u ]] || u="http://deb.debian.org/$want"
  echo "${u%/}"
}

# Private apt configuration for another Debian suite. Never touches the host's apt state.
# Usage: lab_apt SUITE apt-get-args...   (SUITE: bullseye | bookworm | trixie | sid)
lab_apt_dir() { echo "$KDUMP_LAB_DIR/apt/$1"; }
lab_apt_setup() {
  local suite=$1 d main sec
  d=$(lab_apt_dir "$suite")
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  main=$(_lab_uri debian); sec=$(_lab_uri debian-security)
  case $suite in
    sid) printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s sid main\n' "$main" ;;
    bullseye) printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "$main" bullseye "$main" bullseye-updates "$sec" bullseye-security ;;
    *) printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "$main" "$suite" "$main" "$suite-updates" "$sec" "$suite-security" ;;
  esac > "$d/sources.list"
  # Refresh lists at most every 6 hours.
  if [[ ! -e $d/updated ]] || [[ -n $(find "$d/updated" -mmin +360 2>/dev/null) ]]; then
    log "apt update ($suite)"
    lab_apt "$suite" update -qq >"$d/update.log" 2>&1 || { cat "$d/update.log" >&2; die "apt update for $suite failed"; }
    touch "$d/updated"
  fi
}
lab_apt() {
  local suite=$1; shift
  local d; d=$(lab_apt_dir "$suite")
  apt-get -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
    -o Dir::State::status=/var/lib/dpkg/status -o APT::Get::List-Cleanup=0 \
    -o Debug::NoLocking=1 -o Acquire::Languages=none "$@"
}
lab_apt_cache() {
  local suite=$1; shift
  local d; d=$(lab_apt_dir "$suite")
  apt-cache -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" "$@"
}
# Candidate version of PKG in SUITE's private apt view.
lab_candidate() { lab_apt_cache "$1" policy "$2" | awk '/Candidate:/{print $2; exit}'; }
