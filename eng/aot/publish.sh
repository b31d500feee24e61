#!/usr/bin/env bash
# Publishes every tool as a NativeAOT single-file executable into artifacts/aot/<tool>/ and
# records size and startup time (median of 10 runs of `--help`-like no-op invocations).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/artifacts/aot
mkdir -p "$OUT"
report=$OUT/report.txt
: > "$report"
for proj in "$ROOT"/src/Tools/*/; do
  tool=$(basename "$proj")
  flock /tmp/kdump-heavy.lock dotnet publish "$proj" -c Release -r linux-x64 --nologo -v quiet \
    -p:PublishAot=true -o "$OUT/$tool" >/dev/null
  bin=$OUT/$tool/$tool
  [[ -x $bin ]] || { echo "aot: $bin was not produced" >&2; exit 1; }
  size=$(stat -c %s "$bin")
  # Startup: a run that only prints the version / usage and exits.
  ms=$(python3 - "$bin" <<'PY'
import subprocess, sys, time
t = []
for _ in range(10):
    a = time.perf_counter(); subprocess.run([sys.argv[1], "-v"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); t.append(time.perf_counter() - a)
t.sort(); print(f"{t[len(t)//2]*1000:.1f}")
PY
)
  printf '%-14s %9d bytes  startup %6s ms\n' "$tool" "$size" "$ms" | tee -a "$report"
done
