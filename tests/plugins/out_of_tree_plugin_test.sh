#!/usr/bin/env bash
# Installs the SDK from this build into a temporary prefix, builds examples/otm-example against
# it with find_package(Steward) (and checks pkg-config sees it), then has `steward plugins` load
# it beside the in-tree plugins.
# Usage: out_of_tree_plugin_test.sh SOURCE_DIR BUILD_DIR STEWARD_CLI
set -euo pipefail
src="$1"; build="$2"; cli="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
PKG_CONFIG_PATH="$(dirname "$(find "$work/prefix" -name steward.pc | head -1)")" pkg-config --exists steward
cmake -S "$src/examples/otm-example" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" >/dev/null

mkdir "$work/plugins"
cp "$build"/plugins/*.so "$work/example/otm-example.so" "$work/plugins/"
listing="$("$cli" plugins --plugin-dir "$work/plugins" --json)"
echo "$listing"
echo "$listing" | grep -q '"name":"otm-example"'
echo "$listing" | grep -q '"otm/x.example.audited-jw"'
# Every plugin loaded, none skipped.
if echo "$listing" | grep -q '"loaded":false'; then echo "a plugin was skipped" >&2; exit 1; fi
echo "out-of-tree plugin built against the installed SDK and loaded"
