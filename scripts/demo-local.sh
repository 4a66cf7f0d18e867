#!/usr/bin/env bash
# The CLI-only tour (no daemon, no broker): the SVR DB editor, devices, steward --local.
# (1) create a device's security database (SVR DB) with a
# seeded UUID, edit and reset it with the SVR DB editor; (2) run real secure sample devices on
# loopback (two Just-Works, one Random-PIN), discover them from the gateway side, take ownership of
# all three with the ownership plugins (the Random-PIN device's PIN typed in from its display),
# and show the provisioning database and the devices now owned.
# Usage: scripts/demo-local.sh [DIR]   (DIR keeps the database; default: a fresh temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target steward-svrdb steward-device steward otm-justworks otm-randompin

dir="${1:-$(mktemp -d)}"
mkdir -p "$dir"
db="$dir/device.svrdb"
rm -f "$db" "$db.lock"
svrdb=build/tools/svrdb/steward-svrdb
peer=11111111-2222-3333-4444-555555555555

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "create a new Random-PIN device, UUID seeded from its MAC address"
"$svrdb" init "$db" --otm randompin --uuid-seed "00:11:22:33:44:55"

step "grant a peer read/update on /a/light, and anyone read on the discovery resources"
"$svrdb" acl add "$db" --subject "uuid:$peer" --resource /a/light --perm RU
"$svrdb" acl add "$db" --subject conntype:anon-clear --resource /oic/d --resource /oic/p --resource /oic/res --perm R

step "install a 256-bit pairwise PSK for the peer (shown masked)"
"$svrdb" cred add-psk "$db" --subject "$peer" --random 256

step "the device database"
"$svrdb" show "$db"
ls -l "$db"

step "local reset: back to the reset profile, same UUID"
"$svrdb" reset "$db"
"$svrdb" show "$db" doxm

echo
echo "database kept at $db (inspect it with: $svrdb $db)"

step "start three secure sample devices on loopback (steward-device --count 2, and one Random-PIN)"
device=build/tools/device/steward-device
"$device" --count 2 --svrdb-dir "$dir/devices" --uuid-seed demo-light --json >"$dir/devices.log" 2>&1 &
jw_pid=$!
"$device" --svrdb "$dir/hall.svrdb" --otm randompin --name "Hall light" --json >"$dir/hall.log" 2>&1 &
rdp_pid=$!
trap 'kill $jw_pid $rdp_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  [ "$(grep -c '"event":"ready"' "$dir/devices.log" "$dir/hall.log" | awk -F: '{s+=$2} END {print s}')" -ge 3 ] && break
  sleep 0.1
done
targets=()
for port in $(grep -ho '"port":"[0-9]*"' "$dir/devices.log" "$dir/hall.log" | grep -o '[0-9]*'); do
  targets+=(--unicast "127.0.0.1:$port")
done
grep -h '"event":"ready"' "$dir/devices.log" "$dir/hall.log"

step "discover all devices (unicast to loopback: the demo never multicasts on the machine's network)"
build/tools/cli/steward discover "${targets[@]}"

step "discover unowned devices, as JSON for scripts"
build/tools/cli/steward discover "${targets[@]}" --scope unowned --json

step "a foreign CoAP client reads a device's resource directory"
first_port=$(grep -ho '"port":"[0-9]*"' "$dir/devices.log" | head -1 | grep -o '[0-9]*')
coap-client-openssl -B 5 -m get "coap://127.0.0.1:$first_port/oic/d" | strings | head -5

step "an unauthorised GET of the light is refused"
coap-client-openssl -B 5 -m get "coap://127.0.0.1:$first_port/a/light" || true

step "the plugins the gateway loads"
build/tools/cli/steward plugins

step "take ownership of every unowned device (steward --local own --all)"
state="$dir/gateway-state"
# The Random-PIN device prints a fresh PIN when the gateway selects the method; "type" it in.
type_pin() {
  for _ in $(seq 100); do
    pin=$(grep -o '"pin":"[0-9]*"' "$dir/hall.log" | tail -1 | grep -o '[0-9]\{8\}' || true)
    [ -n "$pin" ] && { echo "$pin"; return; }
    sleep 0.1
  done
}
build/tools/cli/steward --local own --all "${targets[@]}" --state-dir "$state" < <(type_pin)

step "the provisioning database"
build/tools/cli/steward --local devices --state-dir "$state"

step "discover owned devices (they answer doxm only to their owner: --local uses the gateway's credentials)"
build/tools/cli/steward --local discover "${targets[@]}" --owned --state-dir "$state"

step "device logs: the ownership transfers as the devices saw them"
grep -h '"event":"state"' "$dir/devices.log" "$dir/hall.log" | head -20

kill $jw_pid $rdp_pid
wait $jw_pid $rdp_pid 2>/dev/null || true
echo
echo "device logs in $dir/devices.log and $dir/hall.log"
