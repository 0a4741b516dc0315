# SPDX-License-Identifier: GPL-2.0-or-later
# What the recorder's e2e tests (record-bpf.sh, record-snapshots.sh, record-hard.sh, record-veth.sh)
# share; sourced. They set `out`
# (their OUTDIR, holding owners.tsv: exchange, role, pid, server port) and the peers' names
# (server_name, client_name, dns_server_name, dns_client_name) before calling these.

# Waits up to 30 s for FILE to have a line matching PATTERN, while process PID lives (FILE may not
# be made yet: the process's redirection makes it).
wait_for_line() {
  touch "$1"
  for _ in $(seq 300); do
    grep -q "$2" "$1" && return
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "$2" "$1" || { echo "$(basename "$0"): no '$2' from $1: $(cat "$1")" >&2; exit 1; }
}

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
owner() { awk -F'\t' -v x="$1" -v r="$2" '$1 == x && $2 == r { print $3 }' "$out/owners.tsv"; }
server_port() { awk -F'\t' -v x="$1" '$1 == x && $2 == "server" { print $4 }' "$out/owners.tsv"; }

# The merged recording CAPTURE, read by tshark with the plugin: every packet of every exchange names
# its sender and its receiver, by pid and by name (at least 30 packets, 3 of them selected by the
# IPv4 client's name and pid). Where the caller declares client_ports (exchange -> the client's
# port), packets of other clients of the same server port (another test's) are left out; where it
# sets per_packet, both ends must be matched at the packet level.
check_named_packets() {
  local capture=$1 repo checked=0 n client4
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  # (Commas: empty fields stay fields, where read would merge tabs.)
  while IFS=, read -r frame v4 v6 tsport tdport usport udport src_pid src_name dst_pid dst_name src_match dst_match; do
    local sport=$tsport$usport dport=$tdport$udport exchange= x p server_pid client_pid sname cname want
    # An exchange by its server's port and its family (both DNS servers may have port 53; IPv6
    # packets have ip.version 6 too).
    while IFS=$'\t' read -r x _ _ p; do
      if { [ "$p" = "$sport" ] || [ "$p" = "$dport" ]; } && [ "${x: -1}" = "${v6:-$v4}" ]; then exchange=$x; fi
    done <"$out/owners.tsv"
    [ -n "$exchange" ] || continue # the recorder's own knocks
    if declare -p client_ports >/dev/null 2>&1; then
      local peer_port=$sport
      [ "$sport" != "$(server_port "$exchange")" ] || peer_port=$dport
      [ "$peer_port" = "${client_ports[$exchange]:-}" ] || continue
    fi
    server_pid=$(owner "$exchange" server) client_pid=$(owner "$exchange" client)
    case $exchange in tcp*) sname=$server_name cname=$client_name ;; *) sname=$dns_server_name cname=$dns_client_name ;; esac
    if [ "$sport" = "$(server_port "$exchange")" ]; then
      want="$server_pid $sname $client_pid $cname"
    else
      want="$client_pid $cname $server_pid $sname"
    fi
    [ "$src_pid $src_name $dst_pid $dst_name" = "$want" ] ||
      fail "frame $frame ($exchange): proc says '$src_pid $src_name $dst_pid $dst_name', expected '$want'"
    [ -z "${per_packet:-}" ] || [ "$src_match $dst_match" = "packet packet" ] ||
      fail "frame $frame ($exchange): matched at the levels '$src_match $dst_match', not 'packet packet'"
    checked=$((checked + 1))
  done < <("$repo/scripts/procshark-tshark" -2 -r "$capture" -Y "tcp || udp" -T fields -E separator=, \
    -e frame.number -e ip.version -e ipv6.version -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
    -e proc.src.pid -e proc.src.name \
    -e proc.dst.pid -e proc.dst.name -e proc.src.match -e proc.dst.match)
  [ "$checked" -ge 30 ] || fail "only $checked packets of the exchanges in $capture"
  client4=$(owner tcp4 client)
  n=$("$repo/scripts/procshark-tshark" -2 -r "$capture" -Y "proc.src.name == \"$client_name\" && proc.src.pid == $client4" \
    -T fields -e frame.number | wc -l)
  [ "$n" -ge 3 ] || fail "proc.src.name == \"$client_name\" selects $n packets of the IPv4 client"
  named_packets=$checked
}
