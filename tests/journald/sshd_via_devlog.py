#!/usr/bin/env python3
"""Writes sshd's messages of a brute force to a journald's syslog socket the
way sshd does: one process per connection (sshd forks a child per
connection, so journald's trusted _PID is that child's), each message a
syslog(3) datagram `<PRI>Mmm dd hh:mm:ss sshd[PID]: MESSAGE` sent to
/dev/log. Used by capture.sh; the OpenSSH 9.2 (Debian 12) message texts
are those of the corpus auth.log files.

usage: sshd_via_devlog.py SOCKET [brute|live]
"""
import os
import socket
import sys
import time

AUTH = 4 << 3  # facility auth
AUTHPRIV = 10 << 3


def send(sock, path, pri, msg):
    stamp = time.strftime("%b %e %H:%M:%S", time.localtime())
    head = f"<{pri}>{stamp} sshd[{os.getpid()}]: ".encode()
    body = msg if isinstance(msg, bytes) else msg.encode()
    sock.sendto(head + body, path)


def connection(path, lines):
    pid = os.fork()
    if pid == 0:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for pri, msg in lines:
            send(s, path, pri, msg)
            time.sleep(0.01)
        os._exit(0)
    os.waitpid(pid, 0)


def root_conn(ip, port, tries):
    lines = [(AUTH | 6, f"Connection from {ip} port {port} on 192.0.2.10 port 22 rdomain \"\"")]
    for _ in range(tries):
        lines.append((AUTHPRIV | 5, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
                      f"rhost={ip}  user=root"))
        lines.append((AUTH | 6, f"Failed password for root from {ip} port {port} ssh2"))
    lines.append((AUTH | 6, f"Connection closed by authenticating user root {ip} port {port} [preauth]"))
    return lines


def invalid_conn(ip, port, user):
    u = user if isinstance(user, bytes) else user.encode()
    return [
        (AUTH | 6, b"Invalid user " + u + f" from {ip} port {port}".encode()),
        (AUTHPRIV | 5, "pam_unix(sshd:auth): check pass; user unknown"),
        (AUTHPRIV | 5, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
         f"rhost={ip}"),
        (AUTH | 6, b"Failed password for invalid user " + u + f" from {ip} port {port} ssh2".encode()),
        (AUTH | 6, b"Connection closed by invalid user " + u + f" {ip} port {port} [preauth]".encode()),
    ]


def main():
    path = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "brute"
    if mode == "brute":
        connection(path, [
            (AUTH | 6, "Accepted publickey for alice from 198.51.100.4 port 40022 ssh2: ED25519 "
             "SHA256:q5L1Xw8P0bYk3x1m8gq9dXkq2m0h0wQpS3kzq4bq5xY"),
            (AUTHPRIV | 6, "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)"),
        ])
        for i in range(4):
            connection(path, root_conn("203.0.113.7", 50010 + i, 3))
        for i, user in enumerate(["admin", "oracle", b"adm\xff\xfein"]):
            connection(path, invalid_conn("203.0.113.7", 50100 + i, user))
    else:
        # A live brute force whose last attempt is held (a pam_unix failure
        # with no Failed line after it): 10 failures for root.
        for i in range(3):
            connection(path, root_conn("203.0.113.8", 51000 + i, 3))
        connection(path, [(AUTHPRIV | 5, "pam_unix(sshd:auth): authentication failure; logname= uid=0 "
                           "euid=0 tty=ssh ruser= rhost=203.0.113.8  user=root")])


if __name__ == "__main__":
    main()
