#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds Steward and runs the main job on this machine, loopback only:
# a mosquitto broker, stewardd, and two sample devices (a Just-Works "Kitchen light" and a
# Random-PIN "Hall light"). stewardd discovers them, a permit-join window is opened over MQTT, the
# Random-PIN device's PIN is answered over MQTT (read off its display, as a person would), both
# are owned and provisioned by the example policies, then linked, and one calls the other. A guest's
# phone pairs with the kitchen light by the PIN on the light's display (Direct Pairing, no gateway
# involved) and switches it on; the gateway learns of the pairing at its next sync. Then a
# third device that is no OCF device gets a certificate by IDProv against the secret on its label
# (fed over MQTT) and publishes to the broker's client-certificate-only listener with it.
# (DNS-SD discovery of the IDProv server needs multicast, which this loopback demo does not send;
# the end-to-end test shows it inside a private network namespace.)
# Watch it all with the mosquitto_sub command printed below.
# Usage: scripts/demo.sh [DIR]   (DIR keeps the state and logs; default: a fresh temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target stewardd steward steward-device steward-svrdb otm-justworks otm-randompin credmgmt directpairing idprov

dir="${1:-$(mktemp -d)}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() {  # wait_for FILE PATTERN SECONDS
  for _ in $(seq $(( $3 * 10 ))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "demo: timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

step "the gateway CA issues the broker's certificate (steward ca-cert)"
build/tools/cli/steward ca-cert broker --role service --san 127.0.0.1 --state-dir "$dir/state" --out "$dir/certs"
build/tools/cli/steward ca-cert admin --role admin --state-dir "$dir/state" --out "$dir/certs" >/dev/null

step "an MQTT broker on loopback: plain for the gateway, client certificates only for devices"
port=$(( 20000 + RANDOM % 20000 )); tlsport=$(( port + 1 )); idprovport=$(( port + 2 ))
mkdir -p "$dir/mosquitto"
{
  echo "per_listener_settings true"
  # What Steward needs of its broker (docs/broker.md, config/mosquitto/steward.conf): retained
  # state kept across a broker restart, room for bursts, small packets sent at once.
  echo "persistence true"
  echo "persistence_location $dir/mosquitto/"
  echo "max_queued_messages 10000"
  echo "set_tcp_nodelay true"
  echo "listener $port 127.0.0.1"
  echo "allow_anonymous true"
  echo "listener $tlsport 127.0.0.1"
  echo "cafile $dir/certs/ca.crt"
  echo "certfile $dir/certs/broker.crt"
  echo "keyfile $dir/certs/broker.key"
  echo "require_certificate true"
  echo "use_identity_as_username true"
  [ "$(id -u)" = 0 ] && echo "user root"
} > "$dir/mosquitto.conf"
mosquitto -c "$dir/mosquitto.conf" > "$dir/mosquitto.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do mosquitto_pub -p "$port" -t steward/ping -n 2>/dev/null && break; sleep 0.1; done
mosquitto_sub -p "$port" -v -t 'steward/#' > "$dir/mqtt.log" 2>&1 & pids+=($!)
echo "broker on 127.0.0.1:$port; watch along with:  mosquitto_sub -p $port -v -t 'steward/#'"

step "two sample devices: a Just-Works kitchen light (guests may pair with it) and a Random-PIN hall light"
device=build/tools/device/steward-device
"$device" --svrdb "$dir/kitchen.svrdb" --name "Kitchen light" --direct-pairing --bind 127.0.0.1 --json > "$dir/kitchen.log" 2>&1 & pids+=($!)
"$device" --svrdb "$dir/hall.svrdb" --otm randompin --name "Hall light" --bind 127.0.0.1 --json > "$dir/hall.log" 2>&1 & pids+=($!)
wait_for "$dir/kitchen.log" '"event":"ready"' 10
wait_for "$dir/hall.log" '"event":"ready"' 10
field() { grep -o "\"$2\":\"[^\"]*\"" "$1" | head -1 | cut -d'"' -f4; }
kitchen=$(field "$dir/kitchen.log" uuid); hall=$(field "$dir/hall.log" uuid)
echo "Kitchen light $kitchen, Hall light $hall"

step "stewardd: permit-join mode, Just-Works allowed (one per window), the example policies"
cat > "$dir/steward.yaml" <<YAML
state_dir: $dir/state
plugin_dir: $PWD/build/plugins
policy_dir: $PWD/config/policies.d
mqtt: {port: $port, homeassistant: true}
devices: {poll_interval: 5}
discovery:
  unicast: ["127.0.0.1:$(field "$dir/kitchen.log" port)", "127.0.0.1:$(field "$dir/hall.log" port)"]
  interval: 2
  timeout_ms: 1000
ownership: {mode: permit_join, allow_justworks: true, justworks_per_window: 1, pin_timeout: 60}
idprov: {enabled: true, listen: 127.0.0.1, port: $idprovport, dnssd: false, waiting_retry: 2}
YAML
build/bridge/stewardd --config "$dir/steward.yaml" > "$dir/stewardd.log" 2>&1 & pids+=($!)
wait_for "$dir/mqtt.log" 'steward/bridge/state {"state":"online"}' 15
wait_for "$dir/mqtt.log" '"device_discovered"' 15
grep '"device_discovered"' "$dir/mqtt.log"

step "an automation opens a 60 s permit-join window"
mosquitto_pub -p "$port" -t steward/bridge/request/permit_join -m '{"time":60,"transaction":"demo-1"}'
wait_for "$dir/mqtt.log" 'steward/bridge/response/permit_join' 10
grep 'steward/bridge/response/permit_join' "$dir/mqtt.log"

step "the Hall light asks for its PIN; a person reads it off the device and answers over MQTT"
wait_for "$dir/mqtt.log" '"pairing_request"' 30
grep '"pairing_request"' "$dir/mqtt.log"
wait_for "$dir/hall.log" '"event":"pin"' 10
pin=$(grep -o '"pin":"[0-9]*"' "$dir/hall.log" | tail -1 | grep -o '[0-9]\{8\}')
echo "the display shows $pin"
mosquitto_pub -p "$port" -t steward/bridge/request/pin -m "{\"device\":\"$hall\",\"pin\":\"$pin\",\"transaction\":\"demo-2\"}"

step "both devices owned, then provisioned by the policies"
for id in "$kitchen" "$hall"; do wait_for "$dir/mqtt.log" "\"device_provisioned\",\"data\":{\"device\":\"$id\"" 60; done
grep -E '"(device_owned|policy_applied|device_provisioned)"' "$dir/mqtt.log"

step "the device list, retained on steward/bridge/devices (steward devices, over MQTT)"
build/tools/cli/steward devices --broker "127.0.0.1:$port"

step "Home Assistant's side: the hall light is a light entity; what HA sends on its command topic switches the device"
mosquitto_sub -p "$port" -C 1 -W 15 -t "homeassistant/light/steward_$hall/a_light/config" | grep -o '"schema":"json".*"command_topic":"[^"]*"' || true
mosquitto_pub -p "$port" -t "steward/devices/$hall/a_light/set" -m '{"state":"ON","brightness":128}'
wait_for "$dir/mqtt.log" "steward/devices/$hall/a_light {\"state\":\"ON\",\"brightness\":128" 15
grep "steward/devices/$hall/a_light \|steward/devices/$hall/availability" "$dir/mqtt.log" | tail -2
echo "and the device itself says (steward get, through stewardd):"
build/tools/cli/steward get "$hall" /a/light --broker "127.0.0.1:$port"

step "link the two lights (pairwise key + ACEs both ways), then the kitchen light calls the hall light"
build/tools/cli/steward link "$kitchen" "$hall" --resource /a/light --perm RU --broker "127.0.0.1:$port"
"$device" --svrdb "$dir/kitchen.svrdb" --call "127.0.0.1:$(field "$dir/hall.log" secure_port)" /a/light --method post --payload '{"value":true,"brightness":40}'
"$device" --svrdb "$dir/kitchen.svrdb" --call "127.0.0.1:$(field "$dir/hall.log" secure_port)" /a/light

step "Direct Pairing: the policy 20-guest-pairing.yaml let guests pair with the kitchen light by a PIN on its display"
grep "\"policy_applied\",\"data\":{\"device\":\"$kitchen\"" "$dir/mqtt.log" | grep -o '"direct_pairing":{[^}]*}'
guest=$(build/tools/svrdb/steward-svrdb init "$dir/guest.svrdb")
echo "a guest's phone ($guest: its own SVR DB, owned by nobody here) asks to pair; the light shows a PIN"
mkfifo "$dir/guest-pin"
"$device" --svrdb "$dir/guest.svrdb" --pair-with "127.0.0.1:$(field "$dir/kitchen.log" port)" < "$dir/guest-pin" > "$dir/guest.log" 2>&1 &
guestpid=$!
exec 3> "$dir/guest-pin"
wait_for "$dir/kitchen.log" '"event":"pin"' 10
kpin=$(grep -o '"pin":"[0-9]*"' "$dir/kitchen.log" | tail -1 | grep -o '[0-9]\{8\}')
echo "the kitchen light's display shows $kpin; the guest types it into the phone"
echo "$kpin" >&3
exec 3>&-
wait "$guestpid"
cat "$dir/guest.log"
ksecure="127.0.0.1:$(field "$dir/kitchen.log" secure_port)"
echo "the guest switches the kitchen light on with its new pairing key, then reads it:"
"$device" --svrdb "$dir/guest.svrdb" --call "$ksecure" /a/light --method post --payload '{"value":true,"brightness":70}'
"$device" --svrdb "$dir/guest.svrdb" --call "$ksecure" /a/light
echo "what the pairing template does not grant stays closed to the guest:"
"$device" --svrdb "$dir/guest.svrdb" --call "$ksecure" /oic/sec/cred || true

step "the gateway reads the pairings devices made at its next sync, and lists them with the links"
build/tools/cli/steward sync --broker "127.0.0.1:$port" >/dev/null
build/tools/cli/steward links "$kitchen" --broker "127.0.0.1:$port"

step "IDProv: a sensor that knows only the secret on its label asks for a certificate (and waits)"
echo "SN-4711-0815" > "$dir/thermo-label.txt"
"$device" --svrdb "$dir/thermo.svrdb" --name "Thermometer" --json --idprov "https://127.0.0.1:$idprovport/idprov/directory" \
  --idprov-id thermo-1 --idprov-secret-file "$dir/thermo-label.txt" --mqtt "127.0.0.1:$tlsport" > "$dir/thermo.log" 2>&1 & pids+=($!)
wait_for "$dir/thermo.log" '"event":"idprov_waiting"' 20
grep '"idprov_waiting"' "$dir/thermo.log" | head -1

step "an automation feeds the label's secret to the gateway over MQTT (steward idprov-oob)"
build/tools/cli/steward idprov-oob thermo-1 --broker "127.0.0.1:$port" < "$dir/thermo-label.txt"
wait_for "$dir/mqtt.log" '"certificate_issued"' 30
grep '"certificate_issued"' "$dir/mqtt.log"
wait_for "$dir/thermo.log" '"event":"mqtt_connected"' 20
grep -E '"(idprov_enrolled|mqtt_connected)"' "$dir/thermo.log"

step "what the sensor published on the certificate-only listener (read with an admin certificate)"
mosquitto_sub -p "$tlsport" -h 127.0.0.1 --cafile "$dir/certs/ca.crt" --cert "$dir/certs/admin.crt" --key "$dir/certs/admin.key" \
  -t devices/thermo-1/state -C 1 -W 10 -v
echo "and a client without a certificate is turned away:"
mosquitto_pub -p "$tlsport" -h 127.0.0.1 --cafile "$dir/certs/ca.crt" -t devices/x -m hi 2>&1 | head -1 || true

step "onboarding metrics (retained on steward/bridge/metrics)"
grep 'steward/bridge/metrics' "$dir/mqtt.log" | tail -1

step "stop stewardd (SIGTERM): it finishes what is in progress and marks itself offline"
kill -TERM "${pids[4]}"
wait "${pids[4]}" 2>/dev/null || true
wait_for "$dir/mqtt.log" 'steward/bridge/state {"state":"offline"}' 10
grep 'steward/bridge/state' "$dir/mqtt.log" | tail -1
echo
echo "logs and state in $dir (stewardd.log, mqtt.log, kitchen.log, hall.log, guest.log, thermo.log)"
