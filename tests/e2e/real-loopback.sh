#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real traffic: two processes talk TCP and two others DNS over loopback while dumpcap records it;
# record-loopback turns what /proc and `ss -tnpi` say about the TCP sockets into tracee flow events,
# and what `ss -uanp` says about the UDP ones into Get-NetUDPEndpoint rows; procshark-import merges
# them all; every TCP packet must then name the client's and the server's process on the right ends,
# every UDP packet the DNS client's and server's pids (from the rows: a snapshot match), and
# `dns && proc.src.pid == CLIENT` must select exactly the queries, the answers to CLIENT exactly the answers.
#   real-loopback.sh PROCSHARK_IMPORT PS_LOOP_SERVER PS_LOOP_CLIENT PS_DNS_SERVER PS_DNS_CLIENT WORKDIR
# Exits 77 (skipped) where nothing can be captured.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
import=$1 server=$2 client=$3 dns_server=$4 dns_client=$5 work=$6
queries=3
rm -rf "$work"
mkdir -p "$work"
status=0
"$repo/tests/gen/record-loopback" "$work" "$server" "$client" 3000 20000 800 "$dns_server" "$dns_client" $queries ||
  status=$?
[ $status = 0 ] || exit $status

"$import" -q -o "$work/merged.pcapng" --packets "$work/loopback.pcapng" --tracee "$work/events.jsonl" \
  --nettcp "$work/endpoints.json"
owner() { awk -F'\t' -v role="$1" '$3 == role { print $1, $2 }' "$work/owners.tsv"; }
read -r client_pid client_name < <(owner client)
read -r server_pid server_name < <(owner server)
read -r dns_client_pid dns_client_name < <(owner dns-client)
read -r dns_server_pid dns_server_name < <(owner dns-server)
# Wireshark knows DNS by port 53; where that was taken, the server's port must be named as DNS.
dns_port=$(cat "$work/dns.port")
decode_as=()
[ "$dns_port" = 53 ] || decode_as=(-d "udp.port==$dns_port,dns")
tshark2() { "$repo/scripts/procshark-tshark" -2 -r "$work/merged.pcapng" "${decode_as[@]}" "$@"; }

tshark2 -Y tcp -T fields -E separator=/t \
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
status=0
[ "$packets" -ge 10 ] && [ "$wrong" = 0 ] || status=1

# The client's socket is named by its tracee net_packet_dns events (with its name: the flow's record
# nearest in time, level connection, as tracee gives such events no size); the server's by its
# Get-NetUDPEndpoint row, a pid without a name (names come from ETW Process events, which Linux has
# none of).
tshark2 -Y udp -T fields -E separator=, -e frame.number -e udp.srcport \
  -e proc.src.pid -e proc.src.name -e proc.src.match -e proc.dst.pid -e proc.dst.name -e proc.dst.match \
  >"$work/attribution-udp.csv"
datagrams=0 wrong=0
while IFS=, read -r frame sport src_pid src_name src_match dst_pid dst_name dst_match; do
  datagrams=$((datagrams + 1))
  if [ "$sport" = "$dns_port" ]; then
    want="$dns_server_pid,,snapshot,$dns_client_pid,$dns_client_name,connection"
  else
    want="$dns_client_pid,$dns_client_name,connection,$dns_server_pid,,snapshot"
  fi
  got="$src_pid,$src_name,$src_match,$dst_pid,$dst_name,$dst_match"
  if [ "$got" != "$want" ]; then
    echo "frame $frame: expected '$want', got '$got'"
    wrong=$((wrong + 1))
  fi
done <"$work/attribution-udp.csv"

# The frames of a filter, on one line; a frame list that differs from the one expected, reported.
frames() { tshark2 -Y "$1" -T fields -e frame.number | tr '\n' ' '; }
expect_frames() {
  local got
  got=$(frames "$1")
  [ "$got" = "$2" ] || { echo "$1: frames $got, expected $2 ($3)"; wrong=$((wrong + 1)); }
}
asked=$(frames 'dns.flags.response == 0')
answered=$(frames 'dns.flags.response == 1')
n_asked=$(wc -w <<<"$asked") n_answered=$(wc -w <<<"$answered")
[ "$n_asked" = $queries ] || { echo "the capture has $n_asked DNS queries, the client sent $queries"; wrong=$((wrong + 1)); }
[ "$n_answered" = $queries ] || { echo "the capture has $n_answered DNS answers, not $queries"; wrong=$((wrong + 1)); }
expect_frames "dns && proc.src.name == \"$dns_client_name\"" "$asked" "the queries"
expect_frames "dns.flags.response == 1 && proc.dst.name == \"$dns_client_name\"" "$answered" "the answers"
expect_frames "dns && proc.src.pid == $dns_server_pid" "$answered" "the server's answers"
echo "real loopback capture: $datagrams UDP packets between $dns_client_name ($dns_client_pid) and" \
  "$dns_server_name ($dns_server_pid) on port $dns_port, $n_asked DNS queries and $n_answered answers, $wrong wrong"
[ "$datagrams" = $((2 * queries)) ] && [ "$wrong" = 0 ] || status=1
exit $status
