#!/usr/bin/env bash
# README command 2: the whole test suite, from a fresh Debian 12 machine (as root).
# Installs what is missing, builds the real-kernel fixture lab (four kernels, reference tools),
# publishes the NativeAOT tools, then runs every test project. Exit status: non-zero on any failure.
# Heavy steps hold /tmp/kdump-heavy.lock (shared with the lab and other builds on 2 cores);
# lab.sh takes it itself per step, so it is not wrapped here.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
start=$(date +%s)
step() { printf '\n=== %s (+%ss)\n' "$*" $(( $(date +%s) - start )); }

step "install dependencies"
bash eng/lab/install-deps.sh

step "build (Release)"
flock /tmp/kdump-heavy.lock dotnet build Kdump.slnx -c Release --nologo -v quiet

step "fixture lab: reference tools and vmcores of four real kernels"
bash eng/lab/lab.sh all --skip-deps

step "NativeAOT publish of every tool"
bash eng/aot/publish.sh

step "tests"
results=$ROOT/artifacts/test-results
rm -rf "$results"
set +e
# -m:1: one test assembly at a time. Several of them publish the same tools and boot QEMU guests;
# under this lock their scripts do not lock again, so running them side by side would race.
flock /tmp/kdump-heavy.lock dotnet test Kdump.slnx -c Release --no-build --nologo -m:1 \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=3000000
rc=$?
set -e

# One plain summary line over all projects, from the trx files.
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for t in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(t).getroot().find("{*}ResultSummary/{*}Counters")
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"{p} passed, {f} failed, {s} skipped")
PY
step "done (exit $rc)"
exit $rc
