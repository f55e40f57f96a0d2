#!/usr/bin/env bash
# Issue 14 measurements (run from the crate root after a release build):
#
#   bench/events.sh formats [SIZE_MB]   # `hunt events` per output format on the Entra
#                                       # benchmark file: wall, MB/s, peak RSS
#   bench/events.sh scale N...          # `hunt scan` on N generated sshd events (e.g.
#                                       # 1000000 5000000 20000000): held events, peak RSS,
#                                       # load time, time to first alert
#
# Generated data is deleted as soon as its figures are taken (disk is shared).
set -euo pipefail
cd "$(dirname "$0")/.."
hunt=./target/release/hunt
mode=${1:-formats}
shift || true

# Runs a command under /usr/bin/time; prints "wall_s peak_rss_kb".
timed() {
  /usr/bin/time -f "%e %M" -o /tmp/hunt-ev-time "$@" > /dev/null 2> /tmp/hunt-ev-err
  tail -n 1 /tmp/hunt-ev-time
}

if [ "$mode" = formats ]; then
  size_mb=${1:-2000}
  data=bench-data/signins-events.ndjson
  ./target/release/examples/gen_bench_data "$size_mb" "$data"
  bytes=$(stat -c %s "$data")
  rows=$(wc -l < "$data")
  echo "File: $data, $((bytes / 1048576)) MiB, $rows rows"
  echo "| command | wall | throughput | peak RSS |"
  echo "|---|---|---|---|"
  read -r w m < <(timed "$hunt" scan --output jsonl "$data")
  echo "| hunt scan --output jsonl | $w s | $(awk -v b="$bytes" -v w="$w" 'BEGIN{printf "%.0f", b/1048576/w}') MB/s | $((m / 1024)) MB |"
  for f in jsonl csv ocsf parquet timesketch; do
    read -r w m < <(timed "$hunt" events --output "$f" -o /dev/null "$data")
    echo "| hunt events --output $f | $w s | $(awk -v b="$bytes" -v w="$w" 'BEGIN{printf "%.0f", b/1048576/w}') MB/s | $((m / 1024)) MB |"
  done
  rm -f "$data"
  exit 0
fi

# scale
echo "| events | file | load (scan wall) | peak RSS | held (store) | RSS/event | first alert (scan -f) |"
echo "|---|---|---|---|---|---|---|"
for n in "$@"; do
  data=bench-data/sshd-$n.log
  ./target/release/examples/gen_sshd_bench "$n" "$data"
  bytes=$(stat -c %s "$data")
  cat "$data" > /dev/null
  read -r w m < <(timed "$hunt" scan -v --output jsonl "$data")
  held=$(grep -o 'store holds [0-9]* events in ~[0-9]* MiB ([0-9]* bytes/event)' /tmp/hunt-ev-err || true)
  # Time to the first finding line of a follow-mode scan, then stop it.
  start=$(date +%s.%N)
  first=$( ( "$hunt" scan -f --output jsonl "$data" 2>/dev/null & echo $! > /tmp/hunt-ev-pid; wait ) |
    { read -r _ && date +%s.%N; kill "$(cat /tmp/hunt-ev-pid)" 2>/dev/null || true; } )
  ttfa=$(awk -v a="$start" -v b="$first" 'BEGIN{printf "%.1f", b-a}')
  echo "| $n | $((bytes / 1048576)) MiB | $w s | $((m / 1024)) MB | $held | $((m * 1024 / n)) B | $ttfa s |"
  rm -f "$data"
done
