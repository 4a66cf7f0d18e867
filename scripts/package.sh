#!/usr/bin/env bash
# Builds Steward's Debian packages with dpkg-buildpackage and puts them in dist/:
# steward (daemon, CLI, plugins, unit), steward-device, steward-dev (plugin SDK), libsteward-core0,
# libsteward-idprov0, and their -dbgsym packages.
# Usage: scripts/package.sh [--ccache] [--no-deps]
#   --ccache   compile through ccache; scripts/test.sh uses it so that the package reuses the
#              objects of the build it has just tested (same compiler flags, see debian/rules)
#   --no-deps  do not run scripts/install-deps.sh first
set -euo pipefail
cd "$(dirname "$0")/.."

deps=1
for arg in "$@"; do
  case "$arg" in
    --ccache)
      # debhelper gives the build a fresh HOME, so ccache's directory and settings are passed
      # explicitly: the caller's cache, paths below the source tree hashed relative to it.
      export STEWARD_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
      export CCACHE_DIR="${CCACHE_DIR:-$(ccache -k cache_dir)}" ;;
    --no-deps) deps=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
[ "$deps" -eq 1 ] && scripts/install-deps.sh

version="$(dpkg-parsechangelog -S Version)"
arch="$(dpkg --print-architecture)"
changes="../steward_${version}_${arch}.changes"
start=$SECONDS
echo "package.sh: building steward ${version} for ${arch}"
DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=$(nproc)" dpkg-buildpackage -us -uc -b

# dpkg-buildpackage writes next to the source tree; collect what its .changes lists.
rm -rf dist
mkdir -p dist
awk '/^Files:/ {f = 1; next} /^[^ ]/ {f = 0} f && NF == 5 {print $5}' "$changes" |
  while read -r file; do mv "../$file" dist/; done
mv "$changes" dist/
debian/rules clean >/dev/null
echo "package.sh: $(ls dist/*.deb | wc -l) packages in dist/ ($((SECONDS - start)) s)"
ls -l dist/
