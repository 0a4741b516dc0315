#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The installed "procshark" configuration profile read by tshark (-C procshark), as a user's copy
# in ~/.config/wireshark/profiles: no error, its process columns hold the real processes of the
# quickstart sample, its coloring rules color records and unmatched records, and each filter button
# selects the frames the scenario's ground truth says.
# profile-tshark.sh PROFILE_DIR DEMO_CAPTURE SCENARIO_CAPTURE SCENARIO_TRUTH; tshark runs through
# $PROCSHARK_TSHARK (scripts/procshark-tshark) with $PROCSHARK_PLUGIN. Prints "ok"/"not ok" lines.
set -uo pipefail

profile=${1:?usage: profile-tshark.sh PROFILE_DIR DEMO_CAPTURE SCENARIO_CAPTURE SCENARIO_TRUTH}
demo=${2:?} scenario=${3:?} truth=${4:?}
: "${PROCSHARK_TSHARK:?the path of scripts/procshark-tshark}"
work=$(mktemp -d "${TMPDIR:-/tmp}/procshark-profile.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
ok() { echo "ok - $1"; }
not_ok() { # what, details
  echo "not ok - $1"
  printf '%s\n' "$2" | sed 's/^/    /' | head -n 20
  failed=1
}
expect_eq() { # what, expected, actual
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "$(printf 'expected: %s\nactual:   %s' "$2" "$3")"; fi
}
tshark_profile() { PROCSHARK_PROFILE=$profile "$PROCSHARK_TSHARK" -C procshark -2 "$@"; }

# The columns, tab-separated, with each field's padding trimmed.
if ! tshark_profile -r "$demo" -T tabs >"$work/tabs" 2>"$work/stderr"; then
  not_ok "tshark -C procshark reads the sample" "$(cat "$work/stderr")"
elif [ -s "$work/stderr" ]; then
  not_ok "tshark -C procshark reads the profile without a message" "$(cat "$work/stderr")"
else
  ok "tshark -C procshark reads the profile without a message"
fi
sed -E 's/ *\t */\t/g; s/^[[:space:]]+//' "$work/tabs" >"$work/cols"
# Columns: No., Time, Source, Src process, Src PID, Src match, Destination, Dst process, Dst PID,
# Dst match, Protocol, Length, Info. The sample's client (pid 21089) sent frames 1 3 4 6 11 13, its server
# (21084) 2 5 7 10 12 14; frames 8 and 9 are the tracee records, with no packet end to name.
ends() { awk -F'\t' -v f="$1" '$1 == f { print $4 "/" $5 " (" $6 ") -> " $8 "/" $9 " (" $10 ")" }' "$work/cols"; }
for f in 1 3 4 6 11 13; do
  expect_eq "frame $f: the client's packet, in the process columns" \
    "ps-loop-client/21089 (connection) -> ps-loop-server/21084 (connection)" "$(ends $f)"
done
for f in 2 5 7 10 12 14; do
  expect_eq "frame $f: the server's packet, in the process columns" \
    "ps-loop-server/21084 (connection) -> ps-loop-client/21089 (connection)" "$(ends $f)"
done
for f in 8 9; do expect_eq "frame $f (a record): empty process columns" "/ () -> / ()" "$(ends $f)"; done

# Column titles and row colors, as PSML carries them.
tshark_profile -r "$demo" -T psml --color >"$work/psml" 2>"$work/stderr"
expect_eq "the column titles" "No.|Time|Source|Src process|Src PID|Src match|Destination|Dst process|Dst PID|Dst match|Protocol|Length|Info" \
  "$(sed -n 's#^<section>\(.*\)</section>$#\1#p' "$work/psml" | head -n 13 | paste -sd'|')"
expect_eq "every coloring rule compiles" "" "$(cat "$work/stderr")"
backgrounds() { sed -n "s/^<packet foreground='[^']*' background='\([^']*\)'>.*/\1/p" "$1" | paste -sd' '; }
# Wireshark's TCP SYN/FIN grey, then its TCP lavender; the records in procshark's mint.
expect_eq "the sample's rows: SYNs and FINs grey, TCP lavender, records mint" \
  "#a0a0a0 #a0a0a0 #e7e6ff #e7e6ff #e7e6ff #e7e6ff #e7e6ff #ccffe4 #ccffe4 #e7e6ff #e7e6ff #a0a0a0 #a0a0a0 #e7e6ff" \
  "$(backgrounds "$work/psml")"
tshark_profile -r "$scenario" -T psml --color -Y proc.unmatched_record >"$work/psml" 2>&1
expect_eq "the scenario's unmatched record is yellow" "#ffee78" "$(backgrounds "$work/psml")"

# Each filter button against the ground truth: frame, src_pid, src_name, dst_pid, dst_name, proto
# (tcp, or dns for UDP), src_known, dst_known of every packet; every other frame of the scenario is a record.
frames() { tshark_profile -r "$1" -Y "$2" -T fields -e frame.number 2>&1 | paste -sd' '; }
truth_frames() { awk -F'\t' "NR > 1 && ($1) { print \$1 }" "$truth" | paste -sd' '; }
all_frames=$(frames "$scenario" frame)
records=$(comm -23 <(tr ' ' '\n' <<<"$all_frames" | sort) <(cut -f1 "$truth" | sort) | sort -n | paste -sd' ')
buttons=$(sed -n 's/^"TRUE","\([^"]*\)","\([^"]*\)".*/\1\t\2/p' "$profile/dfilter_buttons" | sed 's/\\x22/"/g')
expect_eq "the filter buttons" "Process curl|Unattributed TCP|Records|Disagreements|Unmatched records" \
  "$(cut -f1 <<<"$buttons" | paste -sd'|')"
# shellcheck disable=SC2016 # awk conditions over the truth's columns
while IFS=$'\t' read -r label filter; do
  case $label in
    "Process curl") expected=$(truth_frames '$3 == "curl" || $5 == "curl"') ;;
    "Unattributed TCP") expected=$(truth_frames '$6 == "tcp" && $2 == "-" && $4 == "-"') ;;
    Records) expected=$records ;;
    # The scenario's one unmatched record: an ETW send of 1400 bytes no packet carries.
    "Unmatched records") expected=480 ;;
    # No source contradicts another in the scenario.
    Disagreements) expected= ;;
  esac
  expect_eq "button \"$label\" ($filter) on the scenario" "$expected" "$(frames "$scenario" "$filter")"
done <<<"$buttons"
expect_eq "button \"Records\" on the sample: the two tracee events" "8 9" "$(frames "$demo" proc.record.source)"
exit $failed
