#!/usr/bin/env bash
# KQL check (issue 14 part 2), called by .ci/run: installs Microsoft's Kusto
# language service from npm (pinned) unless present and analyses every query
# of `hunt rules --dialect kql` (tests/kql/check.js). ES|QL has no maintained
# parser on crates.io, PyPI or npm (searched 2026-12): golden files only.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
cache="${HUNT_KQL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/hunt-kql}"
if [ ! -f "$cache/node_modules/@kusto/language-service-next/Kusto.Language.Bridge.js" ]; then
  mkdir -p "$cache"
  npm install --silent --no-audit --no-fund --prefix "$cache" @kusto/language-service-next@12.4.1
fi
# The binary `cargo test` built (same features, so nothing recompiles after it).
cargo test --locked --no-run --quiet
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
rules="$(mktemp)"
trap 'rm -f "$rules"' EXIT
XDG_CONFIG_HOME="$(dirname "$rules")/no-hunt-config" "$target_dir/debug/hunt" rules --dialect kql >"$rules"
KUSTO_MODULES="$cache/node_modules" node tests/kql/check.js "$rules"
