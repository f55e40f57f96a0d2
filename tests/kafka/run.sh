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

# The workbench itself on the Kafka source (tests/live_workbench.rs): the
# attack mix produced to a fresh topic shows its brute forces on screen.
HUNT_TEST_KAFKA_BROKER="127.0.0.1:$port" cargo test --locked --test live_workbench kafka -- --nocapture

# The same client over TLS: a second broker that advertises the TLS port,
# stunnel terminating TLS in front of it with a certificate made here.
if ! command -v stunnel4 >/dev/null 2>&1 && ! command -v stunnel >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y stunnel4 >/dev/null 2>&1 || sudo -n apt-get install -y stunnel4 >/dev/null 2>&1) || true
  fi
fi
stunnel_bin="$(command -v stunnel4 || command -v stunnel || true)"
if [ -z "$stunnel_bin" ]; then
  echo "FAIL: stunnel is needed for the Kafka TLS test (apt-get install stunnel4)" >&2
  exit 1
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
plain="$(free_port)"
tls="$(free_port)"
# A test CA and a server certificate it signs (webpki, under rustls, refuses
# a CA certificate used as the server's own).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hunt test CA" \
  -keyout "$work/ca.key" -out "$work/tls.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$work/tls.key" -out "$work/server.csr" >/dev/null 2>&1
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/tls.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/server.ext" -out "$work/server.pem" >/dev/null 2>&1
"$tansu" broker \
  --listener-url "tcp://127.0.0.1:$plain" \
  --advertised-listener-url "tcp://127.0.0.1:$tls" \
  --storage-engine memory://tansu/ >"$work/tansu-tls.log" 2>&1 &
broker2=$!
cat >"$work/stunnel.conf" <<CONF
foreground = yes
pid =
[kafka]
accept = 127.0.0.1:$tls
connect = 127.0.0.1:$plain
cert = $work/server.pem
key = $work/tls.key
CONF
"$stunnel_bin" "$work/stunnel.conf" >"$work/stunnel.log" 2>&1 &
tunnel=$!
cleanup() {
  kill "$broker" "$broker2" "$tunnel" 2>/dev/null || true
  wait "$broker" "$broker2" "$tunnel" 2>/dev/null || true
  rm -rf "$work"
}
for port in "$plain" "$tls"; do
  for _ in $(seq 100); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
done
python3 tests/kafka/tls.py \
  --broker "127.0.0.1:$tls" \
  --ca "$work/tls.pem" \
  --hunt target/debug/hunt \
  --producer target/debug/examples/kafka_attack \
  --work "$work" || {
    echo "--- tansu log (tail)"; tail -n 20 "$work/tansu-tls.log"
    echo "--- stunnel log (tail)"; tail -n 20 "$work/stunnel.log"; exit 1; }
