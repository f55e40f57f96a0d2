#!/usr/bin/env python3
"""Kill-and-restart test of `hunt scan -f kafka://…` against a real broker
(run by run.sh, which starts Tansu). Python standard library only.

1. The producer writes the Entra attack mix's first half (up to the middle
   of the first brute force) to a 3-partition topic, in every message shape
   and protocol compression; `hunt scan -f kafka://…/signins --case C`
   reads it with small fetches and is killed (SIGKILL) as soon as it has
   committed its first offsets.
2. The second half is produced, with five records of the first half sent
   again (a producer's retry), and hunt is restarted on the same case.
3. Checks: every attack of the reference (`hunt scan` of the same records
   as a JSON lines file) is in the case exactly once with the same id,
   counts and details (nothing lost, nothing doubled), the committed
   offsets reach the end of every partition, and a restart with nothing
   new prints nothing again.
"""
import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

COMPARED = ("id", "detector", "severity", "first_seen", "last_seen", "title", "event_count", "details")


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def essence(f):
    return {k: f.get(k) for k in COMPARED}


def case_rows(case):
    if not os.path.exists(case):
        return [], []
    db = sqlite3.connect(case, timeout=10)
    try:
        offsets = db.execute("SELECT part, next_offset, replay_from FROM kafka_offset ORDER BY part").fetchall()
        findings = [json.loads(d) for (d,) in db.execute("SELECT doc FROM live_finding ORDER BY id")]
    except sqlite3.OperationalError:
        return [], []
    finally:
        db.close()
    return offsets, findings


def wait_for(pred, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    fail(f"timed out waiting for {what}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker", required=True)
    ap.add_argument("--hunt", required=True)
    ap.add_argument("--producer", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    ref_file = os.path.join(a.work, "reference.ndjson")
    case = os.path.join(a.work, "case.sqlite")
    config = os.path.join(a.work, "hunt.toml")
    with open(config, "w") as f:
        # Small fetches: the first run is killed with most of the topic unread.
        f.write("[kafka]\nfetch_max_bytes = 1024\nmax_wait_ms = 100\n")
    url = f"kafka://{a.broker}/signins"
    env = dict(os.environ, HUNT_CASE=case)

    p = run(a.producer, "produce", a.broker, "signins", "3", ref_file, "1")
    if p.returncode:
        fail(f"producer (first half): {p.stderr}")
    print(p.stdout.strip())

    ref = run(a.hunt, "scan", ref_file, "-o", "jsonl", "--config", config, "--case", os.path.join(a.work, "ref.sqlite"))
    if ref.returncode not in (0, 1):
        fail(f"reference scan: {ref.stderr}")
    reference = {f["id"]: f for f in map(json.loads, ref.stdout.splitlines())}
    wanted = {"password_spray", "brute_force"}
    found = {f["detector"] for f in reference.values()}
    if not wanted <= found:
        fail(f"reference scan found {sorted(found)}, not the spray and brute forces")

    # Run 1: killed as soon as it has committed something.
    out1 = open(os.path.join(a.work, "run1.out"), "w")
    h = subprocess.Popen([a.hunt, "scan", "-f", url, "--config", config, "-o", "jsonl"],
                         stdout=out1, stderr=subprocess.PIPE, env=env)
    # Killed once the spray (all in the first half) is recorded: the first
    # brute force has begun, and small fetches leave messages unread.
    wait_for(lambda: any(f["detector"] == "password_spray" for f in case_rows(case)[1]),
             "the first run to record the spray")
    h.send_signal(signal.SIGKILL)
    h.wait()
    out1.close()
    killed_at, found1 = case_rows(case)
    print(f"run 1 killed after committing {killed_at} (partition, next, replay_from); "
          f"{len(found1)} findings recorded")

    half = json.loads(run(a.producer, "ends", a.broker, "signins").stdout)
    if not all(n < half[str(p)] for p, n, _ in killed_at):
        print("note: run 1 had committed a whole partition before the kill")
    print(f"killed mid-stream: committed {[n for _, n, _ in killed_at]} of high watermarks {half} "
          "(Tansu reports these short of the end when the last batch holds several records)")
    before = {f["id"]: f for f in found1}

    p = run(a.producer, "produce", a.broker, "signins", "3", ref_file, "2")
    if p.returncode:
        fail(f"producer (second half): {p.stderr}")
    print(p.stdout.strip())

    # Run 2: resumes from the committed offsets; stopped once caught up.
    out2 = open(os.path.join(a.work, "run2.out"), "w")
    h = subprocess.Popen([a.hunt, "scan", "-f", url, "--config", config, "-o", "jsonl"],
                         stdout=out2, stderr=subprocess.PIPE, env=env, text=True)
    ends = run(a.producer, "ends", a.broker, "signins")
    end = json.loads(ends.stdout) if ends.returncode == 0 else None
    if end is None:
        fail(f"cannot read the partitions' ends: {ends.stderr}")

    def caught_up():
        offs, _ = case_rows(case)
        got = {p: n for p, n, _ in offs}
        return all(got.get(int(p), -1) >= n for p, n in end.items())

    wait_for(caught_up, f"committed offsets to reach {end}")
    # Past Tansu's short high watermark: wait until the commits stop moving.
    last = None
    while last != case_rows(case)[0]:
        last = case_rows(case)[0]
        time.sleep(1)
    h.send_signal(signal.SIGTERM)
    _, err2 = h.communicate(timeout=10)
    out2.close()
    if "resumes 3 partition(s)" not in err2:
        fail(f"run 2 did not resume from the committed offsets: {err2}")

    _, recorded = case_rows(case)
    by_id = {}
    for f in recorded:
        by_id.setdefault(f["id"], []).append(f)
    for fid, f in reference.items():
        got = by_id.get(fid)
        if not got:
            fail(f"{f['detector']} {f['title']} ({fid}) missing from the case")
        if essence(got[0]) != essence(f):
            fail(f"{fid} differs from the reference:\n  case: {essence(got[0])}\n  ref:  {essence(f)}")
    extra = set(by_id) - set(reference)
    if extra:
        fail(f"findings not in the reference: {[by_id[i][0]['title'] for i in extra]}")
    grown = [fid for fid, f in before.items() if essence(f) != essence(by_id[fid][0])]
    print(f"{len(before)} finding(s) recorded before the kill, {len(grown)} of them completed "
          f"after the restart with the same id")
    for det in wanted:
        n = sum(1 for f in recorded if f["detector"] == det)
        print(f"{det}: {n} finding(s) in the case, each once, equal to the reference")

    # The second run's output: each finding at most once as created.
    created = {}
    for path in ("run1.out", "run2.out"):
        for line in open(os.path.join(a.work, path)):
            f = json.loads(line)
            if f.get("change") == "created":
                created[f["id"]] = created.get(f["id"], 0) + 1
    twice = [i for i, n in created.items() if n > 1]
    if twice:
        fail(f"announced as created more than once across the restart: {twice}")

    # Run 3: nothing new on the topic, so nothing is printed again.
    out3 = os.path.join(a.work, "run3.out")
    with open(out3, "w") as o:
        h = subprocess.Popen([a.hunt, "scan", "-f", url, "--config", config, "-o", "jsonl"],
                             stdout=o, stderr=subprocess.DEVNULL, env=env)
        time.sleep(3)
        h.send_signal(signal.SIGTERM)
        h.wait(timeout=10)
    again = open(out3).read().strip()
    if again:
        fail(f"a restart with nothing new printed findings again:\n{again[:500]}")
    print("restart with nothing new: no finding printed again")
    print("PASS kafka kill-and-restart")


if __name__ == "__main__":
    main()
