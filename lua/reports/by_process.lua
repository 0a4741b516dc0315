-- SPDX-License-Identifier: GPL-2.0-or-later
-- procshark report "Processes": traffic by process, one row per process (pid, name).
--   tshark -2 -q -r CAP -X lua_script:lua/reports/by_process.lua [-X lua_script1:format=csv]
-- A packet counts for the process of each end procshark knows, once when one process owns both
-- ends (as the plugin's "Traffic by process" statistics count it); connections are its TCP
-- connections and UDP flows (tcp.stream, udp.stream). Sorted by bytes, descending.
local dir = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = dir .. "/../?.lua;" .. dir .. "/?.lua;" .. package.path
local ps = require "procshark"

ps.report({
  name = "by_process",
  title = "Processes",
  group = {
    over = "end",
    by = {"pid", "name"},
    count = "packets",
    sum = {"bytes=packet.len"},
    distinct = {"connections=packet.flow"},
    min = {"first_seen=packet.time"},
    max = {"last_seen=packet.time"},
  },
  columns = {"pid", "name", "packets", "bytes", "connections", "first_seen:time", "last_seen:time"},
  sort = {"-bytes", "-packets", "pid", "name"},
}, ...)
