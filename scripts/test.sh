#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds Steward and runs every test:
#   1. the main build (warnings are errors) with every unit and integration test under ctest;
#   2. a build with AddressSanitizer + UndefinedBehaviorSanitizer running the unit tests;
#   3. the Debian packages, built from the tested objects and installed in a clean Debian 12 root
#      (scripts/package.sh, scripts/package-test.sh; needs root, counts as one test);
#   4. the libFuzzer targets, briefly.
# Before building, the sources' formatting is checked (scripts/format.sh --check; counts as a test).
# Options: --quick skips 2, 3 and 4.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
echo "== formatting"
format_ok=1
scripts/format.sh --check || format_ok=0
jobs="$(nproc)"
passed=0
failed=0

run_ctest() {  # run_ctest BUILD_DIR [ctest args...]
  local dir="$1"; shift
  local log; log="$(mktemp)"
  local rc=0
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log" || rc=$?
  local line; line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1 || true)
  rm -f "$log"
  if [ -z "$line" ]; then echo "test.sh: ctest in $dir produced no summary" >&2; return 1; fi
  local total fail
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  fail=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  passed=$((passed + total - fail))
  failed=$((failed + fail))
  return "$rc"
}

# The main build compiles with the Debian package's flags (dpkg-buildflags, hardening=+all, as in
# debian/rules), so the tests run what is shipped, and through ccache, so that the package build
# reuses its objects instead of compiling everything a third time.
export CCACHE_DIR="${CCACHE_DIR:-$PWD/build-ccache}" CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
package_flags() { DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$1"; }

echo "== main build"
env CFLAGS="$(package_flags CFLAGS) $(package_flags CPPFLAGS)" \
    CXXFLAGS="$(package_flags CXXFLAGS) $(package_flags CPPFLAGS)" LDFLAGS="$(package_flags LDFLAGS)" \
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build -j "$jobs"
status=0
if [ "$format_ok" -eq 0 ]; then failed=$((failed + 1)); status=1; else passed=$((passed + 1)); fi
run_ctest build || status=1

if [ "$quick" -eq 0 ]; then
  echo "== Debian packages"
  package_rc=0
  scripts/package.sh --ccache --no-deps && scripts/package-test.sh || package_rc=$?
  case "$package_rc" in
    0) passed=$((passed + 1)) ;;
    77) echo "test.sh: the package test was skipped (see above)" ;;
    *) failed=$((failed + 1)); status=1 ;;
  esac

  echo "== AddressSanitizer + UBSan build: unit tests"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTEWARD_SANITIZE=ON >/dev/null
  cmake --build build-asan -j "$jobs" --target steward_unit_tests
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest build-asan -L unit || status=1

  echo "== fuzzers"
  scripts/fuzz.sh || status=1
fi

echo "tests: $passed passed, $failed failed"
exit "$status"
