#!/bin/sh
# Longer run of the deterministic mutation fuzz tests: the readers (tests/Kdump.Formats.Tests/Fuzz)
# the struct page filter (tests/Kdump.Kernel.Tests/Pages/MemMapFuzz.Tests.cs) and the whole engine
# (tests/Kdump.Dump.Tests/EngineFuzz.Tests.cs, RealVmcoreFuzz.Tests.cs).
# usage: eng/fuzz/run.sh [seconds-per-reader] [seed]
# Failing mutants are written to artifacts/fuzz-crashes/ for replay.
set -eu
cd "$(dirname "$0")/../.."
export KDUMP_FUZZ_SECONDS="${1:-120}"
export KDUMP_FUZZ_SEED="${2:-$(date +%s)}"
export KDUMP_FUZZ_CRASH_DIR="$PWD/artifacts/fuzz-crashes"
echo "fuzz: ${KDUMP_FUZZ_SECONDS}s per reader, seed ${KDUMP_FUZZ_SEED}"
flock /tmp/kdump-heavy.lock dotnet test tests/Kdump.Formats.Tests/Kdump.Formats.Tests.csproj \
    --filter "FullyQualifiedName~MutationFuzz" --logger "console;verbosity=normal"
flock /tmp/kdump-heavy.lock dotnet test tests/Kdump.Kernel.Tests/Kdump.Kernel.Tests.csproj \
    --filter "FullyQualifiedName~MemMapFuzz" --logger "console;verbosity=normal"
exec flock /tmp/kdump-heavy.lock dotnet test tests/Kdump.Dump.Tests/Kdump.Dump.Tests.csproj \
    --filter "FullyQualifiedName~EngineFuzz|FullyQualifiedName~RealVmcoreFuzz" --logger "console;verbosity=normal"
