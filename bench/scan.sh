#!/usr/bin/env bash
# Throughput and peak memory of `hunt scan` side by side with what an analyst
# would otherwise run on the same file, in the same run, page cache warm.
#
#   bench/scan.sh [SIZE_MB] [extra hunt args...]
#
# Generates bench-data/signins.ndjson (Sentinel SigninLogs rows) if missing,
# builds the release binary, then times each command 5 times and keeps the
# fastest wall time (peak RSS from the same run). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1100}
shift || true
data=bench-data/signins.ndjson
cargo build --release --quiet --bin hunt --example gen_bench_data
if [ ! -f "$data" ] || [ "$(stat -c %s "$data")" -lt $((size_mb * 1000 * 1000)) ]; then
  ./target/release/examples/gen_bench_data "$size_mb" "$data"
fi
bytes=$(stat -c %s "$data")
rows=$(wc -l < "$data")
cat "$data" > /dev/null # warm the page cache

run() { # name, command...
  local name=$1; shift
  local best_wall="" best_rss=""
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o /tmp/hunt-bench-time "$@" > /dev/null 2> /tmp/hunt-bench-err || true
    read -r wall rss < <(tail -n 1 /tmp/hunt-bench-time)
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; best_rss=$rss; fi
  done
  local mbs
  mbs=$(awk "BEGIN{printf \"%.0f\", $bytes/1048576/($best_wall>0?$best_wall:0.001)}")
  printf '| %s | %s s | %s MB/s | %s MB |\n' "$name" "$best_wall" "$mbs" "$((best_rss / 1024))"
  echo "${name%% *}|$best_wall|$mbs|$best_rss" >> /tmp/hunt-bench-results
}

rm -f /tmp/hunt-bench-results
echo "File: $data, $((bytes / 1048576)) MiB, $rows rows ($((bytes / rows)) bytes/row), $(nproc) cores"
echo
echo "| command | wall (best of 5) | throughput | peak RSS |"
echo "|---|---|---|---|"
run "wc -l" wc -l "$data"
run "jq -c 'select(.ResultType != \"0\")'" jq -c 'select(.ResultType != "0")' "$data"
run "hunt scan --output jsonl $*" ./target/release/hunt scan --output jsonl "$@" "$data"
tail -n 3 /tmp/hunt-bench-err | sed 's/^/    hunt stderr: /'
awk -F'|' -v rows="$rows" '
  $1=="wc" {wc=$3} $1=="jq" {jq=$3} $1=="hunt" {h=$3; rss=$4}
  END { printf "\nhunt / jq throughput: %.1fx; hunt / wc -l: %.3f; peak RSS per event: %.0f bytes\n", h/jq, h/wc, rss*1024/rows }' /tmp/hunt-bench-results
