-- SPDX-License-Identifier: GPL-2.0-or-later
-- procshark report: TCP connections and UDP flows (a udp.stream: one pair of sockets), one row
-- per connection and known end.
--   tshark -2 -q -r CAP -X lua_script:lua/reports/connections.lua [-X lua_script1:format=csv]
-- pid and name are the process of the end procshark knows, local its socket, remote the other
-- one; a connection whose both ends are known has one row per end (even when one process owns
-- both), and a socket seen with two processes (a disagreement) one row per process. A connection with no known end has one row without
-- pid and name, local being the source of its first packet. packets, bytes, start and end are the
-- whole connection's; transport is tcp or udp. Sorted by transport, stream, then local, pid, name.
local dir = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = dir .. "/../?.lua;" .. dir .. "/?.lua;" .. package.path
local ps = require "procshark"

ps.report({
  name = "connections",
  title = "Connections by process",
  columns = {"transport", "stream", "pid", "name", "local", "remote", "packets", "bytes", "start:time", "end:time"},
  needs = {},
  start = function()
    local conns = ps.group{by = {"flow", "transport", "stream"}, count = "packets", sum = {"bytes=len"}, min = {"start=time"},
                           max = {"end=time"}, first = {"local=src.endpoint", "remote=dst.endpoint"}}
    local owners = ps.group{over = "end", by = {"flow=packet.flow", "local=endpoint", "pid", "name"},
                            first = {"remote=peer.endpoint"}}
    return {
      packet = function(p)
        conns:add(p)
        if p.src.known then owners:add(p.src) end
        if p.dst.known then owners:add(p.dst) end
      end,
      rows = function()
        local totals, known, rows = {}, {}, {}
        for _, c in ipairs(conns:rows()) do totals[c.flow] = c end
        for _, o in ipairs(owners:rows()) do
          local c = totals[o.flow]
          known[o.flow] = true
          rows[#rows + 1] = {transport = c.transport, stream = c.stream, pid = o.pid, name = o.name,
                             ["local"] = o["local"], remote = o.remote, packets = c.packets, bytes = c.bytes,
                             start = c.start, ["end"] = c["end"]}
        end
        for flow, c in pairs(totals) do
          if not known[flow] then rows[#rows + 1] = c end
        end
        rows.columns = {"transport", "stream", "local", "pid", "name", "remote", "packets", "bytes", "start", "end"}
        return ps.sort(rows, {"transport", "stream", "local", "pid", "name"})
      end,
    }
  end,
}, ...)
