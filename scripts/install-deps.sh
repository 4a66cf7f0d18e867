#!/usr/bin/env bash
# Installs every build and test dependency of Steward from Debian's packages.
# Non-interactive and idempotent: packages already present are skipped by apt-get itself.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config git clang libclang-rt-dev clang-format-14
  # libraries
  libpoco-dev libssl-dev libcoap3-dev libcoap3-bin libcbor-dev libmosquitto-dev
  libavahi-client-dev libyaml-cpp-dev libargon2-dev
  # tests
  libgtest-dev libgmock-dev
  # real parts the integration tests and the demo start
  mosquitto mosquitto-clients avahi-daemon avahi-utils dbus iproute2 openssl curl
  # packaging (scripts/package.sh) and its test (scripts/package-test.sh)
  debhelper dpkg-dev ccache lintian mmdebstrap piuparts man-db
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
