#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record on a veth pair into a network namespace of the test's own making (removed by a
# trap whatever happens), recorded on the outer end: TCP over IPv4 (the server inside, the client
# outside) and IPv6 (the other way round), DNS over UDP likewise. Every packet of every exchange must
# name its sender and its receiver, by pid and name, through tshark with the plugin.
#   record-veth.sh RECORDER SERVER CLIENT DNS_SERVER DNS_CLIENT OUTDIR
# SERVER, CLIENT, DNS_SERVER and DNS_CLIENT are builds of tests/gen/loopback_peer.c under different
# names. Exits 77 where it cannot run (not root, no ip, no eBPF, no dumpcap): its message says why.
set -euo pipefail
# A subnet of the benchmarking range per run (by pid), so that two runs at once (two builds' tests)
# do not route each other's addresses; the driver (this script again, under the recorder) inherits it.
export PROCSHARK_VETH_NET=${PROCSHARK_VETH_NET:-$(($$ % 250 + 1))}
net=$PROCSHARK_VETH_NET
inner4=198.18.$net.2 outer4=198.18.$net.1 inner6=fd00:5eed:$net::2 outer6=fd00:5eed:$net::1

. "$(dirname "$0")/record-lib.sh"

# A datagram into the namespace (captured on its way out) until the capture file being written in
# OUTDIR holds it: no knock of procshark-record's on an interface other than loopback, so the
# driver knocks itself, before the exchanges (the capture runs) and after them (all is written).
knock() {
  local token="procshark-veth $1 $$ $RANDOM"
  for _ in $(seq 300); do
    echo "$token" >/dev/udp/$inner4/9 || true
    for f in "$out"/.out.pcapng.*.pcapng; do
      [ -f "$f" ] && grep -qaF "$token" "$f" && return
    done
    sleep 0.1
  done
  echo "record-veth: the capture never showed the $1 knock" >&2
  exit 1
}

if [ "${1:-}" = --drive ]; then
  out=$2 ns=$3 server=$4 client=$5 dns_server=$6 dns_client=$7 port=$8
  : >"$out/owners.tsv"
  knock start
  # TCP: IPv4 with the server inside, IPv6 with the server outside.
  for family in 4 6; do
    if [ $family = 4 ]; then
      ip netns exec "$ns" "$server" server "$port" 0 20000 $inner4 >"$out/tcp4.server" &
      server_pid=$!
      wait_for_line "$out/tcp4.server" '^ready$' "$server_pid"
      "$client" client "$port" 3000 $inner4 &
    else
      "$server" server $((port + 1)) 0 20000 $outer6 >"$out/tcp6.server" &
      server_pid=$!
      wait_for_line "$out/tcp6.server" '^ready$' "$server_pid"
      ip netns exec "$ns" "$client" client $((port + 1)) 3000 $outer6 &
    fi
    client_pid=$!
    wait "$client_pid" "$server_pid"
    printf 'tcp%s\t%s\t%s\t%s\n' $family "$((port + (family - 4) / 2))" "$server_pid" "$client_pid" >>"$out/owners.tsv"
  done
  # DNS: IPv4 with the server inside, IPv6 with the server outside.
  for family in 4 6; do
    if [ $family = 4 ]; then
      ip netns exec "$ns" "$dns_server" dns-server $inner4 >"$out/dns4.server" &
      address=$inner4 inside=()
    else
      "$dns_server" dns-server $outer6 >"$out/dns6.server" &
      address=$outer6 inside=(ip netns exec "$ns")
    fi
    server_pid=$!
    wait_for_line "$out/dns$family.server" '^ready [0-9]' "$server_pid"
    dns_port=$(sed -n 's/^ready //p' "$out/dns$family.server")
    if [ $family = 4 ]; then
      "$dns_client" dns-client $address "$dns_port" 3 >"$out/dns$family.client" &
    else
      "${inside[@]}" "$dns_client" dns-client $address "$dns_port" 3 >"$out/dns$family.client" &
    fi
    client_pid=$!
    wait_for_line "$out/dns$family.client" '^answered 3$' "$client_pid"
    kill -TERM "$client_pid" "$server_pid"
    wait "$client_pid" "$server_pid"
    printf 'dns%s\t%s\t%s\t%s\n' $family "$dns_port" "$server_pid" "$client_pid" >>"$out/owners.tsv"
  done
  knock end
  exit 0
fi

recorder=$1 server=$2 client=$3 dns_server=$4 dns_client=$5 out=$6
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, eBPF, capturing)"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: needs tshark"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: needs ip (iproute2)"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
ns=procshark-test-$$ outer=psv$$o inner=psv$$i
trap 'ip netns del "$ns" 2>/dev/null || true; ip link del "$outer" 2>/dev/null || true' EXIT
if ! ip netns add "$ns" 2>"$out/ip.log" || ! ip link add "$outer" type veth peer name "$inner" 2>>"$out/ip.log"; then
  echo "SKIP: cannot make a network namespace and a veth pair here: $(cat "$out/ip.log")"
  exit 77
fi
ip link set "$inner" netns "$ns"
ip addr add $outer4/24 dev "$outer"
ip -6 addr add $outer6/64 dev "$outer" nodad
ip link set "$outer" up
ip -n "$ns" addr add $inner4/24 dev "$inner"
ip -n "$ns" -6 addr add $inner6/64 dev "$inner" nodad
ip -n "$ns" link set "$inner" up
ip -n "$ns" link set lo up
# Neighbours resolved before recording: a datagram held for one is sent later from softirq, where the
# sender's process is not known (docs/RECORDER.md).
for _ in $(seq 100); do
  ping -c1 -W1 $inner4 >/dev/null 2>&1 && ping -6 -c1 -W1 $inner6 >/dev/null 2>&1 &&
    ip netns exec "$ns" ping -c1 -W1 $outer4 >/dev/null 2>&1 &&
    ip netns exec "$ns" ping -6 -c1 -W1 $outer6 >/dev/null 2>&1 && break
  sleep 0.1
done
port=$((10000 + RANDOM % 20000)) # below the ephemeral ports (32768 on), which other programs' clients take
status=0
"$recorder" -i "$outer" -w "$out/out.pcapng" --events "$out/events.psrec" -- \
  "$0" --drive "$out" "$ns" "$server" "$client" "$dns_server" "$dns_client" "$port" 2>"$out/recorder.log" ||
  status=$?
cat "$out/recorder.log"
case $status in
  0) capture=$out/out.pcapng ;;
  4) echo "SKIP: procshark-record cannot run here (see its message above)"; exit 77 ;;
  *) echo "FAIL: procshark-record exited with status $status"; exit 1 ;;
esac

field() { awk -F'\t' -v x="$1" -v c="$2" '$1 == x { print $c }' "$out/owners.tsv"; }
server_name=$(basename "$server" | cut -c1-15) client_name=$(basename "$client" | cut -c1-15)
dns_server_name=$(basename "$dns_server" | cut -c1-15) dns_client_name=$(basename "$dns_client" | cut -c1-15)
repo=$(cd "$(dirname "$0")/../.." && pwd)
declare -A seen
checked=0
while IFS=, read -r frame v4 v6 tsport tdport usport udport src_pid src_name dst_pid dst_name; do
  sport=$tsport$usport dport=$tdport$udport family=${v6:-$v4} exchange=
  if [ -n "$tsport" ]; then kind=tcp; else kind=dns; fi
  case_port=$(field "$kind$family" 2)
  if [ "$case_port" = "$sport" ] || [ "$case_port" = "$dport" ]; then exchange=$kind$family; fi
  [ -n "$exchange" ] || continue # the knocks, neighbour discovery
  if [ $kind = tcp ]; then sname=$server_name cname=$client_name; else sname=$dns_server_name cname=$dns_client_name; fi
  server_end="$(field "$exchange" 3) $sname" client_end="$(field "$exchange" 4) $cname"
  if [ "$sport" = "$(field "$exchange" 2)" ]; then want="$server_end $client_end"; else want="$client_end $server_end"; fi
  [ "$src_pid $src_name $dst_pid $dst_name" = "$want" ] ||
    fail "frame $frame ($exchange): proc says '$src_pid $src_name $dst_pid $dst_name', expected '$want'"
  seen[$exchange]=$((${seen[$exchange]:-0} + 1))
  checked=$((checked + 1))
done < <("$repo/scripts/procshark-tshark" -2 -r "$capture" -Y "tcp || udp" -T fields -E separator=, \
  -e frame.number -e ip.version -e ipv6.version -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
  -e proc.src.pid -e proc.src.name -e proc.dst.pid -e proc.dst.name)
for x in tcp4 tcp6 dns4 dns6; do
  least=6
  [ "${seen[$x]:-0}" -ge $least ] || fail "$x: ${seen[$x]:-0} packets on $outer, fewer than $least"
done
[ "$failures" = 0 ] || { echo "record-veth: $failures failures; the capture is $capture"; exit 1; }
echo "record-veth: $checked packets on the veth named both their processes (tcp4 ${seen[tcp4]}, tcp6 ${seen[tcp6]}, dns4 ${seen[dns4]}, dns6 ${seen[dns6]})"
