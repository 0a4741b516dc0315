# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154 # work, pids and wireshark are the test's
# Sourced by the tests that drive Wireshark itself on a virtual display (profile-gui.sh,
# record-live-gui.sh). The test sets: work (its temporary folder; Wireshark's messages in
# $work/wireshark.log), pids (processes to end on exit), and wireshark (Wireshark's pid) once started.
# Every wait is for a condition, with a time limit. Sourced before the test makes anything: it skips
# (77) where Wireshark or the X tools are missing.

for tool in wireshark Xvfb xdotool xwd xwininfo xwdtopnm pnmtopng; do
  command -v "$tool" >/dev/null || {
    echo "SKIP: $tool is not installed (scripts/install-deps installs wireshark xvfb xdotool x11-apps x11-utils netpbm)"
    exit 77
  }
done

fail() {
  echo "not ok - $1"
  [ -s "$work/wireshark.log" ] && sed 's/^/    /' "$work/wireshark.log" | tail -n 20
  exit 1
}
ok() { echo "ok - $1"; }

# Whether a child process has ended (a zombie has: kill -0 would still reach it).
ended() { [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null || echo Z)" = Z ]; }
# Waits until the command succeeds: wait_for SECONDS WHAT COMMAND...
wait_for() {
  local limit=$1 what=$2
  local end=$((SECONDS + limit))
  shift 2
  until "$@"; do
    [ -z "${wireshark:-}" ] || ! ended "$wireshark" || fail "Wireshark ended before this: $what"
    [ $SECONDS -lt $end ] || fail "$what: not within $limit s"
    sleep 0.1
  done
}

# Xvfb on a display of its own; DISPLAY and root_window for the rest.
start_xvfb() {
  Xvfb -displayfd 3 -nolisten tcp -screen 0 1600x1000x24 3>"$work/display" 2>"$work/xvfb.log" &
  pids+=($!)
  wait_for 20 "Xvfb says its display" test -s "$work/display"
  DISPLAY=":$(cat "$work/display")"
  export DISPLAY
  root_window=$(printf '%d' "$(xwininfo -root | sed -n 's/.*Window id: \(0x[0-9a-f]*\).*/\1/p')")
}

# wireshark_user HOME [NAME=VALUE...]: run (an array) runs a command as the user whose home is HOME,
# with those variables: as root, nobody (root's Wireshark ignores personal plugins), who gets HOME.
# HOME/runtime is Qt's runtime folder.
wireshark_user() {
  local home=$1
  shift
  run=(env HOME="$home" XDG_RUNTIME_DIR="$home/runtime" LANG=C.UTF-8 "$@")
  if [ "$(id -u)" = 0 ]; then
    chown -R 65534:65534 "$home"
    run=(setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}")
  fi
  # A procshark.so in Wireshark's global plugin folder would load instead of ours: as root, hide it
  # in a private mount namespace, as scripts/procshark-tshark does.
  local global_epan
  global_epan=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')/epan
  if [ -e "$global_epan/procshark.so" ]; then
    [ "$(id -u)" = 0 ] || fail "$global_epan/procshark.so (installed as root) would load instead of ours"
    mkdir "$work/global-epan"
    find "$global_epan" -maxdepth 1 -type f ! -name procshark.so -exec cp {} "$work/global-epan/" \;
    # shellcheck disable=SC2016 # the inner shell expands them
    run=(unshare --mount --propagation private sh -c 'mount --bind "$0" "$1" && shift && exec "$@"'
         "$work/global-epan" "$global_epan" "${run[@]}")
  fi
}

# The top-level windows (menus and dialogs are ones too); xdotool's --pid is not used: it also
# returns windows that do not match the name.
windows() { xdotool search --onlyvisible --name '' 2>/dev/null | grep -vx "$root_window"; }
window_named() { xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n 1; }
has_window() { [ -n "$(window_named "$1")" ]; }
more_windows_than() { [ "$(windows | wc -l)" -gt "$1" ]; }
# Idle: Wireshark used at most 20 ms of processor time in the last whole second (a busy machine
# only delays this). Each call looks once; wait_for repeats it.
busy_cpu=-1 quiet_since=0
idle() {
  local stat cpu
  read -r -a stat <"/proc/$wireshark/stat" || return 1
  cpu=$((stat[13] + stat[14]))
  if [ "$busy_cpu" -lt 0 ] || [ $((cpu - busy_cpu)) -gt $(($(getconf CLK_TCK) / 50)) ]; then
    busy_cpu=$cpu
    quiet_since=$SECONDS
    return 1
  fi
  [ $((SECONDS - quiet_since)) -ge 2 ] && busy_cpu=-1
}
screenshot() { xwd -id "$1" -silent | xwdtopnm 2>/dev/null | pnmtopng >"$2"; }
