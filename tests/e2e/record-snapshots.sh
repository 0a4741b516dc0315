#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record without eBPF (--snapshots), on real loopback traffic between processes this test
# starts: a TCP connection over IPv4 and one over IPv6, DNS over UDP on each, run as its COMMAND and
# held open until a snapshot has seen both ends (each wait is for that, 30 s at most). The event file
# (read by procrec_dump) must hold snapshot records only, naming for each exchange the client's
# socket and the server's (and its listener) by pid and name with the ports the capture shows, and
# no other process for those sockets, and a socket two processes hold once for each; then the
# merged recording through tshark with the plugin: every packet of every exchange names both ends,
# and no record breaks the format's rules.
#   record-snapshots.sh RECORDER PROCREC_DUMP SERVER CLIENT DNS_SERVER DNS_CLIENT OUTDIR [--as-nobody]
# SERVER, CLIENT, DNS_SERVER and DNS_CLIENT are builds of tests/gen/loopback_peer.c. --as-nobody runs
# the recorder, and so everything it runs, as nobody (uid 65534) without --snapshots, with copies of
# the programs and a copy of dumpcap given the capabilities to capture: it must say that eBPF needs
# root, fall back to snapshots by itself (every 1000 ms), and name the processes all the same.
# Exits 77 where recording cannot run (not root, no dumpcap, no setcap): its message says why.
set -euo pipefail
. "$(dirname "$0")/record-lib.sh"
interval_ms=100

# Waits up to 30 s until the event file holds a snapshot record of PID on local PORT (any port: ""),
# with a peer when CONNECTED is 1.
wait_for_snapshot() {
  for _ in $(seq 300); do
    # The file grows while it is read: a record cut short ends procrec_dump, after the whole ones.
    "$dump" "$events" 2>/dev/null | awk -F'\t' -v p="$1" -v l="$2" -v c="$3" \
      '$5 == 8 && $8 == p && (l == "" || $15 == l) && (c != 1 || $16 != 0) { f = 1 } END { exit !f }' &&
      return
    sleep 0.1
  done
  echo "record-snapshots: no snapshot of pid $1 on port ${2:-any} within 30 s" >&2
  exit 1
}

# The COMMAND procshark-record runs: the exchanges, one after the other, and who took part in which
# (OUTDIR/owners.tsv: exchange, role, pid, port; the port is the server's).
if [ "${1:-}" = --drive ]; then
  out=$2 server=$3 client=$4 dns_server=$5 dns_client=$6 port4=$7 port6=$8 dump=$9 events=${10}
  : >"$out/owners.tsv"
  for family in 4 6; do
    if [ $family = 4 ]; then address=127.0.0.1 port=$port4; else address=::1 port=$port6; fi
    # The server holds the connection until SIGUSR1 (60 s at most).
    "$server" server "$port" 60000 20000 "$address" >"$out/server$family.out" &
    server_pid=$!
    wait_for_line "$out/server$family.out" '^ready$' "$server_pid"
    "$client" client "$port" 3000 "$address" &
    client_pid=$!
    wait_for_snapshot "$client_pid" "" 1
    wait_for_snapshot "$server_pid" "$port" 1
    kill -USR1 "$server_pid"
    wait "$client_pid" "$server_pid"
    printf 'tcp%s\tserver\t%s\t%s\ntcp%s\tclient\t%s\t%s\n' $family "$server_pid" "$port" $family "$client_pid" \
      "$port" >>"$out/owners.tsv"
  done
  for family in 4 6; do
    if [ $family = 4 ]; then address=127.0.0.3; else address=::1; fi
    # Ports of its own, not 53: a test run beside this one may use 53 on the same addresses.
    "$dns_server" dns-server "$address" $((port4 + (family == 4 ? 2 : 3))) >"$out/dns-server$family.out" &
    server_pid=$!
    wait_for_line "$out/dns-server$family.out" '^ready [0-9]' "$server_pid"
    port=$(sed -n 's/^ready //p' "$out/dns-server$family.out")
    wait_for_snapshot "$server_pid" "$port" 0
    "$dns_client" dns-client "$address" "$port" 3 >"$out/dns-client$family.out" &
    client_pid=$!
    wait_for_line "$out/dns-client$family.out" '^answered 3$' "$client_pid"
    wait_for_snapshot "$client_pid" "" 1
    if [ $family = 4 ]; then
      # A socket two processes hold: a subshell's (bash connects it) and its child's, inherited.
      ( exec 3<>"/dev/udp/$address/$port"; sleep 60; true ) 2>/dev/null &
      holder=$!
      for _ in $(seq 300); do child=$(pgrep -P "$holder" sleep) && break; sleep 0.1; done
      wait_for_snapshot "$holder" "" 1
      wait_for_snapshot "$child" "" 1
      kill "$child"
      wait "$holder" || true
      printf 'shared\tparent\t%s\t%s\nshared\tchild\t%s\t%s\n' "$holder" "$port" "$child" "$port" >>"$out/owners.tsv"
    fi
    kill -TERM "$client_pid" "$server_pid"
    wait "$client_pid" "$server_pid"
    printf 'dns%s\tserver\t%s\t%s\ndns%s\tclient\t%s\t%s\n' $family "$server_pid" "$port" $family "$client_pid" \
      "$port" >>"$out/owners.tsv"
  done
  exit 0
fi

recorder=$1 dump=$2 server=$3 client=$4 dns_server=$5 dns_client=$6 out=$7 as_nobody=${8:-}
[ "$(id -u)" = 0 ] || { echo "SKIP: capturing on lo needs root"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: needs tshark"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
events=$out/events.psrec
run=() snapshots=(--snapshots $interval_ms) driver=$0
if [ "$as_nobody" = --as-nobody ]; then
  for tool in setpriv setcap dumpcap; do
    command -v $tool >/dev/null || { echo "SKIP: needs $tool"; exit 77; }
  done
  # Copies nobody may run (the build folder may be closed to others), in a folder nobody may write.
  mkdir "$out/bin"
  cp "$recorder" "$(dirname "$recorder")/procshark-import" "$dump" "$server" "$client" "$dns_server" "$dns_client" \
    "$(command -v dumpcap)" "$0" "$(dirname "$0")/record-lib.sh" "$out/bin/"
  trap 'rm -f "$out/bin/dumpcap"' EXIT # a dumpcap anyone may capture with is not left behind
  setcap cap_net_raw,cap_net_admin+eip "$out/bin/dumpcap" 2>/dev/null ||
    { echo "SKIP: this file system keeps no file capabilities for a copy of dumpcap"; exit 77; }
  chmod 755 "$out/bin" "$out/bin/"*
  chmod 1777 "$out"
  recorder=$out/bin/$(basename "$recorder") dump=$out/bin/$(basename "$dump") server=$out/bin/$(basename "$server")
  client=$out/bin/$(basename "$client") dns_server=$out/bin/$(basename "$dns_server")
  dns_client=$out/bin/$(basename "$dns_client") driver=$out/bin/$(basename "$0")
  run=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all env "PATH=$out/bin:$PATH")
  snapshots=() interval_ms=1000
fi
port4=$((10000 + RANDOM % 20000)) # below the ephemeral ports (32768 on), which other programs' clients take
port6=$((port4 + 1))
status=0
"${run[@]}" "$recorder" -i lo -f "tcp port $port4 or tcp port $port6 or udp port $((port4 + 2)) or udp port $((port4 + 3))" \
  -w "$out/out.pcapng" --events "$events" "${snapshots[@]}" -- \
  "$driver" --drive "$out" "$server" "$client" "$dns_server" "$dns_client" "$port4" "$port6" "$dump" "$events" \
  2>"$out/recorder.log" || status=$?
cat "$out/recorder.log"
case $status in
  0) capture=$out/out.pcapng ;;
  4) echo "SKIP: procshark-record cannot run here (see its message above)"; exit 77 ;;
  *) echo "FAIL: procshark-record exited with status $status"; exit 1 ;;
esac
! grep -q "ended with status" "$out/recorder.log" || { echo "FAIL: the exchanges did not all run"; exit 1; }
"$dump" "$events" >"$out/events.tsv"
echo "record-snapshots: $(wc -l <"$out/events.tsv") snapshot records"

# Records matching an awk condition over procrec_dump's columns: $1 time, $2 kind, $3 family, $5
# what, $6 old state, $7 new state, $8 pid, $13 local, $14 remote, $15 local port, $16 remote port,
# $17 flags, $18 comm, $20 created_after.
events() { awk -F'\t' "$1" "$out/events.tsv"; }
server_name=$(basename "$server" | cut -c1-15) client_name=$(basename "$client" | cut -c1-15)
dns_server_name=$(basename "$dns_server" | cut -c1-15) dns_client_name=$(basename "$dns_client" | cut -c1-15)

[ "$(events '$5 != 8' | wc -l)" = 0 ] || fail "records other than snapshots: $(events '$5 != 8' | head -3)"
if [ -n "$as_nobody" ]; then
  grep -q "needs root .*: run it with sudo" "$out/recorder.log" &&
    grep -q "falling back to socket snapshots every 1000 ms" "$out/recorder.log" ||
    fail "the recorder did not say that eBPF needs root, and that it falls back to snapshots"
else
  ! grep -q "falling back\|refused the eBPF" "$out/recorder.log" ||
    fail "the recorder tried eBPF, though --snapshots was given"
fi
grep -q "procshark-record: [0-9]* snapshots\? every $interval_ms ms" "$out/recorder.log" ||
  fail "the recorder's summary does not count its snapshots"

# Every record about a socket names its one process, and at least one record does. A socket by
# kind, family, its ports and its address.
check_socket() { # kind family local_port remote_port local_address pid name state description
  local all right
  all=$(events "\$2 == $1 && \$3 == $2 && \$15 == $3 && \$16 == $4 && \$13 == \"$5\"")
  right=$(awk -F'\t' -v p="$6" -v n="$7" -v s="$8" '$8 == p && $18 == n && $17 % 2 == 1 && $6 == 0 && (s == "" || $7 == s)' <<<"$all")
  [ -n "$right" ] && [ "$right" = "$all" ] ||
    fail "$9: $(grep -c . <<<"$all") records, not all of pid $6 '$7'${8:+ in state $8}: '$all'"
}
for family in 4 6; do
  if [ $family = 4 ]; then address=127.0.0.1 any=0.0.0.0; else address=::1 any=::; fi
  port=$(server_port tcp$family) server_pid=$(owner tcp$family server) client_pid=$(owner tcp$family client)
  client_port=$(tshark -r "$capture" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == $port" \
    -T fields -e tcp.srcport 2>/dev/null | head -1) || true
  [ -n "$client_port" ] || { fail "tcp$family: the capture has no SYN to port $port"; continue; }
  check_socket 1 $family "$client_port" "$port" $address "$client_pid" "$client_name" "" "tcp$family: the client's socket"
  check_socket 1 $family "$port" "$client_port" $address "$server_pid" "$server_name" "" "tcp$family: the accepted socket"
  check_socket 1 $family "$port" 0 $address "$server_pid" "$server_name" 10 "tcp$family: the listener"
  # Made after a snapshot before it was seen (0, unknown, only in the first snapshots: the IPv6
  # connection comes after several).
  events "\$2 == 1 && \$15 == $client_port && \$16 == $port" |
    awk -F'\t' -v f=$family '!($20 < $1 && (f == 4 || $20 > 0)) { bad = 1 } END { exit bad }' ||
    fail "tcp$family: the client's socket is not said to be made after a snapshot before it was seen"
done
for family in 4 6; do
  if [ $family = 4 ]; then ip=ip; else ip=ipv6; fi
  port=$(server_port dns$family) server_pid=$(owner dns$family server) client_pid=$(owner dns$family client)
  read -r client_address client_port server_address < <(tshark -r "$capture" -Y "udp.dstport == $port && $ip" \
    -T fields -e $ip.src -e udp.srcport -e $ip.dst 2>/dev/null | head -1) || true
  [ -n "${client_port:-}" ] || { fail "dns$family: the capture has no datagram to port $port"; continue; }
  check_socket 2 $family "$client_port" "$port" "$client_address" "$client_pid" "$dns_client_name" "" \
    "dns$family: the client's (connected) socket"
  check_socket 2 $family "$port" 0 "$server_address" "$server_pid" "$dns_server_name" "" \
    "dns$family: the server's (unconnected) socket"
done

# The shared socket: one record for each process holding it, with the same local port.
holders=$(events "\$2 == 2 && \$3 == 4 && \$14 == \"127.0.0.3\" && \$16 == $(server_port dns4) && \$8 != $(owner dns4 client)" |
  awk -F'\t' '{ print $8, $15 }' | sort -u)
want=$(for role in parent child; do echo "$(owner shared $role)"; done | sort)
[ "$(cut -d' ' -f1 <<<"$holders" | sort)" = "$want" ] && [ "$(cut -d' ' -f2 <<<"$holders" | sort -u | wc -l)" = 1 ] ||
  fail "the socket the subshell and its child hold: records of '$holders', expected one each of $(tr '\n' ' ' <<<"$want")"

check_named_packets "$capture"
# The records in the merged recording, read by the plugin, break none of the format's rules.
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=$("$repo/scripts/procshark-tshark" -r "$capture" -Y "procrec.what == 8" -T fields -e frame.number | wc -l)
[ "$n" = "$(wc -l <"$out/events.tsv")" ] || fail "$n snapshot records in $capture, not the event file's $(wc -l <"$out/events.tsv")"
n=$("$repo/scripts/procshark-tshark" -r "$capture" -Y "procrec.bad_value || procrec.bad_text" -T fields -e frame.number | wc -l)
[ "$n" = 0 ] || fail "$n snapshot records in $capture have values the format does not define"
# The IPv6 client's record as the dissector shows it: what it is, and the time it was made after.
client6=$(owner tcp6 client) port6=$(server_port tcp6)
IFS=$'\t' read -r after info < <("$repo/scripts/procshark-tshark" -r "$capture" \
  -Y "procrec.what == 8 && procrec.pid == $client6 && procrec.remote.port == $port6" -T fields \
  -e procrec.created_after -e _ws.col.Info | head -1) || true
[[ ${info:-} =~ ^snapshot\ $client_name\ \($client6\)\ \[::1\]:[0-9]+\ ↔\ \[::1\]:$port6\ (SYN_SENT|ESTABLISHED)$ ]] &&
  [ -n "${after:-}" ] || fail "the IPv6 client's snapshot record shows '${info:-}' (made after '${after:-}')"
[ "$failures" = 0 ] || { echo "record-snapshots: $failures failures; the records are in $out/events.tsv"; exit 1; }
echo "record-snapshots: every socket of every exchange named its process, in the snapshots and on $named_packets packets"
