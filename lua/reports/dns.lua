-- SPDX-License-Identifier: GPL-2.0-or-later
-- procshark report "DNS queries by process": one row per query name, type and asking process.
--   tshark -2 -q -r CAP -X lua_script:lua/reports/dns.lua [-X lua_script1:format=csv]
-- A query (dns.flags.response == 0) counts for the process of its source end; a response names
-- the answers for the process of its destination end, the socket that asked. answers are the
-- A, AAAA and CNAME records of the responses, or the error (NXDOMAIN, SERVFAIL, REFUSED, rcode N),
-- each once, in the order first seen. A process procshark does not know leaves pid and name empty.
-- A response without its query in the capture makes a row of count 0. DNS over TCP counts too.
-- Sorted by count (descending), then query, type, pid and name.
local dir = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = dir .. "/../?.lua;" .. dir .. "/?.lua;" .. package.path
local ps = require "procshark"

-- dns.qry.type: the names of the common types (RFC 1035, 3596, 9460), else the number.
local TYPES = {[1] = "A", [2] = "NS", [5] = "CNAME", [6] = "SOA", [12] = "PTR", [15] = "MX", [16] = "TXT",
               [28] = "AAAA", [33] = "SRV", [64] = "SVCB", [65] = "HTTPS", [255] = "ANY"}
local RCODES = {[1] = "FORMERR", [2] = "SERVFAIL", [3] = "NXDOMAIN", [4] = "NOTIMP", [5] = "REFUSED"}
local ANSWER_FIELDS = {"dns.a", "dns.aaaa", "dns.cname"}

local function values(p, name)
  local all = p.multi[name]
  if all then return all end
  local one = p.fields[name]
  return one ~= nil and {one} or {}
end

ps.report({
  name = "dns",
  title = "DNS queries by process",
  columns = {"query", "type", "answers", "pid", "name", "count"},
  needs = {},
  fields = {"dns.flags.response", "dns.flags.rcode", "dns.qry.name", "dns.qry.type", "dns.a", "dns.aaaa", "dns.cname"},
  start = function()
    local rows, by_key = {}, {}
    local function row_for(query, qtype, e)
      local key = table.concat({query, qtype, tostring(e.pid), tostring(e.name)}, "\0")
      local r = by_key[key]
      if not r then
        r = {query = query, type = qtype, pid = e.pid, name = e.name, count = 0, seen = {}, list = {}}
        by_key[key] = r
        rows[#rows + 1] = r
      end
      return r
    end
    local function add_answer(r, text)
      if r.seen[text] then return end
      r.seen[text] = true
      r.list[#r.list + 1] = text
    end
    return {
      packet = function(p)
        local f = p.fields
        local query, response = f["dns.qry.name"], f["dns.flags.response"]
        if query == nil or response == nil then return end
        local qtype = TYPES[f["dns.qry.type"]] or tostring(f["dns.qry.type"] or "")
        if response == false or response == 0 then
          local r = row_for(query, qtype, p.src)
          r.count = r.count + 1
          return
        end
        local r = row_for(query, qtype, p.dst)
        local rcode = f["dns.flags.rcode"]
        if rcode and rcode ~= 0 then add_answer(r, RCODES[rcode] or ("rcode " .. tostring(rcode))) end
        for _, name in ipairs(ANSWER_FIELDS) do
          for _, v in ipairs(values(p, name)) do add_answer(r, tostring(v)) end
        end
      end,
      rows = function()
        for _, r in ipairs(rows) do
          r.answers = #r.list > 0 and table.concat(r.list, ", ") or nil
          r.seen, r.list = nil, nil
        end
        rows.columns = {"query", "type", "answers", "pid", "name", "count"}
        return ps.sort(rows, {"-count", "query", "type", "pid", "name"})
      end,
    }
  end,
}, ...)
