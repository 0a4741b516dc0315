#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wireshark itself with the "procshark" profile, the plugin and the Lua reports, on a virtual display
# (Xvfb), driven by the keyboard and mouse (xdotool):
# profile-gui.sh PLUGIN PROFILE_DIR LUA_DIR DEMO_CAPTURE OUT_DIR
# It opens the quickstart sample with -C procshark and checks that no other window (an error) opens
# and nothing is logged as a warning or error; opens Statistics -> procshark -> Traffic by process
# and saves it through its Save as... dialog, which must hold what `tshark -z procshark,tree` prints;
# quits, and reads back what Wireshark wrote on exit: the last profile used, and the profile's
# columns with the widths they had. Screenshots of the main window and the statistics go to OUT_DIR
# (wireshark-profile.png, traffic-by-process.png); with PROCSHARK_README_IMAGES=DIR (docs/images)
# they are copied there too, for the README. Every wait is for a condition, with a time limit.
# As root, Wireshark runs as nobody (root's Wireshark ignores personal plugins). Skips (77) where
# Wireshark or the X tools are not installed (scripts/install-deps installs them).
set -uo pipefail

plugin=${1:?usage: profile-gui.sh PLUGIN PROFILE_DIR LUA_DIR DEMO_CAPTURE OUT_DIR}
profile=${2:?} lua=${3:?} demo=${4:?} out=${5:?}
: "${PROCSHARK_TSHARK:?the path of scripts/procshark-tshark}"
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/e2e/gui-lib.sh
. "$here/e2e/gui-lib.sh"
series=$(tshark --version 2>/dev/null | sed -nE '1s/.* ([0-9]+\.[0-9]+)\.[0-9]+.*/\1/p')
work=$(mktemp -d "${TMPDIR:-/tmp}/procshark-gui.XXXXXX")
pids=()
cleanup() {
  [ ${#pids[@]} = 0 ] || kill "${pids[@]}" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.txt

# A user's installation: the plugin and the reports in the personal plugin folders, the profile
# copied into the personal profiles folder (README, "Wireshark GUI: the profile").
home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/$series/epan" "$home/.config/wireshark/profiles" "$home/runtime" \
  "$work/saved"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$series/epan/"
cp -R "$lua" "$home/.local/lib/wireshark/plugins/procshark"
cp -R "$profile" "$home/.config/wireshark/profiles/procshark"
cp "$demo" "$here/bench/gui-loaded.lua" "$work/"
chmod -R a+rX "$work"
chmod 700 "$home/runtime" # Qt wants its runtime folder private
[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$work/saved"
wireshark_user "$home"

start_xvfb

# gui-loaded.lua writes $HOME/loaded once Wireshark has read the file named by -r.
"${run[@]}" wireshark -C procshark -X "lua_script:$work/gui-loaded.lua" -z procshark_bench_loaded \
  -r "$work/$(basename "$demo")" >"$work/wireshark.log" 2>&1 &
wireshark=$!
pids+=("$wireshark")

wait_for 60 "Wireshark reads the sample" test -s "$home/loaded"
wait_for 20 "the main window shows the sample" has_window '^loopback-demo\.pcapng$'
main=$(window_named '^loopback-demo\.pcapng$')
xdotool windowsize --sync "$main" 1400 760
wait_for 30 "Wireshark goes idle" idle
if [ "$(windows)" = "$main" ]; then
  ok "the sample opens with -C procshark and no other window (no error dialog)"
else
  for w in $(windows); do [ "$w" = "$main" ] || screenshot "$w" "$out/unexpected-window-$w.png"; done
  fail "windows other than the main one: $(for w in $(windows); do printf '[%s] ' "$(xdotool getwindowname "$w")"; done)"
fi
screenshot "$main" "$out/wireshark-profile.png"

# Statistics, then up from its top (the menu wraps round to its last item, the procshark submenu),
# into the submenu, and its first item: Traffic by process.
xdotool windowfocus --sync "$main" key alt+s
wait_for 10 "the Statistics menu opens" more_windows_than 1
xdotool key Up Right
wait_for 10 "the procshark submenu opens" more_windows_than 2
xdotool key Return
wait_for 30 "the Traffic by process window opens" has_window ' Traffic by process '
stats=$(window_named ' Traffic by process ')
wait_for 30 "Wireshark fills the statistics" idle
screenshot "$stats" "$out/traffic-by-process.png"
ok "Statistics -> procshark -> Traffic by process opens"

# Save as... is on the tree's context menu (its second item): the file dialog takes a full path.
xdotool mousemove --window "$stats" 300 150 click 3
wait_for 10 "the context menu opens" more_windows_than 2
xdotool key Down Down Return
wait_for 10 "the Save Statistics As dialog opens" has_window 'Save Statistics As'
xdotool windowfocus --sync "$(window_named 'Save Statistics As')" type "$work/saved/tree"
xdotool key Return
wait_for 10 "Save as... writes the tree" test -s "$work/saved/tree.txt"
cp "$work/saved/tree.txt" "$out/traffic-by-process.txt"
# The same tree as tshark's, row for row (the window sorts children its own way), with both processes.
PROCSHARK_PLUGIN=$plugin "$PROCSHARK_TSHARK" -2 -q -r "$demo" -z procshark,tree >"$work/tshark-tree.txt" 2>&1
if ! diff <(grep . "$work/tshark-tree.txt" | sort) <(grep . "$out/traffic-by-process.txt" | sort) >"$work/diff"; then
  fail "the saved tree differs from tshark -z procshark,tree: $(cat "$work/diff")"
elif ! grep -Eq 'ps-loop-server[^0-9]+21084' "$out/traffic-by-process.txt" ||
     ! grep -Eq 'ps-loop-client[^0-9]+21089' "$out/traffic-by-process.txt"; then
  fail "the saved tree does not name ps-loop-server (21084) and ps-loop-client (21089)"
fi
ok "Save as... writes the tree tshark prints, with ps-loop-server (21084) and ps-loop-client (21089)"

# Quitting writes recent_common (the profile in use) and the profile's recent (its columns, each
# with its width): what Wireshark itself took from the profile.
xdotool windowfocus --sync "$main" key ctrl+q
quitting=$wireshark
wireshark=
wait_for 30 "Wireshark quits" ended "$quitting"
conf=$home/.config/wireshark
grep -qx 'gui.last_used_profile: procshark' "$conf/recent_common" ||
  fail "recent_common does not name procshark as the profile used: $(grep last_used_profile "$conf/recent_common")"
ok "Wireshark used the procshark profile"
widths() { sed -n '/^column.width:/,/^$/p' "$1" | sed '1d' | tr -d ' \t"' | grep . | paste -sd' '; }
expected=$(widths "$profile/recent")
actual=$(widths "$conf/profiles/procshark/recent")
[ "$actual" = "$expected" ] || fail "the packet list's columns and widths: expected $expected, Wireshark wrote $actual"
ok "the packet list had the profile's 13 columns at its widths"
# Wireshark logs a coloring rule or filter that does not compile, and a preference it rejects.
if grep -E 'Lua: Error|\[[A-Za-z]+ (WARNING|CRITICAL|ERROR)\]' "$work/wireshark.log" | grep -v '\[GUI WARNING\]' |
   grep -q .; then
  fail "Wireshark logged a warning or an error"
fi
ok "Wireshark logged no warning or error"

if [ -n "${PROCSHARK_README_IMAGES:-}" ]; then
  mkdir -p "$PROCSHARK_README_IMAGES"
  cp "$out/wireshark-profile.png" "$out/traffic-by-process.png" "$PROCSHARK_README_IMAGES/"
  echo "the screenshots are in $PROCSHARK_README_IMAGES"
fi
