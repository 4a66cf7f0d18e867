#!/usr/bin/env bash
# Formats Steward's C and C++ sources with .clang-format (clang-format 14, Debian 12's: another
# version formats some constructs differently, so the check pins it).
#   scripts/format.sh           rewrite the files in place
#   scripts/format.sh --check   list the files that differ and fail (scripts/test.sh runs this)
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
  *) echo "format.sh: unknown option $1" >&2; exit 2 ;;
esac

tool="$(command -v clang-format-14 || true)"
if [ -z "$tool" ]; then echo "format.sh: clang-format-14 is missing (scripts/install-deps.sh installs it)" >&2; exit 2; fi

mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h' '*.c' '*.cpp.in')
if [ "$check" -eq 0 ]; then
  "$tool" -i -- "${files[@]}"
  echo "format.sh: ${#files[@]} files formatted"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  "$tool" --dry-run -Werror -- "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "format.sh: ${#bad[@]} files are not formatted (run scripts/format.sh):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "format.sh: ${#files[@]} files formatted as .clang-format says"
