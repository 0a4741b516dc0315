#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real traffic: two processes talk over loopback while dumpcap records it; record-loopback turns
# what /proc and `ss -tnpi` say about their sockets into tracee flow events; procshark-import merges
# both; every TCP packet must then name the client's and the server's process on the right ends.
#   real-loopback.sh PROCSHARK_IMPORT PS_LOOP_SERVER PS_LOOP_CLIENT WORKDIR
# Exits 77 (skipped) where nothing can be captured.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
import=$1 server=$2 client=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
status=0
"$repo/tests/gen/record-loopback" "$work" "$server" "$client" 3000 20000 800 || status=$?
[ $status = 0 ] || exit $status

"$import" -q -o "$work/merged.pcapng" --packets "$work/loopback.pcapng" --tracee "$work/events.jsonl"
read -r client_pid client_name _ < <(grep client "$work/owners.tsv")
read -r server_pid server_name _ < <(grep server "$work/owners.tsv")

"$repo/scripts/procshark-tshark" -2 -r "$work/merged.pcapng" -Y tcp -T fields -E separator=/t \
  -e frame.number -e tcp.srcport -e proc.src.pid -e proc.src.name -e proc.dst.pid -e proc.dst.name \
  >"$work/attribution.tsv"
server_port=$(sed -n 's/.*"dst_port","type":"uint16","value":\([0-9]*\).*/\1/p;T;q' "$work/events.jsonl")

packets=0 wrong=0
while IFS=$'\t' read -r frame sport src_pid src_name dst_pid dst_name; do
  packets=$((packets + 1))
  if [ "$sport" = "$server_port" ]; then
    want="$server_pid $server_name $client_pid $client_name"
  else
    want="$client_pid $client_name $server_pid $server_name"
  fi
  got="$src_pid $src_name $dst_pid $dst_name"
  if [ "$got" != "$want" ]; then
    echo "frame $frame: expected '$want', got '$got'"
    wrong=$((wrong + 1))
  fi
done <"$work/attribution.tsv"
echo "real loopback capture: $packets TCP packets between $client_name ($client_pid) and $server_name ($server_pid), $wrong wrong"
[ "$packets" -ge 10 ] && [ "$wrong" = 0 ]
