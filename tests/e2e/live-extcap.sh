# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the tests of procshark-record as Wireshark's extcap (record-live.sh, record-live-gui.sh):
# an extcap folder as a user would have it, and waiting for a live capture to name processes.

# extcap_folder RECORDER DIR: DIR holds a copy of RECORDER with the capabilities it needs, as
# docs/RECORDER.md tells users to give it, for Wireshark run as nobody. Exits 77 where that cannot be.
extcap_folder() {
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (to give the recorder its capabilities and drop to nobody)"; exit 77; }
  [ -r /sys/kernel/btf/vmlinux ] || { echo "SKIP: the kernel has no BTF: the eBPF program cannot run"; exit 77; }
  command -v setcap >/dev/null || { echo "SKIP: needs setcap (scripts/install-deps installs libcap2-bin)"; exit 77; }
  # tracefs mounted, as systems mount it at boot: the recorder mounts it when run as root, but
  # cannot with file capabilities only (a sysfs mounted afresh, as a chroot's, has it unmounted).
  if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ] &&
    ! mount -t tracefs nodev /sys/kernel/tracing; then
    echo "SKIP: tracefs is not mounted on /sys/kernel/tracing, and mounting it failed"
    exit 77
  fi
  mkdir -p "$2"
  cp "$1" "$2/procshark-record"
  chmod 755 "$2" "$2/procshark-record"
  setcap cap_bpf,cap_perfmon,cap_net_raw,cap_dac_read_search+ep "$2/procshark-record" ||
    { echo "SKIP: setcap failed on $2 (a file system without extended attributes?)"; exit 77; }
}

# descendant PID NAME: the first process called NAME under PID (a wrapper's tshark or wireshark).
descendant() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$2" ]; then
      echo "$child"
      return
    fi
    descendant "$child" "$2" && return
  done
  return 1
}

# exchange SERVER CLIENT PORT HOLD_MS RESPONSE REQUEST LOG: one TCP connection over 127.0.0.1 (see
# tests/gen/loopback_peer.c); LOG gets the server's pid and the client's.
exchange() {
  local server_pid client_pid status=0
  "$1" server "$3" "$4" "$5" 127.0.0.1 >"$7.ready" &
  server_pid=$!
  for _ in $(seq 300); do
    grep -q '^ready$' "$7.ready" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^ready$' "$7.ready" || { echo "the server on port $3 did not start"; kill "$server_pid"; return 1; }
  "$2" client "$3" "$6" 127.0.0.1 >/dev/null &
  client_pid=$!
  wait "$client_pid" || status=$?
  wait "$server_pid" || status=$?
  printf '%s %s\n' "$server_pid" "$client_pid" >"$7"
  return $status
}

# warm_up SERVER CLIENT FIRST_PORT CHECK LOG: connections on FIRST_PORT, FIRST_PORT+1... until
# CHECK PORT succeeds (the capture named the client on PORT), for up to 60 s; a port that is taken
# is passed over. The eBPF program is attached after Wireshark's capture has begun: only the capture
# tells when.
warm_up() {
  local port=$3 end=$((SECONDS + 60))
  while [ $SECONDS -lt $end ]; do
    if exchange "$1" "$2" "$port" 0 10 10 "$5"; then
      for _ in $(seq 50); do
        "$4" "$port" && return 0
        sleep 0.1
      done
    fi
    port=$((port + 1))
  done
  return 1
}
