#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 19's own words, run as they are written: `procshark-record -w out.pcapng -- curl ...`, then
# `tshark -2 -r out.pcapng -Y 'proc.src.name == "curl"'` shows curl's packets with both ends named.
# curl fetches from a loopback server this test starts (tests/gen/loopback_peer.c, which answers
# raw bytes: curl --http0.9), so the server's pid is known; curl's is whatever the recorder's child
# got, so the test asks that every packet of curl's connection name one and the same pid, and the
# packets the other way name it as their receiver. Then a recording during which nothing may happen
# (COMMAND is true): OUT is still written, with the packets alone when no process event came.
#   record-curl.sh RECORDER SERVER OUTDIR
# Exits 77 where recording cannot run (not root, no eBPF, no dumpcap, no curl).
set -euo pipefail

recorder=$1 server=$2 out=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: recording needs root (it loads an eBPF program and captures)"; exit 77; }
for tool in tshark curl; do
  command -v $tool >/dev/null || { echo "SKIP: needs $tool (scripts/install-deps --test installs it)"; exit 77; }
done
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out"
port=$((21000 + RANDOM % 10000))
server_name=$(basename "$server" | cut -c1-15)

"$server" server "$port" 0 5000 >"$out/server.out" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  grep -qs '^ready$' "$out/server.out" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q '^ready$' "$out/server.out" || { echo "FAIL: the server did not start: $(cat "$out/server.out")"; exit 1; }

status=0
"$recorder" -i lo -f "tcp port $port" -w "$out/out.pcapng" -- \
  curl -s --http0.9 -o "$out/body" "http://127.0.0.1:$port/" 2>"$out/recorder.log" || status=$?
cat "$out/recorder.log"
case $status in
  0) ;;
  4) echo "SKIP: procshark-record cannot run here (see its message above)"; exit 77 ;;
  *) echo "FAIL: procshark-record exited with status $status"; exit 1 ;;
esac
wait "$server_pid" || { echo "FAIL: the server failed"; exit 1; }
[ "$(wc -c <"$out/body")" = 5000 ] || { echo "FAIL: curl did not get the server's 5000 bytes"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
tsh() { "$repo/scripts/procshark-tshark" -2 -r "$out/out.pcapng" "$@"; }
# The issue's filter: curl's packets, each with both ends named.
tsh -Y 'proc.src.name == "curl"' -T fields -E separator=, -e frame.number -e tcp.srcport -e proc.src.pid \
  -e proc.dst.pid -e proc.dst.name >"$out/curl.csv"
selected=$(grep -c . "$out/curl.csv" || true)
[ "$selected" -ge 4 ] || fail "proc.src.name == \"curl\" selects $selected packets"
curl_pids=$(cut -d, -f3 "$out/curl.csv" | sort -u)
client_port=$(cut -d, -f2 "$out/curl.csv" | sort -u)
[ "$(grep -c . <<<"$curl_pids")" = 1 ] && [ -n "$curl_pids" ] && [ "$curl_pids" != "$server_pid" ] ||
  fail "curl's packets name pids '$curl_pids'"
[ "$(grep -c . <<<"$client_port")" = 1 ] || fail "curl's packets come from ports '$client_port'"
while IFS=, read -r frame _ _ dst_pid dst_name; do
  [ "$dst_pid $dst_name" = "$server_pid $server_name" ] ||
    fail "frame $frame: curl's packet names its receiver '$dst_pid $dst_name', not '$server_pid $server_name'"
done <"$out/curl.csv"
# Every packet of the connection is selected one way or the other: none is left unnamed.
from_curl=$(tsh -Y "tcp.srcport == $client_port" -T fields -e frame.number | grep -c . || true)
[ "$from_curl" = "$selected" ] || fail "$from_curl packets from curl's port, $selected selected by its name"
to_curl=$(tsh -Y "tcp.dstport == $client_port && proc.src.pid == $server_pid && proc.dst.name == \"curl\" &&
  proc.dst.pid == $curl_pids" -T fields -e frame.number | grep -c . || true)
all_to_curl=$(tsh -Y "tcp.dstport == $client_port" -T fields -e frame.number | grep -c . || true)
[ "$to_curl" -ge 3 ] && [ "$to_curl" = "$all_to_curl" ] ||
  fail "$to_curl of the $all_to_curl packets to curl name the server as sender and curl as receiver"

quiet=0
"$recorder" -i lo -f "tcp port 1" -w "$out/quiet.pcapng" -- true 2>"$out/quiet.log" || quiet=$?
[ "$quiet" = 0 ] && [ -s "$out/quiet.pcapng" ] || fail "a recording of nothing: status $quiet: $(cat "$out/quiet.log")"
if grep -q "procshark-record: 0 TCP and 0 UDP events" "$out/quiet.log"; then
  grep -q "no process events were recorded: $out/quiet.pcapng holds the packets alone" "$out/quiet.log" ||
    fail "a recording without events does not say so: $(cat "$out/quiet.log")"
fi
[ "$failures" = 0 ] || exit 1
echo "record-curl: curl (pid $curl_pids) on $selected packets, the server on $to_curl; both ends named on each"
