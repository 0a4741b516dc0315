#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procshark-record where one of eBPF's prerequisites is missing, each made so in a mount namespace
# of its own (the machine's mounts are not touched): no kernel BTF (a tmpfs over /sys/kernel/btf),
# and no tracefs that can be mounted (it unmounted, CAP_SYS_ADMIN dropped). Each run must name what
# is missing and its fix, fall back to snapshots by itself, and record (status 0, an event file of
# snapshot records naming the recorder's own sockets).
#   record-fallback-messages.sh RECORDER PROCREC_DUMP OUTDIR
set -euo pipefail
recorder=$1 dump=$2 out=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mount namespaces, capturing)"; exit 77; }
for tool in unshare setpriv dumpcap; do
  command -v $tool >/dev/null || { echo "SKIP: needs $tool"; exit 77; }
done
unshare -m true 2>/dev/null || { echo "SKIP: no mount namespace can be made here"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# case SETUP MESSAGE: runs the recorder after SETUP (sh, in a new mount namespace; $RECORD runs it).
case_of() {
  local name=$1 setup=$2 message=$3 status=0
  RECORD="\"$recorder\" -i lo -f 'udp port 7' -w \"$out/$name.pcapng\" --events \"$out/$name.psrec\" -- true" \
    unshare -m sh -c "$setup" 2>"$out/$name.log" || status=$?
  sed "s/^/$name: /" "$out/$name.log"
  [ "$status" = 0 ] || fail "$name: exit status $status, not 0"
  grep -qF "$message" "$out/$name.log" || fail "$name: the message does not say '$message'"
  grep -q "falling back to socket snapshots every 1000 ms" "$out/$name.log" ||
    fail "$name: the message does not say that it falls back to snapshots"
  "$dump" "$out/$name.psrec" >"$out/$name.tsv" || { fail "$name: the event file is not one"; return; }
  [ "$(awk -F'\t' '$5 != 8' "$out/$name.tsv" | wc -l)" = 0 ] && awk -F'\t' '$18 == "procshark-recor"' "$out/$name.tsv" | grep -q . ||
    fail "$name: the event file does not hold only snapshots, naming the recorder's own sockets"
}

case_of no-btf 'mount -t tmpfs none /sys/kernel/btf && eval "$RECORD"' \
  "the running kernel has no BTF (/sys/kernel/btf/vmlinux: No such file or directory); the eBPF program needs a kernel built with CONFIG_DEBUG_INFO_BTF=y"
case_of no-tracefs 'for m in /sys/kernel/tracing /sys/kernel/debug/tracing /sys/kernel/debug; do
    ! mountpoint -q $m || umount -l $m; done
  eval "setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin $RECORD"' \
  "tracefs is not mounted, and mounting it failed (Operation not permitted): mount it with \`mount -t tracefs nodev /sys/kernel/tracing\`"
[ "$failures" = 0 ] || exit 1
echo "record-fallback-messages: without BTF and without tracefs, it said what was missing and how to fix it, and fell back"
