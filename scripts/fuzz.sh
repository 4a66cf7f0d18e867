#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a short while from a seed corpus.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 15; env STEWARD_FUZZ_SECONDS also works)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${STEWARD_FUZZ_SECONDS:-15}}"
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found; skipping the fuzzers (scripts/install-deps.sh installs it)"
  exit 0
fi

jobs="$(nproc)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSTEWARD_FUZZ=ON -DSTEWARD_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets="$(sed -n 's/^set(STEWARD_FUZZ_DECODERS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt) $(sed -n 's/^set(STEWARD_FUZZ_OTHER_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)"
build_targets=(fuzz_seed_corpus)
for t in $targets; do build_targets+=("fuzz_$t"); done
cmake --build build-fuzz -j "$jobs" --target "${build_targets[@]}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build-fuzz/tests/fuzz/fuzz_seed_corpus "$work/seeds" >/dev/null

status=0
printf '%-16s %12s %8s  %s\n' target executions seconds result
for t in $targets; do
  mkdir -p "$work/corpus/$t"
  log="$work/$t.log"
  if build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="$work/" "$work/corpus/$t" "$work/seeds/$t" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%-16s %12s %8s  %s\n' "$t" "${execs:-?}" "$seconds" "$result"
  if [ "$result" = FAILED ]; then
    grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$log" | head -30 || true
    for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
      [ -e "$a" ] && { echo "reproducer ($a):"; xxd "$a" | head -20; }
    done
  fi
done
exit "$status"
