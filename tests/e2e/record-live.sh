#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record as Wireshark's extcap, through tshark run as nobody (as users run Wireshark), with
# an extcap folder holding a copy of the recorder given its capabilities (docs/RECORDER.md, "Live in
# Wireshark"): --extcap-interfaces offers procshark-lo and procshark-any; a live capture on
# procshark-lo, dissected in one pass while it runs, names the client of a TCP connection on every
# packet from its SYN on, through the connect event that the stream carries before the SYN, and the
# server on every packet after its accept event (the handshake comes before accept() returns). Without
# the capabilities, the capture fails with the recorder's message naming the missing ones; without
# CAP_DAC_READ_SEARCH alone, with its message about tracefs.
#   record-live.sh RECORDER SERVER CLIENT OUTDIR
# SERVER and CLIENT are builds of tests/gen/loopback_peer.c. Exits 77 where it cannot run (not root,
# no BTF, no setcap, no tshark): its message says why.
set -euo pipefail
recorder=$1 server=$2 client=$3 out=$4
: "${PROCSHARK_TSHARK:?the path of scripts/procshark-tshark}"
# shellcheck source=tests/e2e/live-extcap.sh
. "$(dirname "$0")/live-extcap.sh"
command -v tshark >/dev/null || { echo "SKIP: needs tshark"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/procshark-live.XXXXXX")
wrapper=
cleanup() {
  [ -z "$wrapper" ] || kill "$wrapper" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
extcap_folder "$recorder" "$work/extcap"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# What Wireshark asks first, as nobody: the interfaces.
setpriv --reuid=65534 --regid=65534 --clear-groups "$work/extcap/procshark-record" --extcap-interfaces \
  --extcap-version=4.0 >"$out/interfaces.txt"
for iface in lo any; do
  grep -qxF "interface {value=procshark-$iface}{display=procshark: $iface with processes}" "$out/interfaces.txt" ||
    fail "--extcap-interfaces does not offer procshark-$iface: $(cat "$out/interfaces.txt")"
done

# Without its capabilities, the capture fails at once with the recorder's message saying what is missing.
mkdir "$work/nocaps"
cp "$recorder" "$work/nocaps/procshark-record"
chmod 755 "$work/nocaps" "$work/nocaps/procshark-record"
status=0
PROCSHARK_EXTCAP_DIR=$work/nocaps timeout 60 "$PROCSHARK_TSHARK" -i procshark-lo -a duration:30 >"$out/nocaps.out" \
  2>"$out/nocaps.log" || status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] || fail "tshark on the recorder without capabilities: status $status"
grep -q "lacks CAP_BPF CAP_PERFMON): run it with sudo, or give it the capabilities with setcap" "$out/nocaps.log" ||
  fail "without capabilities, tshark does not pass on the recorder's message: $(cat "$out/nocaps.log")"

# Without CAP_DAC_READ_SEARCH, tracefs (root's only) is out of reach: said so, with status 4, Wireshark's
# fifo (here read by cat) closed.
mkdir "$work/nodac"
cp "$recorder" "$work/nodac/procshark-record"
chmod 755 "$work/nodac" "$work/nodac/procshark-record"
setcap cap_bpf,cap_perfmon,cap_net_raw+ep "$work/nodac/procshark-record"
mkfifo -m 666 "$work/fifo"
cat "$work/fifo" >/dev/null &
reader=$!
status=0
timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$work/nodac/procshark-record" --capture \
  --extcap-interface procshark-lo --fifo "$work/fifo" 2>"$out/nodac.log" || status=$?
wait "$reader" || fail "the fifo's reader ended with status $?"
[ "$status" = 4 ] || fail "the recorder without CAP_DAC_READ_SEARCH: status $status, not 4"
grep -q "tracefs (/sys/kernel/tracing) is readable by root only: it needs root or the capability CAP_DAC_READ_SEARCH" \
  "$out/nodac.log" || fail "without CAP_DAC_READ_SEARCH, the message does not say so: $(cat "$out/nodac.log")"

# Below the ephemeral ports (32768 on), where other sockets could hold one of the range.
port=$((20000 + RANDOM % 12000))
client_name=$(basename "$client" | cut -c1-15) server_name=$(basename "$server" | cut -c1-15)
# Columns: 1 frame, 2 interface, 3 source port, 4 destination port, 5 SYN, 6 ACK, 7 FIN, 8-10 the
# source's pid, name and deciding record, 11-12 the destination's pid and name; for events, 13 kind,
# 14-15 local and remote port, 16-17 remote address (IPv4, IPv6), 18 what.
PROCSHARK_EXTCAP_DIR=$work/extcap "$PROCSHARK_TSHARK" -i procshark-lo -f "tcp portrange $port-$((port + 100))" -l \
  -T fields -E separator=, -e frame.number -e frame.interface_id -e tcp.srcport -e tcp.dstport -e tcp.flags.syn \
  -e tcp.flags.ack -e tcp.flags.fin -e proc.src.pid -e proc.src.name -e proc.src.event_frame \
  -e proc.dst.pid -e proc.dst.name -e procrec.kind -e procrec.local.port -e procrec.remote.port -e procrec.remote.ip \
  -e procrec.remote.ipv6 -e procrec.what >"$out/live.csv" 2>"$out/tshark.log" &
wrapper=$!
# tshark's lines so far, the flags (5-7) in Wireshark 4.0's notation: 4.4 and later print a boolean
# field as True or False.
rows() {
  awk -F, -v OFS=, '{ for (i = 5; i <= 7; i++) if ($i == "True") $i = 1; else if ($i == "False") $i = 0; print }' \
    "$out/live.csv"
}
named_client() {
  kill -0 "$wrapper" 2>/dev/null || { cat "$out/tshark.log"; fail "tshark ended"; exit 1; }
  awk -F, -v p="$1" -v c="$client_name" '$4 == p && $9 == c { found = 1 } END { exit !found }' "$out/live.csv"
}
warm_up "$server" "$client" $((port + 1)) named_client "$work/warm-up" ||
  { cat "$out/tshark.log"; fail "no connection was named within 60 s of starting the capture"; exit 1; }

# The connection the test looks at: the capture is live and naming processes by now.
exchange "$server" "$client" "$port" 50 20000 3000 "$work/pids"
read -r server_pid client_pid <"$work/pids"
fins() { [ "$(rows | awk -F, -v p="$port" '($3 == p || $4 == p) && $7 == 1' | wc -l)" -ge 2 ]; }
for _ in $(seq 300); do fins && break; sleep 0.1; done
fins || fail "the capture did not show both FINs of the connection on port $port within 30 s"
tshark_pid=$(descendant "$wrapper" tshark) || { fail "tshark is not running"; exit 1; }
kill -INT "$tshark_pid"
wait "$wrapper" || fail "tshark ended with status $?"
wrapper=
cat "$out/tshark.log"
# Wireshark 4.0 says "Error by extcap pipe", 4.4 and later "Error from extcap pipe".
grep -qE 'Error (by|from) extcap pipe' "$out/tshark.log" && fail "the extcap said something on stderr (an error to Wireshark)"

# The server's accept event: the packets before it (the handshake, and whatever came before the
# server returned from accept()) cannot name the server in one pass; every packet after it must.
accept_frame=$(awk -F, -v p="$port" '$2 == 1 && $13 == 1 && $18 == 2 && $14 == p { print $1; exit }' "$out/live.csv")
[ -n "$accept_frame" ] || { fail "no accept event on port $port in the capture"; accept_frame=0; }
checked=0 unnamed_server=0 syn_seen=0
while IFS=, read -r frame _ sport dport syn ack _ src_pid src_name src_event dst_pid dst_name _; do
  [ "$sport" = "$port" ] || [ "$dport" = "$port" ] || continue
  checked=$((checked + 1))
  if [ "$dport" = "$port" ]; then
    client_end="$src_pid $src_name" server_end="$dst_pid $dst_name"
  else
    client_end="$dst_pid $dst_name" server_end="$src_pid $src_name"
  fi
  if [ "$syn" = 1 ] && [ "$ack" = 0 ]; then
    syn_seen=1
    # The connect event, a record on the events' interface, came before the SYN.
    event_interface=$(awk -F, -v f="$src_event" '$1 == f { print $2 }' "$out/live.csv")
    [ -n "$src_event" ] && [ "$src_event" -lt "$frame" ] && [ "$event_interface" = 1 ] ||
      fail "the SYN (frame $frame) was named by record '$src_event' (interface '$event_interface'), not by an earlier event"
  fi
  [ "$client_end" = "$client_pid $client_name" ] ||
    fail "frame $frame names the client's end '$client_end', not '$client_pid $client_name'"
  if [ "$server_end" != "$server_pid $server_name" ]; then
    [ "$frame" -lt "$accept_frame" ] ||
      fail "frame $frame, after the accept event (frame $accept_frame), names the server's end '$server_end'," \
        "not '$server_pid $server_name'"
    unnamed_server=$((unnamed_server + 1))
  fi
done < <(rows)
[ "$syn_seen" = 1 ] || fail "no SYN to port $port in the capture"
[ "$checked" -ge 10 ] || fail "only $checked packets of the connection on port $port"
[ $((checked - unnamed_server)) -ge 3 ] || fail "only $((checked - unnamed_server)) packets name the server"
# The capture filter applies to the events too: each of a socket some packet of which could pass it,
# or without a peer to judge by (an unconnected UDP socket), or a count of lost events.
events=$(awk -F, '$2 == 1' "$out/live.csv" | wc -l)
ours=$(awk -F, -v lo="$port" -v hi=$((port + 100)) '$2 == 1 && $13 != 3 &&
  (($14 >= lo && $14 <= hi) || ($15 >= lo && $15 <= hi))' "$out/live.csv" | wc -l)
others=$(awk -F, -v lo="$port" -v hi=$((port + 100)) '$2 == 1 && $13 != 3 &&
  !(($14 >= lo && $14 <= hi) || ($15 >= lo && $15 <= hi)) && $16 != "0.0.0.0" && $17 != "::"' "$out/live.csv" | wc -l)
[ "$others" = 0 ] || fail "$others events of other sockets passed the capture filter tcp portrange $port-$((port + 100))"
[ "$ours" -ge 2 ] || fail "only $ours events of the test's connections"
[ "$failures" = 0 ] || { echo "record-live: $failures failures; tshark's output is in $out/live.csv"; exit 1; }
echo "record-live: $checked packets of the connection named the client $client_pid from the SYN on and the" \
  "server $server_pid from its accept event on ($unnamed_server packets before it); $events events in the capture," \
  "$ours of the filtered ports"
