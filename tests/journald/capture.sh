#!/bin/sh
# Captures real `journalctl -o json` output: starts the system's own
# systemd-journald (Debian 12, systemd 252) in a private mount namespace
# (tmpfs over /run and /var/log/journal, so the machine's logging is not
# touched), feeds it sshd's messages of a brute force through its syslog
# socket the way sshd does (sshd_via_devlog.py), and writes what
# `journalctl -o json` prints for them. Needs root (unshare -m).
#
#   sudo tests/journald/capture.sh brute > tests/journald/sshd-brute.json
#   sudo tests/journald/capture.sh live > tests/journald/sshd-live.json
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec unshare -m sh -eu -c '
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log/journal
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald >/dev/null 2>&1 &
j=$!
trap "kill $j" EXIT
for _ in $(seq 50); do [ -S /run/systemd/journal/dev-log ] && break; sleep 0.1; done
python3 "$1/sshd_via_devlog.py" /run/systemd/journal/dev-log "$2"
sleep 0.5
journalctl -o json --no-pager SYSLOG_IDENTIFIER=sshd
' sh "$here" "${1:-brute}"
