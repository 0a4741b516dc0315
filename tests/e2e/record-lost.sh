#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record when its ring buffer overflows: a ring buffer of one page (the test-only knob
# PROCSHARK_RECORD_RING_BYTES, about 20 events), the recorder stopped (SIGSTOP) while COUNT UDP
# datagrams are sent, each from a new socket (one flow, so one event, each), then let go. The lost
# events must be said on stderr, counted in the summary, written as kind-3 records whose counts add
# up to the same, shown by tshark (procrec.lost, the procrec.lost_events warning) in the merged
# capture; and the flows' events written plus those lost must cover the flows in the capture (other
# processes' events may be lost too, so not equal), with some of ours lost. A flow is a source port:
# a new socket may get a port an earlier one had, and the recorder reports a flow once a second.
#   record-lost.sh RECORDER PROCREC_DUMP CONNECT_STORM OUTDIR
# Exits 77 where recording cannot run (not root, no eBPF, no dumpcap): its message says why.
set -euo pipefail
count=500

if [ "${1:-}" = --drive ]; then
  # Our parent is procshark-record: stopped, it reads nothing while the flows are made.
  out=$2 storm=$3
  kill -STOP "$PPID"
  status=0
  "$storm" udp "$count" >"$out/storm.out" || status=$?
  kill -CONT "$PPID"
  exit "$status"
fi

recorder=$1 dump=$2 storm=$3 out=$4
[ "$(id -u)" = 0 ] || { echo "SKIP: recording needs root (it loads an eBPF program and captures)"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: needs tshark"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
status=0
PROCSHARK_RECORD_RING_BYTES=$(getconf PAGESIZE) "$recorder" -i lo -f "udp and dst host 127.0.0.1" -w "$out/out.pcapng" \
  --events "$out/events.psrec" -- "$0" --drive "$out" "$storm" 2>"$out/recorder.log" || status=$?
cat "$out/recorder.log"
case $status in
  0) capture=$out/out.pcapng ;;
  4) echo "SKIP: procshark-record cannot run here (see its message above)"; exit 77 ;;
  *) echo "FAIL: procshark-record exited with status $status"; exit 1 ;;
esac
"$dump" "$out/events.psrec" >"$out/events.tsv"
port=$(sed -n 's/^[0-9]* datagrams to port //p' "$out/storm.out")

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
said=$(sed -n 's/^procshark-record: \([0-9]*\) events lost (the ring buffer was full).*/\1/p' "$out/recorder.log" |
  awk '{ n += $1 } END { print n + 0 }')
summary=$(sed -n 's/^procshark-record: .* events ([0-9]* per packet), \([0-9]*\) lost;.*/\1/p' "$out/recorder.log")
records=$(awk -F'\t' '$2 == 3 { n += $20 } END { print n + 0 }' "$out/events.tsv")
ours=$(awk -F'\t' -v p="$port" '$2 == 2 && $5 == 5 && $16 == p' "$out/events.tsv" | wc -l)
repo=$(cd "$(dirname "$0")/../.." && pwd)
flows=$("$repo/scripts/procshark-tshark" -r "$capture" -Y "udp.dstport == $port" -T fields -e udp.srcport | sort -u | wc -l)
echo "record-lost: $count datagrams sent, $flows flows (source ports) in the capture, $ours of their events written;" \
  "$said events lost said on stderr, $records in the records"
[ "$said" -gt 0 ] || fail "no lost events were said on stderr"
[ "$summary" = "$said" ] || fail "the summary counts '$summary' lost events, stderr $said"
[ "$records" = "$said" ] || fail "the kind-3 records count $records lost events, stderr $said"
[ "$flows" -gt $((count * 9 / 10)) ] || fail "only $flows flows of the $count datagrams are in the capture"
[ "$ours" -lt "$flows" ] || fail "all $flows flows' events were written: nothing of ours was lost"
[ $((ours + said)) -ge "$flows" ] || fail "$ours written and $said lost do not cover the $flows flows in the capture"
shown=$("$repo/scripts/procshark-tshark" -2 -r "$capture" -Y "procrec.kind == 3" -T fields -e procrec.lost |
  awk '{ n += $1 } END { print n + 0 }')
warned=$("$repo/scripts/procshark-tshark" -2 -r "$capture" -Y "procrec.lost_events" -T fields -e frame.number | wc -l)
lost_records=$(awk -F'\t' '$2 == 3' "$out/events.tsv" | wc -l)
[ "$shown" = "$said" ] || fail "tshark shows $shown lost events (procrec.lost) in the merged capture, stderr $said"
[ "$warned" = "$lost_records" ] || fail "tshark warns procrec.lost_events on $warned records, not the $lost_records lost records"
[ "$failures" = 0 ] || { echo "record-lost: $failures failures; the events are in $out/events.tsv"; exit 1; }
echo "record-lost: the $said lost events are in the summary, the records and the merged capture"
