-- SPDX-License-Identifier: GPL-2.0-or-later
-- procshark report: TCP retransmissions by process, one row per process (pid, name).
--   tshark -2 -q -r CAP -X lua_script:lua/reports/retransmits.lua [-X lua_script1:format=csv]
-- TCP packets count as in by_process.lua (each known end's process, once when one process owns both
-- ends); retransmits are those of them that tshark marks tcp.analysis.retransmission, so a
-- retransmission counts for the sender and for the receiver. ratio = retransmits / packets, with
-- 4 decimals. Sorted by retransmits, then ratio (both descending), then pid and name.
local dir = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = dir .. "/../?.lua;" .. dir .. "/?.lua;" .. package.path
local ps = require "procshark"

ps.report({
  name = "retransmits",
  title = "Retransmissions by process",
  columns = {"pid", "name", "retransmits", "packets", "ratio:%.4f"},
  needs = {"retransmission"},
  start = function()
    local g = ps.group{over = "end", by = {"pid", "name"}, count_if = {"retransmits=packet.retransmission"},
                       count = "packets"}
    return {
      packet = function(p)
        if p.transport ~= "tcp" then return end
        for _, e in ipairs(p.ends) do g:add(e) end
      end,
      rows = function()
        local rows = g:rows()
        for _, r in ipairs(rows) do r.ratio = r.retransmits / r.packets end
        rows.columns = {"pid", "name", "retransmits", "packets", "ratio"}
        return ps.sort(rows, {"-retransmits", "-ratio", "pid", "name"})
      end,
    }
  end,
}, ...)
