#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record on real loopback traffic between processes this test starts: a TCP connection over
# IPv4 and one over IPv6, and DNS over UDP on each, run as procshark-record's COMMAND. The event file
# (read by procrec_dump, the test's own reader) must name, for each connection, the client in its
# connect event and the server in its accept event, with the ports the capture shows, and each
# side's close with its owner; for DNS, each side's first datagram each way (an unconnected socket's
# receive without its peer); and each connect event within 1 ms of its SYN in the capture. Then the
# merged recording through tshark with the plugin: every packet of every exchange names both ends.
# With --per-packet (the recorder's too): every packet of every exchange has an event for each end,
# and both ends are matched at the packet level (proc.src.match and proc.dst.match "packet").
#   record-bpf.sh RECORDER PROCREC_DUMP SERVER CLIENT DNS_SERVER DNS_CLIENT OUTDIR [--per-packet]
# SERVER, CLIENT, DNS_SERVER and DNS_CLIENT are builds of tests/gen/loopback_peer.c under different
# names. Exits 77 where recording cannot run (not root, no eBPF, no dumpcap): its message says why.
set -euo pipefail
. "$(dirname "$0")/record-lib.sh"

# The COMMAND procshark-record runs: the exchanges, one after the other, and who took part in which
# (OUTDIR/owners.tsv: exchange, role, pid, port; the port is the server's).
if [ "${1:-}" = --drive ]; then
  out=$2 server=$3 client=$4 dns_server=$5 dns_client=$6 port4=$7 port6=$8
  : >"$out/owners.tsv"
  for family in 4 6; do
    if [ $family = 4 ]; then address=127.0.0.1 port=$port4; else address=::1 port=$port6; fi
    "$server" server "$port" 50 20000 "$address" >"$out/server$family.out" &
    server_pid=$!
    wait_for_line "$out/server$family.out" '^ready$' "$server_pid"
    "$client" client "$port" 3000 "$address" &
    client_pid=$!
    wait "$client_pid" "$server_pid"
    printf 'tcp%s\tserver\t%s\t%s\ntcp%s\tclient\t%s\t%s\n' $family "$server_pid" "$port" $family "$client_pid" \
      "$port" >>"$out/owners.tsv"
  done
  for family in 4 6; do
    if [ $family = 4 ]; then address=127.0.0.3; else address=::1; fi
    "$dns_server" dns-server "$address" >"$out/dns-server$family.out" &
    server_pid=$!
    wait_for_line "$out/dns-server$family.out" '^ready [0-9]' "$server_pid"
    port=$(sed -n 's/^ready //p' "$out/dns-server$family.out")
    "$dns_client" dns-client "$address" "$port" 3 >"$out/dns-client$family.out" &
    client_pid=$!
    wait_for_line "$out/dns-client$family.out" '^answered 3$' "$client_pid"
    kill -TERM "$client_pid" "$server_pid"
    wait "$client_pid" "$server_pid"
    printf 'dns%s\tserver\t%s\t%s\ndns%s\tclient\t%s\t%s\n' $family "$server_pid" "$port" $family "$client_pid" \
      "$port" >>"$out/owners.tsv"
  done
  exit 0
fi

recorder=$1 dump=$2 server=$3 client=$4 dns_server=$5 dns_client=$6 out=$7 per_packet=${8:-}
[ "$(id -u)" = 0 ] || { echo "SKIP: recording needs root (it loads an eBPF program and captures)"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: needs tshark"; exit 77; }
# --per-packet sees incoming packets through the cgroup v2 hierarchy, which systems mount at boot (a
# sysfs mounted afresh, as a chroot's, has none).
if [ -n "$per_packet" ] && ! awk '$3 == "cgroup2" { found = 1 } END { exit !found }' /proc/self/mounts &&
  ! mount -t cgroup2 cgroup2 /sys/fs/cgroup; then
  echo "SKIP: --per-packet needs a cgroup v2 hierarchy: none is mounted, and mounting one on /sys/fs/cgroup failed"
  exit 77
fi
rm -rf "$out"
mkdir -p "$out"
port4=$((10000 + RANDOM % 20000)) # below the ephemeral ports (32768 on), which other programs' clients take
port6=$((port4 + 1))
status=0
"$recorder" -i lo -f "tcp port $port4 or tcp port $port6 or (udp and (host 127.0.0.3 or host ::1))" \
  -w "$out/out.pcapng" --events "$out/events.psrec" $per_packet -- \
  "$0" --drive "$out" "$server" "$client" "$dns_server" "$dns_client" "$port4" "$port6" 2>"$out/recorder.log" ||
  status=$?
cat "$out/recorder.log"
case $status in
  0) capture=$out/out.pcapng ;;
  4) echo "SKIP: procshark-record cannot run here (see its message above)"; exit 77 ;;
  *) echo "FAIL: procshark-record exited with status $status"; exit 1 ;;
esac
"$dump" "$out/events.psrec" >"$out/events.tsv"
echo "record-bpf: $(wc -l <"$out/events.tsv") events recorded"

# Events matching an awk condition over the columns of procrec_dump (docs/RECORDER.md, its order):
# $1 time, $2 kind, $3 family, $5 what, $8 pid, $13 local, $14 remote, $15 local port, $16 remote
# port, $17 flags, $18 comm.
events() { awk -F'\t' "$1" "$out/events.tsv"; }
# frame.time_epoch (seconds with a fraction) in nanoseconds.
epoch_ns() { local frac=${1#*.}000000000; echo "${1%.*}${frac:0:9}"; }
server_name=$(basename "$server" | cut -c1-15) client_name=$(basename "$client" | cut -c1-15)
# Each exchange's client port: other tests on this machine may talk to the same server port (DNS on
# ::1 port 53) while the capture runs, and their packets are no part of ours.
declare -A client_ports
dns_server_name=$(basename "$dns_server" | cut -c1-15) dns_client_name=$(basename "$dns_client" | cut -c1-15)

for family in 4 6; do
  if [ $family = 4 ]; then address=127.0.0.1; else address=::1; fi
  port=$(server_port tcp$family) server_pid=$(owner tcp$family server) client_pid=$(owner tcp$family client)
  read -r syn_time client_port < <(tshark -r "$capture" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == $port" \
    -T fields -e frame.time_epoch -e tcp.srcport 2>/dev/null | head -1) || true
  [ -n "${client_port:-}" ] || { fail "tcp$family: the capture has no SYN to port $port"; continue; }
  client_ports[tcp$family]=$client_port
  connect=$(events "\$2 == 1 && \$5 == 1 && \$3 == $family && \$15 == $client_port && \$16 == $port && \$14 == \"$address\"")
  [ "$(grep -c . <<<"$connect")" = 1 ] || { fail "tcp$family: not one connect event from port $client_port to $port: '$connect'"; continue; }
  IFS=$'\t' read -r -a c <<<"$connect"
  [ "${c[7]}" = "$client_pid" ] && [ "${c[17]}" = "$client_name" ] && [ $((c[16] & 1)) = 1 ] ||
    fail "tcp$family: the connect event names pid ${c[7]} '${c[17]}' (flags ${c[16]}), not the client $client_pid '$client_name'"
  delta=$(($(epoch_ns "$syn_time") - c[0]))
  echo "record-bpf: tcp$family: connect event $((delta / 1000)) µs before its SYN in the capture"
  [ "${delta#-}" -le 1000000 ] || fail "tcp$family: the connect event is ${delta} ns from its SYN (more than 1 ms)"
  accept=$(events "\$2 == 1 && \$5 == 2 && \$3 == $family && \$15 == $port && \$16 == $client_port")
  [ "$(grep -c . <<<"$accept")" = 1 ] || { fail "tcp$family: not one accept event on port $port from $client_port: '$accept'"; continue; }
  IFS=$'\t' read -r -a a <<<"$accept"
  [ "${a[7]}" = "$server_pid" ] && [ "${a[17]}" = "$server_name" ] && [ $((a[16] & 1)) = 1 ] && [ "${a[13]}" = "$address" ] ||
    fail "tcp$family: the accept event names pid ${a[7]} '${a[17]}' (flags ${a[16]}, peer ${a[13]}), not the server $server_pid '$server_name'"
  # Each side's close (in softirq, whichever process ran): named after the owner recorded before.
  for side in client server; do
    if [ $side = client ]; then lp=$client_port rp=$port pid=$client_pid; else lp=$port rp=$client_port pid=$server_pid; fi
    closes=$(events "\$2 == 1 && \$5 == 3 && \$15 == $lp && \$16 == $rp && \$8 == $pid && \$17 % 2 == 1" | wc -l)
    [ "$closes" = 1 ] || fail "tcp$family: the $side's socket has $closes close events naming its owner $pid, not 1"
  done
done

for family in 4 6; do
  port=$(server_port dns$family) server_pid=$(owner dns$family server) client_pid=$(owner dns$family client)
  if [ $family = 4 ]; then ip=ip; else ip=ipv6; fi
  # The client's port from its first send event; the capture must hold its queries from that port.
  client_port=$(events "\$2 == 2 && \$5 == 5 && \$3 == $family && \$8 == $client_pid" | head -1 | cut -f15)
  [ -n "$client_port" ] || { fail "dns$family: no UDP send event of the client $client_pid"; continue; }
  client_ports[dns$family]=$client_port
  queries=$(tshark -r "$capture" -Y "udp.dstport == $port && udp.srcport == $client_port && $ip" -T fields \
    -e frame.time_epoch -e $ip.src -e udp.srcport -e $ip.dst 2>/dev/null)
  [ -n "$queries" ] || { fail "dns$family: the capture has no datagram from port $client_port to port $port"; continue; }
  read -r first_time client_address _ server_address < <(head -1 <<<"$queries")
  last_time=$(tail -1 <<<"$queries" | cut -f1)
  # At most one event a flow and direction each second (the recorder's rate limit), at least one.
  most=$((1 + ($(epoch_ns "$last_time") - $(epoch_ns "$first_time")) / 1000000000))
  check_udp() { # what pid name local_port remote_address remote_port description
    local n
    n=$(events "\$2 == 2 && \$3 == $family && \$5 == $1 && \$8 == $2 && \$18 == \"$3\" && \$15 == $4 && \$14 == \"$5\" && \$16 == $6" | wc -l)
    [ "$n" -ge 1 ] && [ "$n" -le "$most" ] ||
      fail "dns$family: $7: $n events naming pid $2 '$3' on port $4 with $5 port $6 (expected 1 to $most)"
  }
  check_udp 5 "$client_pid" "$dns_client_name" "$client_port" "$server_address" "$port" "the client's queries sent"
  # The server's socket is unconnected: the receive tracepoint gives the socket, not the datagram's peer.
  if [ $family = 4 ]; then unspecified=0.0.0.0; else unspecified=::; fi
  check_udp 6 "$server_pid" "$dns_server_name" "$port" "$unspecified" 0 "the server's queries read"
  check_udp 5 "$server_pid" "$dns_server_name" "$port" "$client_address" "$client_port" "the server's answers sent"
  check_udp 6 "$client_pid" "$dns_client_name" "$client_port" "$server_address" "$port" "the client's answers read"
done

# The recording's own record: what it counted is what the file holds.
tcp=$(events '$2 == 1' | wc -l) udp=$(events '$2 == 2' | wc -l) packets=$(events '$5 == 7' | wc -l)
grep -q "procshark-record: $tcp TCP and $udp UDP events ($packets per packet)" "$out/recorder.log" ||
  fail "the recorder's summary does not say $tcp TCP and $udp UDP events ($packets per packet)"
if [ -n "$per_packet" ]; then
  [ "$packets" -ge 60 ] || fail "--per-packet: only $packets packet events"
  # One clock (issue 19): the offset procshark estimates from the exact matches is within 1 ms.
  repo=$(cd "$(dirname "$0")/../.." && pwd)
  offset=$("$repo/scripts/procshark-tshark" -2 -r "$capture" -Y proc.clock_offset -T fields -e _ws.expert.message |
    grep -o "Clock offset of [-+][0-9.]* s applied to this host's procrec records" | head -1 | cut -d' ' -f4)
  echo "record-bpf: procshark's estimated clock offset of the events: ${offset:-none} s"
  [ -n "$offset" ] && awk -v o="$offset" 'BEGIN { exit !(o >= -0.001 && o <= 0.001) }' ||
    fail "--per-packet: the estimated clock offset is '${offset:-none}' s, not within 1 ms"
else
  [ "$packets" = 0 ] || fail "$packets packet events without --per-packet"
fi
# The merged recording, read by tshark with the plugin: every packet of every exchange names its
# sender and its receiver, by pid and by name.
check_named_packets "$capture"
[ "$failures" = 0 ] || { echo "record-bpf: $failures failures; the events are in $out/events.tsv"; exit 1; }
echo "record-bpf: every connection and DNS exchange named its processes, in the events and on $named_packets packets"
