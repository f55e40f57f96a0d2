#!/usr/bin/env bash
# The Kafka source against a real Kafka-protocol broker: Tansu (crates.io
# `tansu`, Apache-2.0) with in-memory storage, built once and kept under
# ~/.cache/hunt-ci (a cold build takes about 12 minutes on 2 cores).
# Starts it on a free localhost port, runs restart.py, stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."

cache="${HUNT_CI_CACHE:-$HOME/.cache/hunt-ci}"
tansu="$cache/tansu/bin/tansu"
if [ ! -x "$tansu" ]; then
  echo "tests/kafka: building Tansu 0.6.0 once into $cache/tansu (about 12 min)" >&2
  CARGO_TARGET_DIR="$cache/tansu-target" nice -n 10 \
    cargo install tansu --version 0.6.0 --locked --features dynostore --root "$cache/tansu"
fi
# hunt and the producer (examples/kafka_attack.rs), test profile.
cargo test --locked --no-run >/dev/null 2>&1 || cargo test --locked --no-run

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
work="$(mktemp -d)"
"$tansu" broker \
  --listener-url "tcp://127.0.0.1:$port" \
  --advertised-listener-url "tcp://127.0.0.1:$port" \
  --storage-engine memory://tansu/ >"$work/tansu.log" 2>&1 &
broker=$!
cleanup() {
  kill "$broker" 2>/dev/null || true
  wait "$broker" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
    break
  fi
  sleep 0.1
done

python3 tests/kafka/restart.py \
  --broker "127.0.0.1:$port" \
  --hunt target/debug/hunt \
  --producer target/debug/examples/kafka_attack \
  --work "$work" || { echo "--- tansu log (tail)"; tail -n 30 "$work/tansu.log"; exit 1; }
