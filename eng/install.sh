#!/usr/bin/env bash
# README command 1: install everything on a fresh Debian 12 machine (as root), build, and run
# the main job: make a real-kernel vmcore in QEMU and show what our readers see in it.
#   bash eng/install.sh [RELEASE|demo]   RELEASE: bookworm (default), bullseye, trixie, sid; demo: crash a
#                                        guest and capture it with our kdump (eng/main.sh demo)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RELEASE=${1:-bookworm}
MAIN=("$RELEASE")
# `install.sh demo`: the main job crashes a guest and captures it with our tools (eng/main.sh).
if [[ $RELEASE == demo ]]; then RELEASE=bookworm; MAIN=(demo bookworm); fi
cd "$ROOT"

if ! command -v dotnet >/dev/null; then
  echo "install: the .NET 10 SDK (dotnet) is not on PATH; this project needs it" >&2
  exit 1
fi

bash eng/lab/install-deps.sh
flock /tmp/kdump-heavy.lock dotnet build Kdump.slnx -c Release --nologo -v quiet
bash eng/lab/lab.sh "$RELEASE" --skip-deps
exec bash eng/main.sh "${MAIN[@]}"
