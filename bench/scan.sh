#!/usr/bin/env bash
# Throughput and peak memory of `hunt scan` side by side with what an analyst
# would otherwise run on the same file, in the same run, page cache warm.
#
#   bench/scan.sh [SIZE_MB] [extra hunt args...]
#
# Generates bench-data/signins.ndjson (Sentinel SigninLogs rows) if missing,
# builds the release binary, then times the three commands in turn for 5
# rounds, keeping each one's fastest wall time (peak RSS from the same run).
# Prints a Markdown table, every round, and the hunt/jq ratios.
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

# One timed run: prints "wall rss_kb".
time_one() {
  /usr/bin/time -f "%e %M" -o /tmp/hunt-bench-time "$@" > /dev/null 2> /tmp/hunt-bench-err || true
  tail -n 1 /tmp/hunt-bench-time
}

# The commands take turns, round after round, so that each round's jq and
# hunt runs see the same machine (on a shared VM the speed of memory-bound
# work drifts by ±15 % over minutes). Best of the rounds per command, and
# the median of the per-round hunt/jq ratios.
rounds=5
hunt_cmd=(./target/release/hunt scan --output jsonl "$@" "$data")
: > /tmp/hunt-bench-rounds
for r in $(seq "$rounds"); do
  read -r wc_w wc_m < <(time_one wc -l "$data")
  read -r jq_w jq_m < <(time_one jq -c 'select(.ResultType != "0")' "$data")
  read -r h_w h_m < <(time_one "${hunt_cmd[@]}")
  echo "$r $wc_w $wc_m $jq_w $jq_m $h_w $h_m" >> /tmp/hunt-bench-rounds
done

echo "File: $data, $((bytes / 1048576)) MiB, $rows rows ($((bytes / rows)) bytes/row), $(nproc) cores"
echo
awk -v bytes="$bytes" -v rows="$rows" -v n="$rounds" -v hname="hunt scan --output jsonl $*" '
  function best(col, mcol,   i, b, m) { b = ""; for (i = 1; i <= n; i++) if (b == "" || w[i, col] < b) { b = w[i, col]; m = w[i, mcol] } bm = m; return b }
  function row(name, col, mcol,   b) { b = best(col, mcol); printf "| %s | %s s | %.0f MB/s | %d MB |\n", name, b, bytes / 1048576 / b, bm / 1024; return b }
  { for (c = 2; c <= 7; c++) w[NR, c] = $c; ratio[NR] = $4 / $6 }
  END {
    printf "| command | wall (best of %d rounds) | throughput | peak RSS |\n|---|---|---|---|\n", n
    wc = row("wc -l", 2, 3)
    jq = row("jq -c '\''select(.ResultType != \"0\")'\''", 4, 5)
    h = row(hname, 6, 7); hm = bm
    # median of the per-round ratios
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
    printf "\nrounds (wall s): "
    for (i = 1; i <= n; i++) printf "%s jq %s / hunt %s", (i > 1 ? "; " : ""), w[i, 4], w[i, 6]
    printf "\nhunt / jq throughput: %.1fx (best vs best), %.1fx (median of rounds, %.1f-%.1fx); hunt / wc -l: %.3f; peak RSS per event: %.0f bytes\n", jq / h, ratio[int((n + 1) / 2)], ratio[1], ratio[n], wc / h, hm * 1024 / rows
  }' /tmp/hunt-bench-rounds
tail -n 3 /tmp/hunt-bench-err | sed 's/^/    hunt stderr: /'
