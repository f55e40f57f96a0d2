#!/usr/bin/env bash
# Sigma comparison, called by .ci/run: hunt's Sigma matches, record by
# record, against an independent evaluation of the same rules
# (tests/sigma_ref/rules, SigmaHQ) on the same files (the shared corpus and
# samples/): pySigma with its SQLite backend over records flattened into
# SQLite as Zircolite does (tests/sigma_ref/evaluate.py). Every difference
# must be listed with its reason in tests/sigma_ref/known_differences.txt;
# tests/sigma_ref/compare.py fails on an unexplained or a stale one.
# Creates (or reuses) a virtual environment with the pinned versions of
# tests/sigma_ref/requirements.txt from PyPI. Never skips: without python3,
# venv or pip it says so and fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v python3 >/dev/null 2>&1; then
  echo "sigma_ref: python3 is required" >&2
  exit 2
fi
cache="${HUNT_SIGMA_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/hunt-sigma}"
venv="$cache/venv"
req=tests/sigma_ref/requirements.txt
# The pins, as `name==version` lines, compared with what the venv holds.
pins_ok() {
  [ -x "$venv/bin/python" ] || return 1
  "$venv/bin/python" - "$req" <<'PY'
import sys
from importlib import metadata
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, _, version = line.partition("==")
    try:
        if metadata.version(name) != version:
            sys.exit(1)
    except metadata.PackageNotFoundError:
        sys.exit(1)
PY
}
if ! pins_ok; then
  echo "sigma_ref: preparing $venv (pinned: $(grep -v '^#' "$req" | tr '\n' ' '))"
  mkdir -p "$cache"
  if [ ! -x "$venv/bin/python" ]; then
    if ! python3 -m venv "$venv"; then
      echo "sigma_ref: python3 -m venv failed (Debian: apt-get install python3-venv); cannot install pySigma" >&2
      exit 2
    fi
  fi
  if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "sigma_ref: pip is unavailable in $venv (python3 -m ensurepip failed?); cannot install pySigma" >&2
    exit 2
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
  pins_ok || { echo "sigma_ref: the venv does not hold the pinned versions after pip install" >&2; exit 2; }
fi
"$venv/bin/python" -c 'from importlib import metadata as m; print("sigma_ref:", ", ".join(f"{p} {m.version(p)}" for p in ("pySigma", "pySigma-backend-sqlite", "evtx")))'

# The binary `cargo test` built (same features, so nothing recompiles after it).
cargo test --locked --no-run --quiet
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
hunt="$target_dir/debug/hunt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rules=tests/sigma_ref/rules
# Rules of ours that match every record of their logsource: both engines
# must evaluate the same records (tests/sigma_ref/coverage).
coverage=tests/sigma_ref/coverage
# The same paths, spelt the same, on both sides: sources compare as given.
inputs=(../shared/corpus samples)
# No user config: only these rules run.
XDG_CONFIG_HOME="$work/xdg" "$hunt" rules matches --rules "$rules" --rules "$coverage" "${inputs[@]}" \
  >"$work/hunt.jsonl" 2>"$work/hunt.err" || {
  echo "sigma_ref: hunt rules matches failed:" >&2
  grep -v 'is no source hunt reads; the rule never runs' "$work/hunt.err" >&2 || true
  exit 1
}
grep '^hunt rules matches:' "$work/hunt.err" || true
"$venv/bin/python" tests/sigma_ref/evaluate.py --rules "$rules" --rules "$coverage" --summary "$work/ref.json" \
  -o "$work/ref.jsonl" "${inputs[@]}" 2>"$work/ref.err"
grep -v '^  not read\|^  no table' "$work/ref.err" || true
python3 tests/sigma_ref/compare.py "$work/hunt.jsonl" "$work/ref.jsonl" \
  tests/sigma_ref/known_differences.txt "$work/ref.json"
