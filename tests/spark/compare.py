#!/usr/bin/env python3
"""Spark equivalence check (issue 14 part 3), driven by tests/spark/run.sh.

For each dataset (name=events-file): starts nothing itself but one local[2]
SparkSession, registers the OCSF events (Parquet from `hunt events --output
parquet`, or OCSF JSON lines) as the view `hunt_events`, runs every query of
`hunt rules --dialect spark-sql`, writes the rows as JSON lines, loads them
back with `hunt case import-results` (so hunt's own id for each lake finding
is computed by hunt), and compares those ids with `hunt scan --output jsonl
--include-suppressed` on the same logs. A finding on one side only must be
listed in known_differences.txt with its reason; a listed difference that no
longer occurs is an error too (the list stays true). Exit 0 only when every
query ran and every difference is listed.

Usage: compare.py HUNT KNOWN_DIFFERENCES WORKDIR name=EVENTS:SCAN_JSONL ...
"""

import json
import os
import subprocess
import sys
import time


def split_queries(text):
    """The queries of `hunt rules`, split on their `-- hunt rule: <id>` marker."""
    queries, cur, det = [], [], None
    for line in text.splitlines():
        if line.startswith("-- hunt rule:"):
            if det is not None:
                queries.append((det, "\n".join(cur)))
            det, cur = line.split()[3], []
        cur.append(line)
    if det is not None:
        queries.append((det, "\n".join(cur)))
    return [(d, q.strip().rstrip(";")) for d, q in queries]


def load_known(path):
    """`dataset side finding-id  # reason` lines; a reason is required."""
    known = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, reason = line.partition("#")
            parts = key.split()
            if len(parts) < 3 or not reason.strip():
                sys.exit(f"{path}:{n}: want `dataset side id [detector first_seen entity]  # reason`")
            known[(parts[0], parts[1], parts[2])] = reason.strip()
    return known


def scan_findings(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                v = json.loads(line)
                who = v.get("user") or v.get("ip") or ""
                out[v["id"]] = (v["detector"], v["first_seen"], who)
    return out


def main():
    hunt, known_path, work = sys.argv[1:4]
    datasets = [a.split("=", 1) for a in sys.argv[4:]]
    known = load_known(known_path)
    rules = subprocess.run([hunt, "rules", "--dialect", "spark-sql"], check=True,
                           capture_output=True, text=True).stdout
    queries = split_queries(rules)
    if len(queries) < 10:
        sys.exit(f"expected a query per detector, got {len(queries)}")

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("hunt-lake-equivalence")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             # Small data: compiling generated code costs more than it saves.
             .config("spark.sql.codegen.wholeStage", "false")
             .config("spark.sql.session.timeZone", "America/New_York")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")

    failures, seen = [], set()
    from pyspark.sql import functions as F
    for n, (name, spec) in enumerate(datasets):
        events, scan = spec.split(":", 1)
        # Spark's CSV writer (default options but a header) is proved once,
        # on the first dataset: it trims trailing spaces and writes times in
        # the session zone with their offset, and the ids must survive both.
        csv_results = n == 0
        if events.endswith(".parquet"):
            reader = spark.read.parquet
        else:
            # OCSF JSON lines: the schema of `hunt events --spark-schema`, so a
            # column null in every row is still there for the queries.
            ddl = subprocess.run([hunt, "events", "--spark-schema"], check=True,
                                 capture_output=True, text=True).stdout.strip()
            reader = spark.read.schema(ddl).json
        frame = reader(events).cache()
        print(f"{name}: {frame.count()} events from {events}", flush=True)
        frame.createOrReplaceTempView("hunt_events")
        rows_path = os.path.join(work, f"{name}.lake.jsonl")
        csv_dirs = []
        counts = {}
        with open(rows_path, "w", encoding="utf-8") as out:
            for det, q in queries:
                t0 = time.time()
                try:
                    result = spark.sql(q).cache()
                    rows = result.collect()
                except Exception as e:  # a query that does not run is a failure, never a skip
                    failures.append(f"{name}: {det}: query failed: {str(e).splitlines()[0]}")
                    continue
                counts[det] = len(rows)
                for r in rows:
                    out.write(json.dumps(r.asDict(recursive=True)) + "\n")
                if csv_results and rows:
                    # Spark's own CSV writer, default options but a header:
                    # backslash-escaped quotes, its timestamp format, and the
                    # evidence array as JSON text (CSV has no arrays).
                    d = os.path.join(work, f"{name}.csv", det)
                    (result.withColumn("evidence_ids", F.to_json("evidence_ids"))
                     .coalesce(1).write.mode("overwrite").option("header", True).csv(d))
                    csv_dirs.append(d)
                result.unpersist()
                print(f"  {name} {det}: {len(rows)} row(s) in {time.time() - t0:.1f}s", flush=True)
        case = os.path.join(work, f"{name}.case.sqlite")
        imp = subprocess.run([hunt, "case", "import-results", rows_path, "--case", case],
                             capture_output=True, text=True)
        if imp.returncode != 0 or ", 0 row(s) skipped" not in imp.stderr:
            failures.append(f"{name}: import-results failed or skipped rows: {imp.stderr.strip()}")
        lake = {}
        for line in imp.stdout.splitlines():
            v = json.loads(line)
            lake[v["id"]] = (v["detector"], v["first_seen"], v["entity"])
        if csv_results:
            # The same results as Spark's CSV files give the same findings.
            from_csv = {}
            csv_case = os.path.join(work, f"{name}.csv.case.sqlite")
            parts = sorted(os.path.join(d, f) for d in csv_dirs for f in os.listdir(d)
                           if f.startswith("part-") and f.endswith(".csv"))
            for part in parts:
                imp = subprocess.run([hunt, "case", "import-results", part, "--case", csv_case],
                                     capture_output=True, text=True)
                if imp.returncode != 0 or ", 0 row(s) skipped" not in imp.stderr:
                    failures.append(f"{name}: import-results of Spark CSV {part} failed or "
                                    f"skipped rows: {imp.stderr.strip()}")
                for line in imp.stdout.splitlines():
                    v = json.loads(line)
                    from_csv[v["id"]] = (v["detector"], v["first_seen"], v["entity"])
            print(f"{name}: {len(parts)} Spark CSV file(s) give {len(from_csv)} finding(s), "
                  f"JSON lines {len(lake)}")
            if from_csv != lake:
                only_csv = sorted(set(from_csv) - set(lake))
                only_json = sorted(set(lake) - set(from_csv))
                differ = sorted(k for k in set(lake) & set(from_csv) if lake[k] != from_csv[k])
                failures.append(f"{name}: Spark CSV and JSON results differ: only in CSV "
                                f"{only_csv[:5]}, only in JSON {only_json[:5]}, "
                                f"different {differ[:5]}")
        hunt_side = scan_findings(scan)
        # Only detectors `hunt rules` prints a Spark query for are compared
        # (Sigma rules have none: said aloud).
        with_query = {det for det, _ in queries}
        skipped = {}
        for fid, (det, _, _) in list(hunt_side.items()):
            if det not in with_query:
                skipped[det] = skipped.get(det, 0) + 1
                del hunt_side[fid]
        for det, n in sorted(skipped.items()):
            print(f"{name}: not compared (no spark-sql query): {det}: {n} finding(s)")
        print(f"{name}: hunt scan {len(hunt_side)} finding(s), spark {len(lake)}")
        for side, mine, other in (("only-in-spark", lake, hunt_side), ("only-in-scan", hunt_side, lake)):
            for fid, (det, first, who) in sorted(mine.items(), key=lambda kv: kv[1]):
                if fid in other:
                    continue
                key = (name, side, fid)
                seen.add(key)
                line = f"{name} {side} {fid} {det} {first} {who}"
                if key in known:
                    print(f"  known: {line}  # {known[key]}")
                else:
                    failures.append(f"unlisted difference: {line}")
    for key, reason in known.items():
        if key[0] in dict(datasets) and key not in seen:
            failures.append(f"listed difference no longer occurs: {' '.join(key)}  # {reason}")
        frame.unpersist()
    spark.stop()
    for f in failures:
        print("FAIL", f)
    print(f"spark equivalence: {len(datasets)} dataset(s), {len(queries)} queries, "
          f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
