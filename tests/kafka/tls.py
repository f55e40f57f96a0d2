#!/usr/bin/env python3
"""`hunt scan -f kafka://…?tls=true` against a real broker behind TLS (run by
run.sh, which starts a Tansu broker that advertises the TLS port and stunnel
terminating TLS in front of it with a certificate made for the test).
Python standard library only.

1. The producer writes the whole Entra attack mix over TLS (trusting the
   test CA), and the same records as JSON lines for a reference `hunt scan`.
2. `hunt scan -f kafka://HOST:TLSPORT/signins-tls?tls=true` with `[kafka]
   ca_file` set to the test CA finds every attack of the reference, with the
   same ids, counts and details.
3. Without `ca_file` (the system's roots, which do not hold the test CA)
   hunt refuses the broker's certificate: it reports a TLS error and
   prints no finding, instead of reading the stream unverified.
"""
import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

from restart import essence, fail, run


def read_findings(proc, want, timeout=90):
    """Finding lines of `proc` until every id of `want` has been seen."""
    lines = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    got = {}
    deadline = time.monotonic() + timeout
    while not set(want) <= set(got):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        if line.strip():
            f = json.loads(line)
            got[f["id"]] = f
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker", required=True, help="the TLS address (stunnel)")
    ap.add_argument("--ca", required=True)
    ap.add_argument("--hunt", required=True)
    ap.add_argument("--producer", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    ref_file = os.path.join(a.work, "tls-reference.ndjson")
    env = dict(os.environ, KAFKA_ATTACK_CA=a.ca)
    try:
        p = run(a.producer, "produce", a.broker, "signins-tls", "3", ref_file, "all",
                env=env, timeout=120)
    except subprocess.TimeoutExpired:
        fail("the producer over TLS did not finish within 120 s (see the stunnel log)")
    if p.returncode:
        fail(f"producer over TLS: {p.stderr}")
    print(f"over TLS: {p.stdout.strip()}")

    ref = run(a.hunt, "scan", ref_file, "-o", "jsonl", "--case", os.path.join(a.work, "tls-ref.sqlite"))
    if ref.returncode not in (0, 1):
        fail(f"reference scan: {ref.stderr}")
    reference = {}
    for f in map(json.loads, ref.stdout.splitlines()):
        reference[f["id"]] = f
    if not {"password_spray", "brute_force"} <= {f["detector"] for f in reference.values()}:
        fail("the reference scan does not hold the spray and the brute forces")

    url = f"kafka://{a.broker}/signins-tls?tls=true"
    trusted = os.path.join(a.work, "tls.toml")
    with open(trusted, "w") as f:
        f.write(f'[kafka]\nca_file = "{a.ca}"\nmax_wait_ms = 100\n')
    h = subprocess.Popen(
        [a.hunt, "scan", "-f", url, "--config", trusted, "-o", "jsonl",
         "--case", os.path.join(a.work, "tls-case.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    got = read_findings(h, reference)
    h.send_signal(signal.SIGTERM)
    try:
        _, err = h.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        h.kill()
        _, err = h.communicate()
    missing = [reference[i]["title"] for i in reference if i not in got]
    if missing:
        fail(f"over TLS, missing {missing}; hunt said: {err[-2000:]}")
    for fid, f in reference.items():
        if essence(got[fid]) != essence(f):
            fail(f"{fid} over TLS differs:\n  tls: {essence(got[fid])}\n  ref: {essence(f)}")
    extra = set(got) - set(reference)
    if extra:
        fail(f"findings over TLS not in the reference: {sorted(extra)}")
    print(f"over TLS with ca_file: all {len(reference)} reference finding(s), identical")

    # The system's roots do not hold the test CA: the broker is refused.
    untrusted = os.path.join(a.work, "tls-untrusted.toml")
    with open(untrusted, "w") as f:
        f.write("[kafka]\nmax_wait_ms = 100\n")
    h = subprocess.Popen(
        [a.hunt, "scan", "-f", url, "--config", untrusted, "-o", "jsonl",
         "--case", os.path.join(a.work, "tls-untrusted.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = h.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        h.send_signal(signal.SIGTERM)
        out, err = h.communicate(timeout=10)
    if out.strip():
        fail(f"with an untrusted certificate hunt printed findings:\n{out[:300]}")
    low = err.lower()
    if "certificate" not in low and "tls" not in low:
        fail(f"an untrusted certificate was not reported as such: {err[-1000:]}")
    print(f"untrusted certificate refused (exit {h.returncode}): "
          f"{err.strip().splitlines()[-1] if err.strip() else ''}")
    print("PASS kafka over TLS")


if __name__ == "__main__":
    main()
