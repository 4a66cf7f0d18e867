#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds Steward and runs the main job.
# Today the main job is the device side's foundation: create a new device's security database
# (SVR DB) with a seeded UUID, give it an ACE and a pairwise PSK with the SVR DB editor, show it,
# then reset it to its reset profile and show that the UUID survived.
# Usage: scripts/demo.sh [DIR]   (DIR keeps the database; default: a fresh temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target steward-svrdb

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
