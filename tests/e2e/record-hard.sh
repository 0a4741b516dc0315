#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record's hard cases, each a real recording checked packet by packet against the pids the
# test started (one recording, the cases one after the other as procshark-record's COMMAND):
#  - short: 20 short-lived connections, each its own server and client process;
#  - reuse: two processes with the same pid one after the other (forced through ns_last_pid), each
#    with its own connection, told apart by their names;
#  - container: the client in a cgroup v2 folder named like a docker scope: its events carry the
#    container id, and the plugin's proc.src.container (proc.dst.container) shows it;
#  - fork: a client that sends, forks and exits, its child sending the rest: the parent owns the
#    packets before the child's first, the child those from it on (the recorder's owner event), in
#    two passes, and in one pass too where it names the client at all.
# Every TCP packet of every case must name its two processes (pid and name) and containers.
#   record-hard.sh RECORDER PROCREC_DUMP SERVER CLIENT OTHER_CLIENT OUTDIR
# SERVER, CLIENT and OTHER_CLIENT are builds of tests/gen/loopback_peer.c under different names.
# Exits 77 where recording cannot run (not root, no eBPF, no dumpcap): its message says why.
set -euo pipefail

. "$(dirname "$0")/record-lib.sh"

# The cgroup v2 hierarchy's mount point, or nothing; mounted on /sys/fs/cgroup where it is not, as
# systems do at boot (a sysfs mounted afresh, as a chroot's, has none).
cgroup2() {
  awk '$3 == "cgroup2" { print $2; found = 1; exit } END { exit !found }' /proc/mounts ||
    { mount -t cgroup2 cgroup2 /sys/fs/cgroup && echo /sys/fs/cgroup; }
}

# One connection: a server on PORT, a client started by the rest of the arguments (a command that
# connects to PORT); appends "CASE PORT SERVER_PID CLIENT_PID" to owners.tsv.
exchange() {
  local name=$1 port=$2 server_pid client_pid
  shift 2
  "$server" server "$port" 0 3000 >"$out/$name.server" &
  server_pid=$!
  wait_for_line "$out/$name.server" '^ready$' "$server_pid"
  "$@" &
  client_pid=$!
  wait "$client_pid" "$server_pid"
  printf '%s\t%s\t%s\t%s\n' "$name" "$port" "$server_pid" "$client_pid" >>"$out/owners.tsv"
}

if [ "${1:-}" = --drive ]; then
  out=$2 server=$3 client=$4 other_client=$5 base=$6 container=$7
  : >"$out/owners.tsv"
  for i in $(seq 20); do
    exchange "short$i" $((base + i)) "$client" client $((base + i)) 1000
  done

  # The same pid twice: the first client's pid, again, for another program.
  exchange reuse1 $((base + 30)) "$client" client $((base + 30)) 1000
  pid=$(awk -F'\t' '$1 == "reuse1" { print $4 }' "$out/owners.tsv")
  "$server" server $((base + 31)) 0 3000 >"$out/reuse2.server" &
  server_pid=$!
  wait_for_line "$out/reuse2.server" '^ready$' "$server_pid"
  for _ in $(seq 2000); do
    echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
    # A subshell that is not the pid wanted exits without connecting.
    ( if [ "$BASHPID" = "$pid" ]; then exec "$other_client" client $((base + 31)) 1000; fi ) &
    reused=$!
    wait "$reused" || true
    [ "$reused" = "$pid" ] && break
  done
  [ "$reused" = "$pid" ] || { echo "record-hard: pid $pid could not be had again" >&2; kill "$server_pid"; exit 1; }
  wait "$server_pid"
  printf 'reuse2\t%s\t%s\t%s\n' $((base + 31)) "$server_pid" "$pid" >>"$out/owners.tsv"

  # The client in a container's cgroup (made and removed by the test's trap).
  if [ "$container" != - ]; then
    exchange container $((base + 35)) sh -c "echo \$\$ >'$container/cgroup.procs' && exec '$client' client $((base + 35)) 1000"
  fi

  # A connection handed to a forked child: the parent's pid as client, the child's in fork.child.
  "$server" server $((base + 40)) 0 3000 >"$out/fork.server" &
  server_pid=$!
  wait_for_line "$out/fork.server" '^ready$' "$server_pid"
  "$client" fork-client $((base + 40)) 1000 >"$out/fork.child" &
  parent=$!
  wait "$parent"
  wait_for_line "$out/fork.child" '^child [0-9]' "$server_pid"
  child=$(sed -n 's/^child //p' "$out/fork.child")
  wait_for_line "$out/fork.child" '^done$' "$child"
  wait "$server_pid"
  printf 'fork\t%s\t%s\t%s\t%s\n' $((base + 40)) "$server_pid" "$parent" "$child" >>"$out/owners.tsv"
  exit 0
fi

recorder=$1 dump=$2 server=$3 client=$4 other_client=$5 out=$6
[ "$(id -u)" = 0 ] || { echo "SKIP: recording needs root (it loads an eBPF program and captures)"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: needs tshark"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
base=$((10000 + RANDOM % 20000)) # below the ephemeral ports (32768 on), which other programs' clients take
container_id=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
container=-
if root=$(cgroup2) && [ -n "$root" ] && [ -w "$root" ]; then
  slice=$root/procshark-test-$$.slice
  container=$slice/docker-$container_id.scope
  trap 'rmdir "$container" "$slice" 2>/dev/null || true' EXIT
  mkdir -p "$container"
else
  echo "record-hard: no writable cgroup v2 hierarchy: the container case is not checked"
fi
status=0
"$recorder" -i lo -f "tcp portrange $base-$((base + 40))" -w "$out/out.pcapng" --events "$out/events.psrec" -- \
  "$0" --drive "$out" "$server" "$client" "$other_client" "$base" "$container" 2>"$out/recorder.log" || status=$?
cat "$out/recorder.log"
case $status in
  0) capture=$out/out.pcapng ;;
  4) echo "SKIP: procshark-record cannot run here (see its message above)"; exit 77 ;;
  *) echo "FAIL: procshark-record exited with status $status"; exit 1 ;;
esac
if grep -q "no tcp_sendmsg_locked tracepoint" "$out/recorder.log"; then
  echo "SKIP: this kernel cannot tell a socket's new owner (tcp_sendmsg_locked, Linux 6.12): the fork case cannot pass"
  exit 77
fi
"$dump" "$out/events.psrec" >"$out/events.tsv"
echo "record-hard: $(wc -l <"$out/events.tsv") events recorded"

# The events matching an awk condition over procrec_dump's columns ($5 what, $8 pid, $15 local port,
# $16 remote port, $18 comm, $19 container).
events() { awk -F'\t' "$1" "$out/events.tsv"; }
field() { awk -F'\t' -v x="$1" -v c="$2" '$1 == x { print $c }' "$out/owners.tsv"; }
server_name=$(basename "$server" | cut -c1-15) client_name=$(basename "$client" | cut -c1-15)
other_name=$(basename "$other_client" | cut -c1-15)

# The events themselves: the reused pid's two connect events, the container's, the owner event.
pid=$(field reuse1 4)
[ "$(field reuse2 4)" = "$pid" ] || fail "reuse: the two clients' pids differ"
for x in reuse1:$client_name reuse2:$other_name; do
  n=$(events "\$5 == 1 && \$8 == $pid && \$16 == $(field "${x%%:*}" 2) && \$18 == \"${x#*:}\"" | wc -l)
  [ "$n" = 1 ] || fail "${x%%:*}: $n connect events of pid $pid '${x#*:}' to port $(field "${x%%:*}" 2), not 1"
done
if [ "$container" != - ]; then
  n=$(events "\$5 == 1 && \$8 == $(field container 4) && \$19 == \"$container_id\"" | wc -l)
  [ "$n" = 1 ] || fail "container: $n connect events of the client with container id $container_id, not 1"
fi
child=$(field fork 5)
owner_events=$(events "\$5 == 9 && \$16 == $(field fork 2)")
[ "$(grep -c . <<<"$owner_events")" = 1 ] && [ "$(cut -f8 <<<"$owner_events")" = "$child" ] ||
  fail "fork: not one owner event naming the child $child: '$owner_events'"

# Every TCP packet of every case, through tshark with the plugin. The fork case: the child owns the
# client's socket from the child's first packet ('C', 0x43) on.
repo=$(cd "$(dirname "$0")/../.." && pwd)
tshark_fields() {
  "$repo/scripts/procshark-tshark" -2 -r "$capture" -Y "tcp" -T fields -E separator=, -e frame.number \
    -e tcp.srcport -e tcp.dstport -e tcp.payload -e proc.src.pid -e proc.src.name -e proc.src.container \
    -e proc.dst.pid -e proc.dst.name -e proc.dst.container
}
tshark_fields >"$out/packets.csv"
child_from=$(awk -F, -v p="$(field fork 2)" '$3 == p && substr($4, 1, 2) == "43" { print $1; exit }' "$out/packets.csv")
[ -n "$child_from" ] || fail "fork: the capture has no packet of the child's data"
checked=0 forked=0
while IFS=, read -r frame sport dport _ src_pid src_name src_container dst_pid dst_name dst_container; do
  x=$(awk -F'\t' -v a="$sport" -v b="$dport" '$2 == a || $2 == b { print $1; exit }' "$out/owners.tsv")
  [ -n "$x" ] || { fail "frame $frame: ports $sport → $dport are of no case"; continue; }
  server_pid=$(field "$x" 3) client_pid=$(field "$x" 4) cname=$client_name ccontainer=
  case $x in
    reuse2) cname=$other_name ;;
    container) ccontainer=$container_id ;;
    fork) if [ "$frame" -ge "${child_from:-0}" ]; then client_pid=$(field fork 5); forked=$((forked + 1)); fi ;;
  esac
  server_end="$server_pid $server_name " client_end="$client_pid $cname $ccontainer"
  if [ "$sport" = "$(field "$x" 2)" ]; then want="$server_end $client_end"; else want="$client_end $server_end"; fi
  got="$src_pid $src_name $src_container $dst_pid $dst_name $dst_container"
  [ "$got" = "$want" ] || fail "frame $frame ($x): proc says '$got', expected '$want'"
  checked=$((checked + 1))
done <"$out/packets.csv"
# One pass (records only up to each packet): an end may be unknown yet, never another process.
fork_port=$(field fork 2)
while IFS=, read -r frame one_src one_dst frame2 two_src two_dst; do
  [ "$frame" = "$frame2" ] || { fail "fork: one pass shows frame $frame where two passes show $frame2"; break; }
  for end in "$one_src:$two_src" "$one_dst:$two_dst"; do
    [ -z "${end%%:*}" ] || [ "${end%%:*}" = "${end#*:}" ] ||
      fail "frame $frame (fork): one pass names pid ${end%%:*}, two passes ${end#*:}"
  done
done < <(paste -d, <("$repo/scripts/procshark-tshark" -r "$capture" -Y "tcp.port == $fork_port" -T fields -E separator=, \
  -e frame.number -e proc.src.pid -e proc.dst.pid) <(awk -F, -v p="$fork_port" '$2 == p || $3 == p { print $1 "," $5 "," $8 }' "$out/packets.csv"))
[ "$checked" -ge 200 ] || fail "only $checked packets of the cases in $capture"
[ "$forked" -ge 3 ] || fail "fork: only $forked packets after the child's first"
[ "$failures" = 0 ] || { echo "record-hard: $failures failures; the events are in $out/events.tsv"; exit 1; }
echo "record-hard: $checked packets named their processes ($forked of them the forked child's)"
