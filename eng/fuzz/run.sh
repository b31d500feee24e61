#!/bin/sh
# Longer run of the deterministic mutation fuzz tests: the readers (tests/Kdump.Formats.Tests/Fuzz),
# the struct page filter (tests/Kdump.Kernel.Tests/Pages/MemMapFuzz.Tests.cs) and the engine
# (tests/Kdump.Dump.Tests/EngineFuzz.Tests.cs, RealVmcoreFuzz.Tests.cs) and the vmlinux DWARF reader
# (tests/Kdump.Compat.Tests/Tools/Vmlinux.Compat.Tests.cs).
# usage: eng/fuzz/run.sh [seconds-per-test] [seed]
# The reader fuzzers write failing mutants to artifacts/fuzz-crashes/ for replay; the others name
# the damage in the failure message (replay it with the same seed).
# Every suite runs; the exit code is non-zero if any failed.
set -u
cd "$(dirname "$0")/../.."
export KDUMP_FUZZ_SECONDS="${1:-120}"
export KDUMP_FUZZ_SEED="${2:-$(date +%s)}"
export KDUMP_FUZZ_CRASH_DIR="$PWD/artifacts/fuzz-crashes"
echo "fuzz: ${KDUMP_FUZZ_SECONDS}s per test, seed ${KDUMP_FUZZ_SEED}"
status=0
suite() { # project filter
  flock /tmp/kdump-heavy.lock dotnet test "tests/$1/$1.csproj" -c Release --nologo \
    --filter "$2" --logger "console;verbosity=normal" || status=1
}
suite Kdump.Formats.Tests "FullyQualifiedName~MutationFuzz"
suite Kdump.Kernel.Tests "FullyQualifiedName~MemMapFuzz"
suite Kdump.Dump.Tests "FullyQualifiedName~EngineFuzz|FullyQualifiedName~RealVmcoreFuzz"
suite Kdump.Compat.Tests "FullyQualifiedName~VmlinuxCompatTests.Damaged"
exit $status
