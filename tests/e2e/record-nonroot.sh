#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record without root (as nobody, uid 65534, no capabilities): it must say that eBPF needs
# root and how to get it, fall back to socket snapshots, then find that dumpcap cannot capture either,
# say how to allow it, exit with its prerequisite status (4), and leave OUT and OUT's folder as they
# were. (Skipped where dumpcap has capabilities: there nobody can capture, and the snapshots run.)
#   record-nonroot.sh RECORDER OUTDIR
set -euo pipefail
recorder=$1 out=$2
rm -rf "$out"
mkdir -p "$out/work"
# A copy nobody may run (the build folder may be closed to others), in a folder nobody may write.
cp "$recorder" "$out/procshark-record"
chmod 755 "$out" "$out/procshark-record"
chmod 1777 "$out/work"
printf 'an earlier recording\n' >"$out/work/out.pcapng"
cp "$out/work/out.pcapng" "$out/expected"
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || { echo "SKIP: needs setpriv (util-linux) to drop root"; exit 77; }
  run=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
else
  run=()
fi
dumpcap=$(command -v dumpcap) || { echo "SKIP: needs dumpcap"; exit 77; }
if command -v getcap >/dev/null && [ -n "$(getcap "$dumpcap")" ]; then
  echo "SKIP: $dumpcap has capabilities ($(getcap "$dumpcap")): anyone may capture with it"
  exit 77
fi
status=0
"${run[@]}" "$out/procshark-record" -w "$out/work/out.pcapng" -- true 2>"$out/stderr" || status=$?
cat "$out/stderr"
failures=0
[ "$status" = 4 ] || { echo "FAIL: exit status $status, not 4 (a prerequisite is missing)"; failures=$((failures + 1)); }
grep -q "needs root or the capabilities CAP_BPF and CAP_PERFMON (this process lacks CAP_BPF CAP_PERFMON): run it with sudo, or give it the capabilities with setcap" "$out/stderr" ||
  { echo "FAIL: the message does not say that root is needed, and how"; failures=$((failures + 1)); }
grep -q "falling back to socket snapshots every 1000 ms" "$out/stderr" ||
  { echo "FAIL: the message does not say that it falls back to snapshots"; failures=$((failures + 1)); }
grep -q "capturing needs root, or dumpcap with the capabilities CAP_NET_RAW and CAP_NET_ADMIN" "$out/stderr" ||
  { echo "FAIL: the message does not say that capturing needs root, and how else"; failures=$((failures + 1)); }
cmp -s "$out/work/out.pcapng" "$out/expected" || { echo "FAIL: OUT was changed"; failures=$((failures + 1)); }
[ "$(ls -A "$out/work")" = out.pcapng ] || { echo "FAIL: files were left beside OUT: $(ls -A "$out/work")"; failures=$((failures + 1)); }
[ "$failures" = 0 ] && echo "record-nonroot: fell back to snapshots, could not capture, said why, left OUT alone"
