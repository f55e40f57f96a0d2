#!/usr/bin/env python3
"""Alert latency and sustained rate of hunt's syslog receiver, measured from
the outside: `hunt scan -f syslog://127.0.0.1:PORT` runs as a process, this
script sends RFC 5424 messages over UDP or TCP and reads the finding lines
from hunt's stdout.

  bench/syslog.py HUNT latency [udp|tcp|tls|file] [N]    # N attacks (default 200)
  bench/syslog.py HUNT rate [udp|tcp|tls|file] EV/S [SECONDS]

`tls` is RFC 5425 (octet-counted syslog over TLS): hunt listens on
`syslog+tls://` with a certificate made for the run (openssl), and the
sender trusts only that certificate.

`file` sends the same messages as lines appended to a file that
`hunt scan -f FILE` follows: the same records through the file tail.

latency: each attack is ten `Failed password` messages for a new user (the
brute_force threshold); nine are sent, then after a random 0-200 ms pause
the tenth, timed from its send to the brute_force line for that user.

rate: background `Accepted publickey` messages (events, no findings) for
50,000 users from 4,000 sshd pids at a fixed rate in 5 ms slices, with a
marker attack (ten failures for a new user) every 0.5 s; "kept up" means
every marker's finding arrived within 1 s of its tenth message, the last
included. Over UDP, what the receiver lost is read from hunt's stderr.
"""
import json
import os
import ssl
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    while True:
        t = socket.socket()
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            pass
        finally:
            u.close()
            t.close()


class Hunt:
    def __init__(self, binary, kind="udp"):
        self.port = free_port()
        self.home = tempfile.mkdtemp()
        self.file = os.path.join(self.home, "auth.log")
        env = dict(os.environ, XDG_CONFIG_HOME=self.home, XDG_DATA_HOME=self.home)
        source = self.file if kind == "file" else f"syslog://127.0.0.1:{self.port}"
        args = []
        if kind == "file":
            open(self.file, "wb").close()
        if kind == "tls":
            self.cert = os.path.join(self.home, "cert.pem")
            key = os.path.join(self.home, "key.pem")
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", key, "-out", self.cert],
                check=True, capture_output=True)
            config = os.path.join(self.home, "hunt.toml")
            with open(config, "w") as f:
                f.write(f'[syslog]\ntls_cert = "{self.cert}"\ntls_key = "{key}"\n')
            source = f"syslog+tls://127.0.0.1:{self.port}"
            args = ["--config", config]
        self.p = subprocess.Popen(
            [binary, "scan", "-f", source, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.seen = {}  # user -> arrival time of its first brute_force line
        self.cond = threading.Condition()
        self.stderr = []
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()
        deadline = time.time() + 20
        while kind != "file":
            try:
                socket.create_connection(("127.0.0.1", self.port)).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("hunt does not listen")
                time.sleep(0.02)

    def _out(self):
        for line in self.p.stdout:
            now = time.perf_counter()
            if b"brute_force" not in line:
                continue
            user = json.loads(line).get("user")
            with self.cond:
                self.seen.setdefault(user, now)
                self.cond.notify_all()

    def _err(self):
        for line in self.p.stderr:
            self.stderr.append(line.decode(errors="replace").rstrip())

    def wait(self, user, timeout):
        deadline = time.perf_counter() + timeout
        with self.cond:
            while user not in self.seen:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.seen[user]

    def cpu(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.p.kill()
        self.p.wait()


class Sender:
    def __init__(self, kind, port, path=None, cert=None):
        self.kind = kind
        if kind == "tls":
            ctx = ssl.create_default_context(cafile=cert)
            raw = socket.create_connection(("127.0.0.1", port))
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        elif kind == "file":
            self.f = open(path, "ab", buffering=0)
            time.sleep(0.5)
        elif kind == "udp":
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.addr = ("127.0.0.1", port)
        else:
            self.s = socket.create_connection(("127.0.0.1", port))
            self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, msgs):
        if self.kind == "file":
            self.f.write(b"".join(m + b"\n" for m in msgs))
        elif self.kind == "udp":
            for m in msgs:
                try:
                    self.s.sendto(m, self.addr)
                except OSError:
                    pass
        else:
            self.s.sendall(b"".join(b"%d %s" % (len(m), m) for m in msgs))


def stamp():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z"


def failure(user, i):
    return (f"<38>1 {stamp()} bench sshd {90000 + i % 1000} - - Failed password for {user} "
            f"from 203.0.113.{i % 250 + 1} port {40000 + i} ssh2").encode()


def background(i):
    return (f"<38>1 {stamp()} bench sshd {i % 4000} - - Accepted publickey for u{i % 50000} "
            f"from 10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256} port 22 ssh2: ED25519 "
            "SHA256:q5L1Xw8P0bYk3x1m8gq9dXkq2m0h0wQpS3kzq4bq5xY").encode()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def latency(binary, kind, n):
    h = Hunt(binary, kind)
    s = Sender(kind, h.port, h.file, getattr(h, "cert", None))
    lat, missed = [], 0
    for k in range(n):
        user = f"lat{k}"
        s.send([failure(user, k * 10 + j) for j in range(9)])
        time.sleep(random.uniform(0, 0.2))
        t0 = time.perf_counter()
        s.send([failure(user, k * 10 + 9)])
        got = h.wait(user, 5)
        if got is None:
            missed += 1
        else:
            lat.append((got - t0) * 1000)
    h.stop()
    print(f"latency {kind}: {n} attacks, p50 {pct(lat, 50):.0f} ms, p90 {pct(lat, 90):.0f} ms, "
          f"p99 {pct(lat, 99):.0f} ms, max {max(lat):.0f} ms, {missed} missed")


def rate(binary, kind, per_sec, seconds):
    h = Hunt(binary, kind)
    s = Sender(kind, h.port, h.file, getattr(h, "cert", None))
    markers = []
    sent = 0
    start = time.perf_counter()
    cpu0 = h.cpu()
    next_marker = start + 0.5
    while True:
        now = time.perf_counter()
        if now - start >= seconds:
            break
        due = int((now - start) * per_sec)
        if due > sent:
            s.send([background(i) for i in range(sent, due)])
            sent = due
        if now >= next_marker:
            user = f"m{len(markers)}"
            s.send([failure(user, len(markers) * 10 + j) for j in range(10)])
            markers.append((user, time.perf_counter()))
            next_marker += 0.5
        time.sleep(0.005)
    wall = time.perf_counter() - start
    cpu = h.cpu() - cpu0
    late = []
    for user, t0 in markers:
        got = h.wait(user, 5)
        late.append(None if got is None else (got - t0) * 1000)
    time.sleep(1.5)
    h.stop()
    ok = [x for x in late if x is not None]
    kept = all(x is not None and x <= 1000 for x in late)
    lost = [l for l in h.stderr if "lost so far" in l]
    print(f"rate {kind}: {per_sec} ev/s asked for {seconds} s, {sent / wall:.0f} ev/s sent ({sent} background + {len(markers) * 10} attack "
          f"messages); markers {len(ok)}/{len(markers)} found, p50 {pct(ok, 50):.0f} ms, max "
          f"{max(ok):.0f} ms; kept up: {'yes' if kept else 'NO'}; hunt CPU {100 * cpu / wall:.0f} % of a core")
    print("  " + (lost[-1] if lost else "receiver reported no loss"))


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    binary, what = sys.argv[1], sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) > 3 else "udp"
    if what == "latency":
        latency(binary, kind, int(sys.argv[4]) if len(sys.argv) > 4 else 200)
    elif what == "rate":
        rate(binary, kind, int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 10)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
