#!/usr/bin/env bash
# Spark equivalence test (issue 14 part 3), called by .ci/run.
# Installs pyspark (PyPI) and a Java runtime (Debian) unless present, writes
# the samples, a small generated tenant and the shared corpus as OCSF Parquet
# and as OCSF JSON lines with `hunt events`, runs every query of
# `hunt rules --dialect spark-sql` in Spark local[2], and compares the
# findings with `hunt scan`, on both, and loads the Parquet run's results back
# from Spark's own CSV writer too (tests/spark/compare.py; differences must be
# listed in tests/spark/known_differences.txt with their reason).
# Never skips: a missing tool it cannot install is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v java >/dev/null 2>&1; then
  echo "spark test: installing a Java runtime (openjdk-17-jre-headless)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if ! python3 -c 'import pyspark' >/dev/null 2>&1; then
  echo "spark test: installing pyspark"
  python3 -m pip install -q pyspark 2>/dev/null || python3 -m pip install -q --break-system-packages pyspark
fi
java -version 2>&1 | head -1
python3 -c 'import pyspark; print("pyspark", pyspark.__version__)'

# The binaries `cargo test` built (bin and examples, same features, so nothing
# recompiles after it in .ci/run).
cargo test --locked --no-run --quiet
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
hunt="$target_dir/debug/hunt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A small generated tenant (about 2,400 sign-ins with a spray and a stuffing burst per hour).
"$target_dir/debug/examples/gen_bench_data" 5 "$work/tenant/signins.ndjson" >/dev/null

# One dataset: the samples (a planted scenario per detector), the generated
# tenant (realistic noise: nothing may fire) and the shared corpus (real
# formats, odd records, many events in one millisecond) read together, so
# Spark starts and plans each query once.
inputs=(samples "$work/tenant" ../shared/corpus)
# No user config or case: the effective config is the built-in one on both sides.
XDG_CONFIG_HOME="$work/xdg" "$hunt" events --output parquet -o "$work/all.parquet" "${inputs[@]}"
# The same rows as OCSF JSON lines, read with the schema of `--spark-schema`.
XDG_CONFIG_HOME="$work/xdg" "$hunt" events --output ocsf -o "$work/all.ocsf.jsonl" "${inputs[@]}"
XDG_CONFIG_HOME="$work/xdg" "$hunt" scan --output jsonl --include-suppressed "${inputs[@]}" \
  >"$work/all.scan.jsonl" 2>/dev/null
sets=("all=$work/all.parquet:$work/all.scan.jsonl" "json=$work/all.ocsf.jsonl:$work/all.scan.jsonl")

XDG_CONFIG_HOME="$work/xdg" timeout 600 python3 tests/spark/compare.py "$hunt" \
  tests/spark/known_differences.txt "$work" "${sets[@]}"
