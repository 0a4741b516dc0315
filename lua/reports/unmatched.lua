-- SPDX-License-Identifier: GPL-2.0-or-later
-- procshark report: what procshark could not attribute, one row per frame.
--   tshark -2 -q -r CAP -X lua_script:lua/reports/unmatched.lua [-X lua_script1:format=csv]
-- kind "record": a record describing one packet (an ETW send, receive, connect, reconnect, accept
--   or retransmit event, a tracee net_packet_tcp event) that no packet matched (the plugin's expert
--   proc.unmatched_record); source etw or tracee, pid the record's, endpoint the socket it speaks
--   for; reason "no packet matched".
-- kind "packet": a TCP or UDP packet with no process known for either end; endpoint "src -> dst"; reason
--   "no process known for either end", or "no process known yet (one pass: run tshark -2)" where
--   a second pass could know more (proc.needs_two_passes).
-- Sorted by frame.
local dir = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = dir .. "/../?.lua;" .. dir .. "/?.lua;" .. package.path
local ps = require "procshark"

ps.report({
  name = "unmatched",
  title = "Unmatched records and packets",
  columns = {"frame", "kind", "source", "pid", "endpoint", "reason"},
  needs = {"needs_two_passes"},
  record_filter = "proc.unmatched_record",
  start = function()
    local rows = {}
    return {
      packet = function(p)
        if #p.ends == 0 then
          rows[#rows + 1] = {frame = p.frame, kind = "packet", endpoint = p.src.endpoint .. " -> " .. p.dst.endpoint,
                             reason = p.needs_two_passes and "no process known yet (one pass: run tshark -2)"
                                      or "no process known for either end"}
        end
      end,
      record = function(r)
        if r.unmatched then
          rows[#rows + 1] = {frame = r.frame, kind = "record", source = r.source, pid = r.pid,
                             endpoint = r.endpoint, reason = "no packet matched"}
        end
      end,
      rows = function()
        rows.columns = {"frame", "kind", "source", "pid", "endpoint", "reason"}
        return ps.sort(rows, {"frame"})
      end,
    }
  end,
}, ...)
