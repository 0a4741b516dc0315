#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wireshark itself capturing live on procshark-record's extcap interface, on a virtual display (Xvfb):
# record-live-gui.sh PLUGIN PROFILE_DIR RECORDER SERVER CLIENT OUT_DIR
# Wireshark runs as a user would have it (as nobody when the test is root): the plugin in the
# personal plugin folder, the procshark profile (process columns), and an extcap folder
# (WIRESHARK_EXTCAP_DIR) with a copy of the recorder given its capabilities (docs/RECORDER.md). It
# starts capturing on procshark-lo (-k); the test's own client and server (builds of
# tests/gen/loopback_peer.c) talk over TCP; while the capture runs, the main window is screenshot
# (OUT_DIR/wireshark-live.png; with PROCSHARK_README_IMAGES=DIR copied there, for the README) and
# the capture file Wireshark is writing must name, in one pass, the client on every packet of the
# connection and the server on every packet after its accept event. Stopping the capture (Ctrl+E) must end the extcap
# without an error dialog. Skips (77) where it cannot run: not root, no BTF, or a tool missing.
set -uo pipefail

plugin=${1:?usage: record-live-gui.sh PLUGIN PROFILE_DIR RECORDER SERVER CLIENT OUT_DIR}
profile=${2:?} recorder=${3:?} server=${4:?} client=${5:?} out=${6:?}
: "${PROCSHARK_TSHARK:?the path of scripts/procshark-tshark}"
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/e2e/gui-lib.sh
. "$here/e2e/gui-lib.sh"
series=$(tshark --version 2>/dev/null | sed -nE '1s/.* ([0-9]+\.[0-9]+)\.[0-9]+.*/\1/p')
work=$(mktemp -d "${TMPDIR:-/tmp}/procshark-live-gui.XXXXXX")
pids=()
# shellcheck source=tests/e2e/live-extcap.sh
. "$here/e2e/live-extcap.sh"
cleanup() {
  [ ${#pids[@]} = 0 ] || kill "${pids[@]}" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
extcap_folder "$recorder" "$work/extcap"
mkdir -p "$out"
rm -f "$out"/*.png

home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/$series/epan" "$home/.config/wireshark/profiles" "$home/runtime" \
  "$work/tmp"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$series/epan/"
cp -R "$profile" "$home/.config/wireshark/profiles/procshark"
chmod -R a+rX "$work"
chmod 700 "$home/runtime" # Qt wants its runtime folder private
chmod 1777 "$work/tmp"    # Wireshark's capture file goes there
wireshark_user "$home" WIRESHARK_EXTCAP_DIR="$work/extcap" TMPDIR="$work/tmp"
start_xvfb

# Below the ephemeral ports (32768 on), where other sockets could hold one of the range.
port=$((20000 + RANDOM % 12000))
client_name=$(basename "$client" | cut -c1-15) server_name=$(basename "$server" | cut -c1-15)
"${run[@]}" wireshark -C procshark -i procshark-lo -f "tcp portrange $port-$((port + 100))" -Y tcp -k \
  >"$work/wireshark.log" 2>&1 &
wireshark=$!
pids+=("$wireshark")
wait_for 60 "the main window shows the live capture" has_window '^Capturing from procshark'
main=$(window_named '^Capturing from procshark')
xdotool windowsize --sync "$main" 1400 760

# The file Wireshark captures into, read while it grows (one pass, as Wireshark's packet list).
capture_file() { find "$work/tmp" -maxdepth 1 -name 'wireshark_*.pcapng' | head -n 1; }
count() { "$PROCSHARK_TSHARK" -r "$(capture_file)" -Y "$1" -T fields -e frame.number 2>/dev/null | wc -l; }
named_client() { [ "$(count "tcp.dstport == $1 && proc.src.name == \"$client_name\"")" -gt 0 ]; }
wait_for 60 "Wireshark's capture file appears" test -n "$(capture_file)"
warm_up "$server" "$client" $((port + 1)) named_client "$work/warm-up" ||
  fail "no connection was named within 60 s of starting the capture"
exchange "$server" "$client" "$port" 50 20000 3000 "$work/pids" || fail "the client and server on port $port failed"
read -r server_pid client_pid <"$work/pids"
both_fins() { [ "$(count "tcp.port == $port && tcp.flags.fin == 1")" -ge 2 ]; }
wait_for 30 "both FINs of the connection reach the capture file" both_fins
wait_for 30 "Wireshark goes idle" idle
screenshot "$main" "$out/wireshark-live.png"
ok "Wireshark captures live on procshark-lo (screenshot while capturing: $out/wireshark-live.png)"

total=$(count "tcp.port == $port")
with_client=$(count "tcp.port == $port && proc.pid == $client_pid && proc.name == \"$client_name\"")
with_both=$(count "tcp.port == $port && proc.pid == $client_pid && proc.pid == $server_pid && proc.name == \"$server_name\"")
# The packets before the server's accept event (the handshake, and whatever came before the server
# returned from accept()) cannot name the server in one pass; every packet after it must.
accept_frame=$("$PROCSHARK_TSHARK" -r "$(capture_file)" -Y "procrec.what == 2 && procrec.local.port == $port" \
  -T fields -e frame.number 2>/dev/null | head -n 1)
[ -n "$accept_frame" ] || fail "no accept event on port $port in the capture file"
after_accept=$(count "tcp.port == $port && frame.number > $accept_frame")
[ "$total" -ge 10 ] || fail "only $total packets of the connection on port $port"
[ "$with_client" = "$total" ] || fail "$with_client of $total packets name the client $client_pid"
[ "$after_accept" -ge 3 ] && [ "$(count "tcp.port == $port && frame.number > $accept_frame && proc.pid == $client_pid &&
  proc.pid == $server_pid")" = "$after_accept" ] ||
  fail "of the $after_accept packets after the accept event (frame $accept_frame), not all name the server $server_pid"
ok "in one pass, $total of $total packets name the client $client_pid, $with_both the server $server_pid too (all $after_accept after its accept event)"

# Stopping: Wireshark sends the extcap SIGTERM; a word on its stderr would open an error dialog.
xdotool windowfocus --sync "$main" key ctrl+e
not_capturing() { ! has_window '^Capturing from procshark'; }
wait_for 30 "the capture stops" not_capturing
wait_for 30 "Wireshark goes idle" idle
if [ "$(windows)" != "$main" ]; then
  for w in $(windows); do [ "$w" = "$main" ] || screenshot "$w" "$out/unexpected-window-$w.png"; done
  fail "windows other than the main one: $(for w in $(windows); do printf '[%s] ' "$(xdotool getwindowname "$w")"; done)"
fi
ok "the capture stops without an error from the extcap"

if [ -n "${PROCSHARK_README_IMAGES:-}" ]; then
  mkdir -p "$PROCSHARK_README_IMAGES"
  cp "$out/wireshark-live.png" "$PROCSHARK_README_IMAGES/"
  echo "the screenshot is in $PROCSHARK_README_IMAGES"
fi
