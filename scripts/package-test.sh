#!/usr/bin/env bash
# Tests the Debian packages in dist/ (made by scripts/package.sh) the way a gateway gets them:
#   1. lintian on every package: no error, no warning; piuparts (install, purge, leftovers);
#   2. steward-dev: examples/otm-example builds against the files the packages install;
#   3. a clean Debian 12 root (mmdebstrap, from Debian's registry, with only apt in it):
#      - `apt install ./steward_*.deb ./libsteward-*.deb` resolves every dependency;
#      - postinst made the system user _steward and /var/lib/steward (0700, _steward);
#      - the unit passes `systemd-analyze verify` (systemd is installed, not running) and rates
#        <= 2.0 in `systemd-analyze security`;
#      - `stewardd --check-config` passes with the shipped configuration;
#      - the unit's ExecStart line, run as _steward with the unit's umask and no privileges, in a
#        private network namespace next to the mosquitto apt installed (Recommends), publishes
#        steward/bridge/state online, keeps its state private, reloads on SIGHUP, stops on SIGTERM;
#      - an upgrade to a newer build keeps an edited conffile and the state;
#      - `apt remove` keeps state and user; `apt purge` removes them.
# No systemd runs as PID 1 in the root: systemd-nspawn does not work inside this CI's container.
# Needs root (chroot, namespaces) and Debian's package registry. Exits non-zero on the first failure.
# Usage: scripts/package-test.sh [--keep]   (--keep leaves the root in place and prints its path)
set -euo pipefail
cd "$(dirname "$0")/.."
src="$(pwd)"

keep=0
for arg in "$@"; do
  case "$arg" in
    --keep) keep=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    --in-namespace) ;;  # internal, see run_in_namespace
    *) echo "package-test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

checks=0
ok() { checks=$((checks + 1)); printf 'package-test: ok   %s\n' "$*"; }
fail() { printf 'package-test: FAIL %s\n' "$*" >&2; exit 1; }

# --- inside the private network namespace (the script calls itself through unshare) -------------
if [ "${1:-}" = "--in-namespace" ]; then
  root="$STEWARD_TEST_ROOT"
  ip link set lo up
  mount -t proc proc "$root/proc"
  chroot "$root" mosquitto -d -p 1883 || fail "mosquitto does not start in the root"
  for _ in $(seq 50); do mosquitto_pub -h 127.0.0.1 -p 1883 -t probe -n 2>/dev/null && break; sleep 0.1; done

  exec_start="$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/stewardd.service")"
  umask_value="$(sed -n 's/^UMask=//p' "$root/lib/systemd/system/stewardd.service")"
  [ -n "$exec_start" ] || fail "the unit has no ExecStart"
  mosquitto_sub -h 127.0.0.1 -p 1883 -t steward/bridge/state -C 1 -W 20 > "$STEWARD_TEST_WORK/state" &
  sub=$!
  # As systemd would: the unit's user, its umask, no capabilities, no new privileges.
  # shellcheck disable=SC2086  # ExecStart is a command line
  chroot "$root" /bin/sh -c "umask $umask_value; exec setpriv --reuid=_steward --regid=_steward \
      --init-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- $exec_start" \
      > "$STEWARD_TEST_WORK/stewardd.log" 2>&1 &
  daemon=$!
  wait "$sub" || { cat "$STEWARD_TEST_WORK/stewardd.log" >&2; fail "no steward/bridge/state within 20 s"; }
  grep -q '"online"' "$STEWARD_TEST_WORK/state" || fail "bridge/state is $(cat "$STEWARD_TEST_WORK/state")"
  ok "the unit's ExecStart as _steward publishes steward/bridge/state $(cat "$STEWARD_TEST_WORK/state")"

  steward_uid="$(chroot "$root" id -u _steward)"
  pid="$daemon"  # chroot, sh and setpriv each exec the next: this is stewardd
  grep -Eq "^Uid:\s+$steward_uid\s" "/proc/$pid/status" || fail "stewardd does not run as _steward"
  grep -Eq '^CapEff:\s+0+$' "/proc/$pid/status" || fail "stewardd has capabilities"
  ok "stewardd runs as _steward (uid $steward_uid) with no capabilities"

  loose="$(find "$root/var/lib/steward" \( -type f -perm /077 \) -o \( -type d -perm /077 \) \
           -o \! -uid "$steward_uid")"
  [ -z "$loose" ] || fail "state not private to _steward: $loose"
  [ -n "$(find "$root/var/lib/steward" -type f)" ] || fail "stewardd wrote no state"
  ok "/var/lib/steward: $(find "$root/var/lib/steward" -type f | wc -l) files, all 0600/0700 and _steward's"

  kill -HUP "$pid"  # ExecReload
  sleep 1
  kill -0 "$pid" 2>/dev/null || fail "stewardd died on SIGHUP"
  grep -qi "reload" "$STEWARD_TEST_WORK/stewardd.log" || fail "SIGHUP did not reload"
  ok "SIGHUP (ExecReload) reloads and stewardd keeps running"

  kill -TERM "$pid"
  rc=0
  wait "$daemon" || rc=$?
  [ "$rc" -eq 0 ] || fail "stewardd exited $rc on SIGTERM"
  ok "SIGTERM stops stewardd with status 0"
  echo "$checks" > "$STEWARD_TEST_WORK/namespace-checks"
  exit 0
fi

# --- on the host ---------------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "package-test.sh: skipped: needs root (chroot and network namespaces)" >&2
  exit 77
fi
debs=(dist/*.deb)
[ -e "${debs[0]}" ] || fail "no packages in dist/: run scripts/package.sh first"
version="$(dpkg-deb -f dist/steward_*.deb Version)"
start=$SECONDS
work="$(mktemp -d /tmp/steward-package-test.XXXXXX)"
root="$work/root"
cleanup() {
  if [ "$keep" -eq 1 ]; then echo "package-test: root kept in $root"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# 1. lintian
lintian --fail-on error,warning --tag-display-limit 0 dist/*.changes > "$work/lintian" 2>&1 ||
  { cat "$work/lintian" >&2; fail "lintian"; }
ok "lintian: no errors or warnings on $(ls dist/*.deb | wc -l) packages"

# 2. the plugin SDK as packaged
mkdir -p "$work/sdk"
# steward-dev and what it depends on of ours (the CMake package config names every library in it)
dev_deps="$(dpkg-deb -f dist/steward-dev_*.deb Depends | grep -o 'libsteward-[a-z0-9]*' | sort -u)"
for deb in dist/steward-dev_*.deb $(for p in $dev_deps; do echo "dist/${p}_${version}_"*.deb; done); do
  dpkg-deb -x "$deb" "$work/sdk"
done
cmake -S examples/otm-example -B "$work/example" -DCMAKE_PREFIX_PATH="$work/sdk/usr" > "$work/sdk.log" 2>&1 &&
  cmake --build "$work/example" >> "$work/sdk.log" 2>&1 ||
  { cat "$work/sdk.log" >&2; fail "examples/otm-example does not build against steward-dev"; }
PKG_CONFIG_PATH="$(echo "$work"/sdk/usr/lib/*/pkgconfig)" pkg-config --define-prefix --exists steward ||
  fail "steward.pc is not usable"
ok "examples/otm-example builds against steward-dev; steward.pc resolves"

# 3. a clean Debian 12 root
in_root() {  # in_root CMD...: run CMD in the root with /proc mounted (a private mount namespace)
  unshare --mount --fork /bin/sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
}
apt_in_root() { in_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y "$@"; }

echo "package-test: creating a Debian 12 root (mmdebstrap --variant=apt)"
# systemd is there (not running) as on any Debian 12 gateway: the unit is verified against it.
mmdebstrap --quiet --variant=apt --include=systemd bookworm "$root" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main" ||
  fail "mmdebstrap could not create a Debian 12 root"
# Daemons must not start inside the root while packages install (Debian's policy-rc.d convention).
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# piuparts on a copy of the clean root: install, purge, and nothing left behind or broken
# (it runs adequate too). Its upgrade test needs the packages in an archive, which they are not.
piuparts --no-eatmydata --existing-chroot="$root" -d bookworm -m http://deb.debian.org/debian \
  dist/steward_*.deb dist/libsteward-core0_*.deb dist/libsteward-idprov0_*.deb > "$work/piuparts.log" 2>&1 ||
  { tail -40 "$work/piuparts.log" >&2; fail "piuparts"; }
ok "piuparts: installation and purging test passed"
mkdir -p "$root/tmp/debs"
cp dist/steward_*.deb dist/libsteward-core0_*.deb dist/libsteward-idprov0_*.deb "$root/tmp/debs/"
apt_in_root update > "$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get update"; }
in_root_paths() { (cd "$root" && for f in "$@"; do echo "/$f"; done); }  # host globs, root paths
mapfile -t install_debs < <(cd "$root" && in_root_paths tmp/debs/*.deb)
apt_in_root install "${install_debs[@]}" >> "$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt install ./steward_*.deb"; }
in_root dpkg-query -W -f='${Status}\n' steward mosquitto | grep -vq "install ok installed" &&
  fail "steward or mosquitto is not installed"
ok "apt install ./steward_${version}_*.deb resolved every dependency (mosquitto through Recommends)"

entry="$(in_root getent passwd _steward)" || fail "postinst made no user _steward"
IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
[ "$uid" -lt 1000 ] && [ "$home" = /var/lib/steward ] && [ "$shell" = /usr/sbin/nologin ] ||
  fail "_steward is not a system user without a shell: $entry"
[ "$(stat -c '%a %U' "$root/var/lib/steward")" = "700 _steward" ] ||
  [ "$(stat -c '%a %u' "$root/var/lib/steward")" = "700 $uid" ] ||
  fail "/var/lib/steward is $(stat -c '%a %u' "$root/var/lib/steward")"
ok "postinst made the system user _steward (uid $uid) and /var/lib/steward (0700)"

unit=/lib/systemd/system/stewardd.service
verify="$(systemd-analyze verify --man=no --root="$root" "$root$unit" 2>&1)" ||
  { echo "$verify" >&2; fail "systemd-analyze verify"; }
[ -z "$verify" ] || { echo "$verify" >&2; fail "systemd-analyze verify printed warnings"; }
exposure="$(systemd-analyze security --offline=true --root="$root" "$unit" 2>&1 |
            sed -n 's/.*Overall exposure level for stewardd.service: \([0-9.]*\).*/\1/p')"
[ -n "$exposure" ] || fail "systemd-analyze security gave no rating"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "the unit's exposure is $exposure (> 2.0)"
ok "stewardd.service: systemd-analyze verify clean; security exposure $exposure"

in_root setpriv --reuid=_steward --regid=_steward --init-groups stewardd --check-config \
  > "$work/check.log" 2>&1 || { cat "$work/check.log" >&2; fail "stewardd --check-config"; }
ok "stewardd --check-config passes with the shipped /etc/steward/steward.yaml"

STEWARD_TEST_ROOT="$root" STEWARD_TEST_WORK="$work" \
  unshare --net --mount --pid --fork --mount-proc --kill-child "$0" --in-namespace
checks=$((checks + $(cat "$work/namespace-checks")))

# An upgrade to a newer build: the packages rebuilt with a higher version and a changed default
# configuration; the administrator's edit must survive it.
sed -i 's/^  level: information /  level: debug       /' "$root/etc/steward/steward.yaml"
grep -q '^  level: debug' "$root/etc/steward/steward.yaml" || fail "could not edit the conffile"
new_version="${version}+upgrade1"
mkdir -p "$root/tmp/debs-new"
for deb in "$root"/tmp/debs/*.deb; do
  tree="$work/repack"
  rm -rf "$tree"
  dpkg-deb -R "$deb" "$tree"
  sed -i "s/^Version: .*/Version: $new_version/" "$tree/DEBIAN/control"
  sed -i "s/(= $version)/(= $new_version)/g" "$tree/DEBIAN/control"
  if [ -f "$tree/etc/steward/steward.yaml" ]; then
    echo "# (a newer release's default configuration)" >> "$tree/etc/steward/steward.yaml"
  fi
  (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -print | sed 's#^\./##' | sort |
     grep -v '^etc/' | xargs -r md5sum > DEBIAN/md5sums)
  dpkg-deb --root-owner-group -b "$tree" "$root/tmp/debs-new/" > /dev/null
done
state_before="$(cd "$root/var/lib/steward" && find . -type f | sort | xargs md5sum)"
apt_in_root -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  install $(cd "$root" && in_root_paths tmp/debs-new/*.deb) > "$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log" >&2; fail "upgrade"; }
[ "$(in_root dpkg-query -W -f='${Version}' steward)" = "$new_version" ] || fail "not upgraded"
grep -q '^  level: debug' "$root/etc/steward/steward.yaml" || fail "the upgrade lost the edited conffile"
[ -f "$root/etc/steward/steward.yaml.dpkg-dist" ] || fail "the new default config was not set aside"
[ "$(cd "$root/var/lib/steward" && find . -type f | sort | xargs md5sum)" = "$state_before" ] ||
  fail "the upgrade changed the state"
ok "upgrade $version -> $new_version keeps the edited steward.yaml (new default in .dpkg-dist) and the state"

apt_in_root remove steward > "$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "apt remove"; }
[ ! -e "$root/usr/sbin/stewardd" ] || fail "apt remove left stewardd"
in_root getent passwd _steward > /dev/null || fail "apt remove deleted the user"
[ -n "$(find "$root/var/lib/steward" -type f)" ] || fail "apt remove deleted the state"
[ -f "$root/etc/steward/steward.yaml" ] || fail "apt remove deleted the configuration"
ok "apt remove keeps the user, /var/lib/steward and /etc/steward"

apt_in_root purge steward > "$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "apt purge"; }
in_root getent passwd _steward > /dev/null && fail "apt purge kept the user _steward"
in_root getent group _steward > /dev/null && fail "apt purge kept the group _steward"
[ ! -e "$root/var/lib/steward" ] || fail "apt purge kept /var/lib/steward"
[ ! -e "$root/etc/steward" ] || fail "apt purge kept /etc/steward: $(ls -A "$root/etc/steward")"
ok "apt purge removes the user, /var/lib/steward and /etc/steward"

echo "package-test: $checks checks passed in $((SECONDS - start)) s"
