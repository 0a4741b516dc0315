-- SPDX-License-Identifier: GPL-2.0-or-later
-- Tests of lua/procshark.lua that need nothing from Wireshark: numbers, times, JSON, CSV, text
-- tables, aggregation, arguments, and the report machinery against a fake Wireshark (fields,
-- Listener, TextWindow, menus). Ends with "N passed, N failed".
--   lua5.4 tests/lua/run.lua
--   scripts/procshark-tshark -q -r captures/etw-events.pcapng -X lua_script:tests/lua/run.lua (Lua 5.2)
-- Plain Lua 5.2 to 5.4.

local here = (debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or ".")
local root = here .. "/../.."
local module_path = root .. "/lua/procshark.lua"
local reports_dir = root .. "/lua/reports"

-- A fresh module instance (its own state), optionally bound to a fake Wireshark.
local function fresh(fake)
  local chunk = assert(loadfile(module_path))
  local m = chunk("procshark", module_path)
  m.wireshark = fake
  return m
end

local ps = fresh()

local passed, failed = 0, 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    io.write("FAIL ", name, "\n  ", tostring(err), "\n")
  end
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

local function eq(got, want, what)
  if got ~= want then
    error((what and what .. ": " or "") .. "got " .. show(got) .. ", want " .. show(want), 2)
  end
end

local function raises(fn, pattern)
  local ok, err = pcall(fn)
  if ok then error("no error raised (wanted one matching " .. pattern .. ")", 2) end
  err = tostring(err)
  if not err:find(pattern, 1, true) then error("error " .. show(err) .. " lacks " .. show(pattern), 2) end
  return err
end

---------------------------------------------------------------------------------------------------
-- numbers and times

test("num prints integers without a fraction, on 5.2 and 5.4 alike", function()
  eq(ps.num(66), "66")
  eq(ps.num(66.0), "66")
  eq(ps.num(-3), "-3")
  eq(ps.num(0), "0")
  eq(ps.num(-0.0), "0")
  eq(ps.num(2 ^ 40), "1099511627776")
  eq(ps.num(1709294400), "1709294400")
  eq(ps.num(9007199254740991), "9007199254740991")
  eq(ps.num(10 / 2), "5")
end)

test("num prints other numbers with the fewest digits that read back", function()
  eq(ps.num(0.1), "0.1")
  eq(ps.num(1 / 3), "0.3333333333333333")
  eq(ps.num(2.5), "2.5")
  eq(ps.num(-0.125), "-0.125")
  eq(ps.num(1709294400.25), "1709294400.25")
  eq(ps.num(1e300), "1e+300")
  eq(tonumber(ps.num(0.1 + 0.2)), 0.1 + 0.2)
  eq(ps.num(0 / 0), "nan")
  eq(ps.num(math.huge), "inf")
  eq(ps.num(-math.huge), "-inf")
end)

test("int makes whole numbers print the same everywhere", function()
  eq(tostring(ps.int(42.0)), "42")
  eq(ps.int(nil), nil)
end)

test("iso_time: known dates", function()
  eq(ps.iso_time(0), "1970-01-01T00:00:00.000000Z")
  eq(ps.iso_time(1709294400), "2024-03-01T12:00:00.000000Z")
  eq(ps.iso_time(1709294400.123456), "2024-03-01T12:00:00.123456Z")
  eq(ps.iso_time(1709164800), "2024-02-29T00:00:00.000000Z")
  eq(ps.iso_time(951782400), "2000-02-29T00:00:00.000000Z")
  eq(ps.iso_time(4102444800), "2100-01-01T00:00:00.000000Z")
  eq(ps.iso_time(4107542400), "2100-03-01T00:00:00.000000Z")
  eq(ps.iso_time(-0.5), "1969-12-31T23:59:59.500000Z")
  eq(ps.iso_time(-86400 * 365), "1969-01-01T00:00:00.000000Z")
  eq(ps.iso_time(nil), nil)
end)

test("iso_time rounds to the microsecond, carrying into the next second", function()
  eq(ps.iso_time(1709294402.9999996), "2024-03-01T12:00:03.000000Z")
  eq(ps.iso_time(1709294402.0000004), "2024-03-01T12:00:02.000000Z")
  eq(ps.iso_time(1709294415.21248), "2024-03-01T12:00:15.212480Z")
  eq(ps.iso_time(1709294399.999999), "2024-03-01T11:59:59.999999Z")
  raises(function() ps.iso_time("noon") end, "is not a time")
end)

test("iso_time agrees with os.date over 40 years, day by day at odd hours", function()
  for day = 0, 40 * 366, 7 do
    local t = 946684800 + day * 86400 + (day % 86400) + 0.25
    local want = os.date("!%Y-%m-%dT%H:%M:%S", math.floor(t)) .. ".250000Z"
    eq(ps.iso_time(t), want, "t=" .. ps.num(t))
  end
end)

test("endpoint: IPv4, IPv6 in brackets, unknown", function()
  eq(ps.endpoint("10.1.0.10", 443), "10.1.0.10:443")
  eq(ps.endpoint("2001:db8::1", 22.0), "[2001:db8::1]:22")
  eq(ps.endpoint(nil, 80), nil)
  eq(ps.endpoint("10.0.0.1", nil), "10.0.0.1")
end)

---------------------------------------------------------------------------------------------------
-- JSON

test("json_string escapes quotes, backslashes and control characters", function()
  eq(ps.json_string('a"b\\c'), '"a\\"b\\\\c"')
  eq(ps.json_string("tab\there\nnew\r\b\f"), '"tab\\there\\nnew\\r\\b\\f"')
  eq(ps.json_string("\0\1\31"), '"\\u0000\\u0001\\u001f"')
  eq(ps.json_string("plain/text"), '"plain/text"')
  eq(ps.json_string("\127"), '"\127"')
end)

test("json_string keeps UTF-8 and replaces bytes that are not", function()
  eq(ps.json_string("caf\195\169 \226\130\172 \240\159\152\128"), '"caf\195\169 \226\130\172 \240\159\152\128"')
  eq(ps.json_string("bad\255x"), '"bad\\ufffdx"')
  eq(ps.json_string("\192\128"), '"\\ufffd\\ufffd"')           -- overlong NUL
  eq(ps.json_string("\237\160\128"), '"\\ufffd\\ufffd\\ufffd"') -- a UTF-16 surrogate
  eq(ps.json_string("\244\144\128\128"), '"\\ufffd\\ufffd\\ufffd\\ufffd"') -- above U+10FFFF
  eq(ps.json_string("cut\226\130"), '"cut\\ufffd\\ufffd"')
end)

test("json encodes values, arrays and objects with sorted keys", function()
  eq(ps.json(nil), "null")
  eq(ps.json(true), "true")
  eq(ps.json(12.0), "12")
  eq(ps.json(0.5), "0.5")
  eq(ps.json(0 / 0), "null")
  eq(ps.json(math.huge), "null")
  eq(ps.json({}), "[]")
  eq(ps.json({1, "two", {3}}), '[1,"two",[3]]')
  eq(ps.json({b = 1, a = {x = false}, [3] = "n"}), '{"3":"n","a":{"x":false},"b":1}')
  local t = {}
  t.self = t
  raises(function() ps.json(t) end, "contains itself")
end)

test("is_json_number follows RFC 8259's grammar", function()
  for _, s in ipairs({"0", "-0", "12", "0.1000", "1e+300", "-2.5E-3"}) do eq(ps.is_json_number(s), true, s) end
  for _, s in ipairs({"", "01", "1.", ".5", "+1", "0x10", "1e", "nan", "inf"}) do eq(ps.is_json_number(s), false, s) end
end)

---------------------------------------------------------------------------------------------------
-- output

local sample = {
  {pid = 5124, name = "curl.exe", bytes = 6471, seen = 1709294402.0, ratio = 1 / 3},
  {pid = 812, name = 'say "hi", bye', bytes = 0, seen = nil, ratio = 0},
  {pid = nil, name = "caf\195\169", bytes = 12, seen = 1709294400.5, ratio = 0.5},
}
local sample_columns = {"pid", "name", "bytes", "seen:time", "ratio:%.4f"}

test("csv: header, quoting, empty unknowns, times, formats", function()
  eq(ps.csv(sample, sample_columns),
     "pid,name,bytes,seen,ratio\n" ..
     "5124,curl.exe,6471,2024-03-01T12:00:02.000000Z,0.3333\n" ..
     '812,"say ""hi"", bye",0,,0.0000\n' ..
     ",caf\195\169,12,2024-03-01T12:00:00.500000Z,0.5000\n")
  eq(ps.csv({}, {"a"}), "a\n")
  eq(ps.csv_field(" lead"), '" lead"')
  eq(ps.csv_field("two\nlines"), '"two\nlines"')
  eq(ps.csv_field(nil), "")
end)

test("json_rows: objects in column order, null for unknown, numbers bare", function()
  eq(ps.json_rows(sample, sample_columns),
     "[\n" ..
     '{"pid":5124,"name":"curl.exe","bytes":6471,"seen":"2024-03-01T12:00:02.000000Z","ratio":0.3333},\n' ..
     '{"pid":812,"name":"say \\"hi\\", bye","bytes":0,"seen":null,"ratio":0.0000},\n' ..
     '{"pid":null,"name":"caf\195\169","bytes":12,"seen":"2024-03-01T12:00:00.500000Z","ratio":0.5000}\n' ..
     "]\n")
  eq(ps.json_rows({}, {"a"}), "[]\n")
  eq(ps.json_rows({{a = true, b = "x"}}, {"a", "b:%05d"}), '[\n{"a":true,"b":"x"}\n]\n')
end)

test("text_table: aligned, numbers right, unknown as -, UTF-8 counted as characters", function()
  eq(ps.text_table(sample, {"pid", "name", "bytes"}),
     " pid  name           bytes\n" ..
     "----  -------------  -----\n" ..
     "5124  curl.exe        6471\n" ..
     ' 812  say "hi", bye      0\n' ..
     "   -  caf\195\169              12\n")
end)

test("text_table shows control characters of record text escaped, as format_text does", function()
  eq(ps.terminal_text("a\nb\27[31mred\194\155x\tz\\w\127"), "a\\nb\\x1b[31mred\\u009bx\\tz\\w\\x7f")
  eq(ps.terminal_text("caf\195\169 \194\160"), "caf\195\169 \194\160") -- text, not controls
  local rows = {{pid = 7, name = "evil\27]0;owned\7\nname"}}
  eq(ps.text_table(rows, {"pid", "name"}),
     "pid  name\n" ..
     "---  ------------------------\n" ..
     "  7  evil\\x1b]0;owned\\a\\nname\n")
  eq(ps.csv(rows, {"name"}), 'name\n"evil\27]0;owned\7\nname"\n') -- CSV quotes; a program reads it
end)

test("render: the three formats, and an unknown one", function()
  eq(ps.render(sample, {"pid"}, "csv"), "pid\n5124\n812\n\n")
  eq(ps.render(sample, {"pid"}, "json"), '[\n{"pid":5124},\n{"pid":812},\n{"pid":null}\n]\n')
  eq(ps.render(sample, {"pid"}), " pid\n----\n5124\n 812\n   -\n")
  raises(function() ps.render(sample, {"pid"}, "xml") end, 'unknown format "xml"')
end)

test("columns: bad types and unknown columns of known rows are refused", function()
  raises(function() ps.csv(sample, {"seen:date"}) end, 'type "date"')
  raises(function() ps.csv(sample, {}) end, "columns must be a list")
  local rows = {{a = 1}, columns = {"a"}}
  raises(function() ps.csv(rows, {"b"}) end, 'unknown column "b"')
  raises(function() ps.csv({1}, {"a"}) end, "row 1 is a number")
end)

---------------------------------------------------------------------------------------------------
-- aggregation

local function mk_packet(frame, time, stream, len, src, dst, retrans)
  local p = {frame = frame, time = time, stream = stream, len = len, retransmission = retrans or false,
             src = {side = "src", known = src.pid ~= nil, addr = src.addr, port = src.port, pid = src.pid,
                    name = src.name},
             dst = {side = "dst", known = dst.pid ~= nil, addr = dst.addr, port = dst.port, pid = dst.pid,
                    name = dst.name}}
  for _, e in ipairs({p.src, p.dst}) do
    e.endpoint = ps.endpoint(e.addr, e.port)
    e.packet = p
  end
  p.src.peer, p.dst.peer = p.dst, p.src
  p.ends = {}
  if p.src.known then p.ends[#p.ends + 1] = p.src end
  if p.dst.known and not (p.src.known and p.src.pid == p.dst.pid and p.src.name == p.dst.name) then
    p.ends[#p.ends + 1] = p.dst
  end
  return p
end

local curl = {addr = "10.0.0.1", port = 5000, pid = 10, name = "curl"}
local web = {addr = "10.0.0.2", port = 443}
local loop_a = {addr = "127.0.0.1", port = 6000, pid = 20, name = "psql"}
local loop_b = {addr = "127.0.0.1", port = 5432, pid = 30, name = "postgres"}
local self_a = {addr = "127.0.0.1", port = 7000, pid = 40, name = "self"}
local self_b = {addr = "127.0.0.1", port = 7001, pid = 40, name = "self"}
local packets = {
  mk_packet(1, 100.5, 0, 60, curl, web),
  mk_packet(2, 100.25, 0, 1500, web, curl, true),
  mk_packet(3, 101, 1, 70, loop_a, loop_b),
  mk_packet(4, 99, 2, 80, self_a, self_b),
  mk_packet(5, 102, 3, 90, web, {addr = "10.0.0.3", port = 80}),
}

test("group over ends: count, sum, distinct, min, max, first, last, count_if", function()
  local g = ps.group{over = "end", by = {"pid", "name"}, count = "packets", sum = {"bytes=packet.len"},
                     distinct = {"conns=packet.stream"}, min = {"first=packet.time"}, max = {"last=packet.time"},
                     first = {"peer=peer.endpoint"}, last = {"final=packet.frame"},
                     count_if = {"retrans=packet.retransmission"}}
  for _, p in ipairs(packets) do
    for _, e in ipairs(p.ends) do g:add(e) end
  end
  local rows = g:rows{sort = {"pid"}}
  eq(#rows, 4)
  eq(table.concat(rows.columns, ","), "pid,name,packets,retrans,bytes,conns,first,last,peer,final")
  local r = rows[1]
  eq(r.pid, 10); eq(r.name, "curl"); eq(r.packets, 2); eq(r.bytes, 1560); eq(r.conns, 1)
  eq(r.first, 100.25); eq(r.last, 100.5); eq(r.peer, "10.0.0.2:443"); eq(r.final, 2); eq(r.retrans, 1)
  eq(rows[2].pid, 20); eq(rows[3].pid, 30); eq(rows[3].peer, "127.0.0.1:6000")
  eq(rows[4].pid, 40); eq(rows[4].packets, 1, "one process on both ends counts once")
  g:clear()
  eq(#g:rows(), 0)
end)

test("group over packets with an unknown key value, and without keys", function()
  local g = ps.group{by = {"src.pid"}, count = "n"}
  for _, p in ipairs(packets) do g:add(p) end
  local rows = g:rows{sort = {"-n", "src.pid"}}
  eq(#rows, 4)
  eq(rows[1]["src.pid"], nil); eq(rows[1].n, 2)
  local total = ps.group{count = "n", sum = {"bytes=len"}}
  for _, p in ipairs(packets) do total:add(p) end
  eq(total:rows()[1].n, 5)
  eq(total:rows()[1].bytes, 1800)
end)

test("group refuses unknown fields, options and duplicate columns", function()
  raises(function() ps.group{over = "end", by = {"pidd"}} end, 'unknown field "pidd" for end items')
  raises(function() ps.group{by = {"src.pidd"}} end, 'unknown field "src.pidd" for packet items')
  raises(function() ps.group{cout = "n"} end, 'unknown option "cout"')
  raises(function() ps.group{over = "flows", count = "n"} end, 'over = "flows"')
  raises(function() ps.group{count = "n", sum = {"n=len"}} end, 'column "n" appears twice')
  raises(function() ps.group{} end, "nothing to compute")
  raises(function() ps.group{over = {"a", "b"}, by = {"c"}} end, 'unknown field "c" for these items')
  raises(function() ps.group{over = "record", by = {"kind", "fields"}} end, 'unknown field "fields"')
  ps.group{over = "record", by = {"kind", "fields.etwnet.pid"}}
  ps.group{over = {"a", "b"}, by = {"a"}, sum = {"b"}}
  raises(function() ps.group{count = "n"}:rows{top = 1, limit = 2} end, 'unknown option "limit"')
end)

test("sort: descending, unknown values last, mixed types, stable ties", function()
  local rows = {{k = 2, v = "b"}, {k = nil, v = "a"}, {k = 1, v = "c"}, {k = 2, v = "a"}, {k = "x", v = "z"},
                columns = {"k", "v"}}
  ps.sort(rows, {"-k"})
  local got = {}
  for i, r in ipairs(rows) do got[i] = tostring(r.k) .. r.v end
  eq(table.concat(got, " "), "xz 2a 2b 1c nila")
  ps.sort(rows, {"k"})
  got = {}
  for i, r in ipairs(rows) do got[i] = tostring(r.k) .. r.v end
  eq(table.concat(got, " "), "1c 2a 2b xz nila")
  raises(function() ps.sort(rows, {"-kk"}) end, 'unknown column "kk"')
  -- rows without a column list keep their order on ties
  local plain = {}
  for i = 1, 50 do plain[i] = {k = i % 3, id = i} end
  ps.sort(plain, {"k"})
  for i = 2, 50 do
    local a, b = plain[i - 1], plain[i]
    if a.k == b.k and a.id > b.id then error("unstable at " .. i) end
  end
end)

test("top: the first n after sorting", function()
  local rows = {{a = 3}, {a = 1}, {a = 2}, columns = {"a"}}
  local t = ps.top(rows, 2, {"-a"})
  eq(#t, 2); eq(t[1].a, 3); eq(t[2].a, 2); eq(t.columns[1], "a")
  eq(#ps.top(rows, 10), 3)
  eq(#ps.top(rows, 0), 0)
  raises(function() ps.top(rows, -1) end, "whole number")
end)

test("get and count", function()
  eq(ps.get(packets[1], "src.name"), "curl")
  eq(ps.get(packets[1], "dst.pid"), nil)
  eq(ps.count(packets), 5)
  eq(ps.count(packets, "retransmission"), 1)
end)

---------------------------------------------------------------------------------------------------
-- arguments

test("parse_args: format and top", function()
  local o = ps.parse_args()
  eq(o.format, "text"); eq(o.top, nil)
  o = ps.parse_args("format=csv", "top=5")
  eq(o.format, "csv"); eq(o.top, 5); eq(tostring(o.top), "5")
  eq(ps.parse_args(" format = json ").format, "json")
end)

test("parse_args: clear messages for bad arguments", function()
  raises(function() ps.parse_args("format=xml") end, 'unknown format "xml": use format=text, format=csv or format=json')
  raises(function() ps.parse_args("colour=red") end, 'unknown argument "colour"')
  raises(function() ps.parse_args("csv") end, 'argument "csv" is not name=value')
  raises(function() ps.parse_args("top=-1") end, "top=-1: expected a whole number")
  raises(function() ps.parse_args("top=2.5") end, "top=2.5")
end)

---------------------------------------------------------------------------------------------------
-- reports, against a fake Wireshark

-- A fake of the Wireshark Lua API the module uses. frames: {pinfo = {...}, fields = {name = {values}}}.
local function fake_wireshark(opts)
  opts = opts or {}
  local w = {ftypes = {ABSOLUTE_TIME = 24, RELATIVE_TIME = 25, UINT64 = 11, INT64 = 16, IPv4 = 32, IPv6 = 33,
                       BYTES = 30, PROTOCOL = 2},
             MENU_TOOLS_UNSORTED = 14, listeners = {}, menus = {}, windows = {}, failures = {}, current = nil}
  local types = {["etwnet.saddr"] = 32, ["tracee_net.ip.src"] = 32, ["etwnet.connid"] = 11, ["proc.record.ip"] = 32,
                 ["proc.record.ipv6"] = 33, ["dns.a"] = 32, ["dns.aaaa"] = 33}
  local known = {}
  for _, n in ipairs({"proc", "proc.src.pid", "proc.src.name", "proc.src.container", "proc.dst.pid",
                      "proc.dst.name", "proc.dst.container", "proc.source", "proc.match", "proc.event_frame",
                      "proc.needs_two_passes", "proc.packet_frame", "proc.tcp_stream", "proc.unmatched_record",
                      "proc.record.source", "proc.record.pid", "proc.record.name", "proc.record.ip",
                      "proc.record.ipv6", "proc.record.port",
                      "tcp", "udp", "dns.flags.response", "dns.flags.rcode", "dns.qry.name", "dns.qry.type",
                      "dns.a", "dns.aaaa", "dns.cname", "tcp.stream", "tcp.flags", "tcp.len", "tcp.analysis.retransmission", "etwnet", "etwproc", "etwimage",
                      "tracee_net", "nettcpconn", "procrec", "etwnet.pid", "etwnet.saddr", "etwnet.sport", "etwnet.connid",
                      "etwnet.event", "etwnet.transport", "tracee_net.host_pid", "tracee_net.ip.src",
                      "tracee_net.tcp.srcport", "tracee_net.arg"}) do
    known[n] = true
  end
  if opts.without_plugin then
    for n in pairs(known) do if n:match("^proc") then known[n] = nil end end
  end
  w.declared = 0
  local fi_meta = {__tostring = function(fi) return fi.text or tostring(fi.value) end}
  local function field_new(name)
    if w.primed then error("Field.new: too late") end
    if not known[name] then error("Field.new: a field with this name must exist") end
    w.declared = w.declared + 1
    return setmetatable({type = types[name] or 8}, {__call = function()
      local vals = w.current and w.current.fields[name]
      if not vals then return end
      local out = {}
      for i, v in ipairs(vals) do
        local fi = type(v) == "table" and v or {value = v}
        out[i] = setmetatable(fi, fi_meta)
      end
      return table.unpack(out)
    end})
  end
  w.Field = {new = field_new, list = function()
    local l = {}
    for n in pairs(known) do l[#l + 1] = n end
    table.sort(l)
    return l
  end}
  -- The display filters the fake knows, as predicates on a frame; any other is refused.
  local function owner_pid(f, pid)
    for _, side in ipairs({"src", "dst"}) do
      local v = f.fields["proc." .. side .. ".pid"]
      if v and v[1] == pid then return true end
    end
    return false
  end
  w.filters = {["proc.pid == 42"] = function(f) return owner_pid(f, 42) end,
               ["proc.pid == 5124"] = function(f) return owner_pid(f, 5124) end,
               ["frame.number == 0"] = function() return false end}
  w.Listener = {new = function(tap, filter)
    -- the filter less the module's own part for records ("(proc.record.source) && (...)")
    local user = filter and filter:gsub("^%(proc%.record%.source%)", ""):gsub("^ && ", "")
      :gsub("^%(proc%.unmatched_record%)", "proc.unmatched_record"):gsub("^proc%.unmatched_record && ", "")
    user = user and (user:match("^%((.*)%)$") or user)
    if user == "" then user = nil end
    if user and not user:find("proc.unmatched_record", 1, true) and not w.filters[user] then
      error("bad filter: " .. user, 0)
    end
    local l = {tap = tap, filter = filter, user_filter = user}
    function l.remove() l.removed = true end
    w.listeners[#w.listeners + 1] = l
    return l
  end}
  w.gui_enabled = function() return opts.gui or false end
  w.Dir = {personal_plugins_path = function() return "/home/u/.local/lib/wireshark/plugins" end,
           global_plugins_path = function() return "/usr/lib/wireshark/plugins" end,
           personal_config_path = function(f) return "/home/u/.config/wireshark/" .. (f or "") end}
  w.register_menu = function(name, fn, group) w.menus[#w.menus + 1] = {name = name, fn = fn, group = group} end
  w.report_failure = function(text) w.failures[#w.failures + 1] = text end
  w.set_plugin_info = function(info) w.plugin_info = info end
  w.TextWindow = {new = function(title)
    local win = {title = title, text = "", buttons = {}}
    function win:set(t) self.text = t end
    function win:set_atclose(fn) self.atclose = fn end
    function win:add_button(label, fn) self.buttons[label] = fn end
    w.windows[#w.windows + 1] = win
    return win
  end}
  w.copy_to_clipboard = function(t) w.clipboard = t end
  w.init_routines = {}
  -- File -> Reload: Wireshark's cleanup and init of dissection, then its first pass over the file.
  function w.reload(first)
    for _, fn in pairs(w.init_routines) do fn() end
    for _, fn in pairs(w.init_routines) do fn() end
    w.run(first)
  end
  w.main_filter = ""
  w.get_filter = function() return w.main_filter end
  w.new_dialog = function(title, fn, field) w.dialog = {title = title, fn = fn, field = field} end
  -- Runs the file as Wireshark does: every live listener reset, then frame by frame the listeners
  -- whose tap the frame has (the "tcp" tap with its data; "frame" with a records filter), then every
  -- listener drawn.
  function w.run(frames)
    w.primed = true
    local live = {}
    for _, l in ipairs(w.listeners) do
      if not l.removed then live[#live + 1] = l end
    end
    for _, l in ipairs(live) do if l.reset then l.reset() end end
    for _, f in ipairs(frames) do
      w.current = f
      local is_record = f.fields.etwnet or f.fields.etwproc or f.fields.tracee_net or f.fields.nettcpconn or
                        f.fields.procrec
      for _, l in ipairs(live) do
        local matches = w.filters[l.user_filter or ""]
        if matches and not matches(f) then
          -- a frame the listener's filter leaves out
        elseif (l.tap == "tcp" or l.tap == "udp") and f[l.tap] then
          for _, hdr in ipairs(f[l.tap]) do l.packet(f.pinfo, nil, hdr) end
        elseif l.tap == "frame" and is_record and (l.filter or ""):find("proc.record.source", 1, true) and
               (f.fields["proc.unmatched_record"] or not l.filter:find("proc.unmatched_record", 1, true)) then
          l.packet(f.pinfo, nil, nil)
        end
      end
    end
    w.current = nil
    for _, l in ipairs(live) do if l.draw then l.draw() end end
  end
  w.retap_packets = function() w.run(w.frames or {}) end
  return w
end

local addr_meta = {__tostring = function(a) return a.text end}
local function addr(text) return setmetatable({text = text}, addr_meta) end

-- A TCP frame: ends = {src = {pid, name, source, match, event}, dst = {...}} (nil: unknown).
local function tcp_frame(n, t, len, stream, s, d, ends, extra)
  local f = {pinfo = {number = n, abs_ts = t, len = len, net_src = addr(s[1]), net_dst = addr(d[1]), src_port = s[2],
                      dst_port = d[2]},
             tcp = {{th_stream = stream, th_flags = 0x018, th_have_seglen = true, th_seglen = len - 40,
                     th_sport = s[2], th_dport = d[2]}},
             fields = {}}
  local sources, matches, events = {}, {}, {}
  for _, side in ipairs({"src", "dst"}) do
    local e = ends[side]
    if e then
      f.fields["proc." .. side .. ".pid"] = {e[1]}
      if e[2] then f.fields["proc." .. side .. ".name"] = {e[2]} end
      sources[#sources + 1] = e[3] or "etw"
      matches[#matches + 1] = e[4] or "event"
      events[#events + 1] = e[5] or 1
    end
  end
  if #sources > 0 then
    f.fields["proc.source"], f.fields["proc.match"], f.fields["proc.event_frame"] = sources, matches, events
  end
  for k, v in pairs(extra or {}) do f.fields[k] = v end
  return f
end

-- A UDP frame: as tcp_frame.
local function udp_frame(n, t, len, stream, s, d, ends, extra)
  local f = tcp_frame(n, t, len, stream, s, d, ends, extra)
  f.fields.tcp, f.tcp = nil, nil
  f.fields.udp = {true}
  f.udp = {{uh_stream = stream, uh_ulen = len - 20, uh_sport = s[2], uh_dport = d[2]}}
  return f
end

local A, B, C = {"10.1.0.10", 50112}, {"93.184.216.34", 443}, {"2001:db8::1", 22}
local CURL_DNS, RESOLVER = {"10.1.0.10", 53000}, {"10.1.0.1", 53}
local frames = {
  {pinfo = {number = 1, abs_ts = 1709294400.02, len = 200, src_port = 0, dst_port = 0},
   fields = {etwnet = {true}, proc = {true}, ["etwnet.pid"] = {5124}, ["etwnet.saddr"] = {{text = "10.1.0.10"}},
             ["etwnet.sport"] = {50112}, ["etwnet.event"] = {"SendIPV4"}, ["etwnet.transport"] = {"TCP"},
             ["etwnet.connid"] = {{value = "18446744073709551615"}}, ["proc.packet_frame"] = {2},
             ["proc.tcp_stream"] = {0}, ["proc.record.source"] = {"etw"}, ["proc.record.pid"] = {5124},
             ["proc.record.ip"] = {{text = "10.1.0.10"}}, ["proc.record.port"] = {50112}}},
  tcp_frame(2, 1709294400.5, 100, 0, A, B, {src = {5124, "curl.exe", "etw", "event", 1}}),
  tcp_frame(3, 1709294400.75, 1500, 0, B, A, {dst = {5124, "curl.exe", "etw", "connection", 1}},
            {["tcp.analysis.retransmission"] = {true}}),
  {pinfo = {number = 4, abs_ts = 1709294401, len = 300, src_port = 0, dst_port = 0},
   fields = {tracee_net = {true}, proc = {true}, ["tracee_net.host_pid"] = {777},
             ["tracee_net.ip.src"] = {{text = "10.2.0.20"}}, ["tracee_net.tcp.srcport"] = {4000},
             ["tracee_net.arg"] = {"a=1", "b=2"}, ["proc.unmatched_record"] = {true},
             ["proc.record.source"] = {"tracee"}, ["proc.record.pid"] = {777},
             ["proc.record.ip"] = {{text = "10.2.0.20"}}, ["proc.record.port"] = {4000}}},
  tcp_frame(5, 1709294402.000001, 80, 1, C, {"2001:db8::2", 5555}, {},
            {["proc.needs_two_passes"] = {true}}),
  tcp_frame(6, 1709294403, 90, 2, {"127.0.0.1", 1}, {"127.0.0.1", 2},
            {src = {42, "self", "tracee", "packet", 9}, dst = {42, "self", "tracee", "packet", 9}}),
  -- udp.stream 0 is another connection than tcp.stream 0
  udp_frame(7, 1709294404, 80, 0, CURL_DNS, RESOLVER, {src = {5124, "curl.exe", "etw", "event", 1}},
            {["dns.flags.response"] = {false}, ["dns.qry.name"] = {"example.com"}, ["dns.qry.type"] = {1}}),
  udp_frame(8, 1709294404.01, 96, 0, RESOLVER, CURL_DNS, {dst = {5124, "curl.exe", "etw", "connection", 1}},
            {["dns.flags.response"] = {true}, ["dns.flags.rcode"] = {0}, ["dns.qry.name"] = {"example.com"},
             ["dns.qry.type"] = {1}, ["dns.a"] = {{text = "93.184.216.34"}, {text = "93.184.216.35"}}}),
}

-- Loads a report file as Wireshark would: args are the -X lua_scriptN values; path as given.
local function load_report(fake, path, ...)
  local m = fresh(fake)
  package.loaded.procshark = m
  local chunk = assert(loadfile(path))
  chunk(...)
  return m
end

-- Captures io.write and io.stderr during fn.
local function capture(fn)
  local out, err = {}, {}
  local real_write, real_stderr = io.write, io.stderr
  io.write = function(...) for i = 1, select("#", ...) do out[#out + 1] = tostring(select(i, ...)) end end
  io.stderr = {write = function(_, ...) for i = 1, select("#", ...) do err[#err + 1] = tostring(select(i, ...)) end end}
  local ok, e = pcall(fn)
  io.write, io.stderr = real_write, real_stderr
  if not ok then error(e, 0) end
  return table.concat(out), table.concat(err)
end

local function run_report(name, fake, ...)
  local args = {...}
  local n = select("#", ...)
  return capture(function()
    load_report(fake, reports_dir .. "/" .. name .. ".lua", (table.unpack or unpack)(args, 1, n))
    fake.run(frames)
  end)
end

test("by_process in tshark: ends, bytes, a process on both ends once, CSV", function()
  local fake = fake_wireshark()
  local out, err = run_report("by_process", fake, "format=csv")
  eq(err, "")
  eq(out, "pid,name,packets,bytes,connections,first_seen,last_seen\n" ..
          "5124,curl.exe,4,1776,2,2024-03-01T12:00:00.500000Z,2024-03-01T12:00:04.010000Z\n" ..
          "42,self,1,90,1,2024-03-01T12:00:03.000000Z,2024-03-01T12:00:03.000000Z\n")
  eq(#fake.listeners, 2)
  eq(fake.listeners[1].tap, "tcp")
  eq(fake.listeners[2].tap, "udp")
  eq(fake.declared, 6, "proc, tcp and the owners' four fields, no optional one")
end)

test("connections, unmatched and retransmits in tshark", function()
  local out = run_report("connections", fake_wireshark(), "format=csv")
  eq(out, "transport,stream,pid,name,local,remote,packets,bytes,start,end\n" ..
          "tcp,0,5124,curl.exe,10.1.0.10:50112,93.184.216.34:443,2,1600,2024-03-01T12:00:00.500000Z,2024-03-01T12:00:00.750000Z\n" ..
          "tcp,1,,,[2001:db8::1]:22,[2001:db8::2]:5555,1,80,2024-03-01T12:00:02.000001Z,2024-03-01T12:00:02.000001Z\n" ..
          "tcp,2,42,self,127.0.0.1:1,127.0.0.1:2,1,90,2024-03-01T12:00:03.000000Z,2024-03-01T12:00:03.000000Z\n" ..
          "tcp,2,42,self,127.0.0.1:2,127.0.0.1:1,1,90,2024-03-01T12:00:03.000000Z,2024-03-01T12:00:03.000000Z\n" ..
          "udp,0,5124,curl.exe,10.1.0.10:53000,10.1.0.1:53,2,176,2024-03-01T12:00:04.000000Z,2024-03-01T12:00:04.010000Z\n")
  local fake = fake_wireshark()
  out = run_report("unmatched", fake, "format=csv")
  eq(out, "frame,kind,source,pid,endpoint,reason\n" ..
          "4,record,tracee,777,10.2.0.20:4000,no packet matched\n" ..
          "5,packet,,,[2001:db8::1]:22 -> [2001:db8::2]:5555,no process known yet (one pass: run tshark -2)\n")
  eq(fake.listeners[1].tap, "tcp")
  eq(fake.listeners[3].tap, "frame")
  eq(fake.listeners[3].filter, "(proc.record.source) && (proc.unmatched_record)")
  -- UDP packets are no TCP packets that could be retransmitted
  out = run_report("retransmits", fake_wireshark(), "format=json")
  eq(out, '[\n{"pid":5124,"name":"curl.exe","retransmits":1,"packets":2,"ratio":0.5000},\n' ..
          '{"pid":42,"name":"self","retransmits":0,"packets":1,"ratio":0.0000}\n]\n')
end)

test("text output has a title; top=N keeps N rows", function()
  local out = run_report("by_process", fake_wireshark(), "top=1")
  eq(out, "Processes\n\n" ..
          " pid  name      packets  bytes  connections  first_seen                   last_seen\n" ..
          "----  --------  -------  -----  -----------  ---------------------------  ---------------------------\n" ..
          "5124  curl.exe        4   1776            2  2024-03-01T12:00:00.500000Z  2024-03-01T12:00:04.010000Z\n")
end)

test("records: fields, repeated fields, 64-bit values, matched packet", function()
  local fake = fake_wireshark()
  local got = {}
  capture(function()
    local m = fresh(fake)
    m.report({name = "r", columns = {"frame"}, start = function()
      return {record = function(r) got[#got + 1] = r end, rows = function() return {} end}
    end})
    fake.run(frames)
  end)
  eq(#got, 2)
  local r = got[1]
  eq(r.kind, "etwnet"); eq(r.source, "etw"); eq(r.pid, 5124); eq(r.endpoint, "10.1.0.10:50112")
  eq(r.matched, true); eq(r.packet_frame, 2); eq(r.stream, 0); eq(r.unmatched, false); eq(r.network, true)
  eq(r.fields["etwnet.connid"], "18446744073709551615")
  eq(r.fields["etwnet.saddr"], "10.1.0.10")
  r = got[2]
  eq(r.kind, "tracee_net"); eq(r.matched, false); eq(r.unmatched, true)
  eq(r.fields["tracee_net.arg"], "a=1"); eq(r.multi["tracee_net.arg"][2], "b=2")
end)

test("packets: ends, flags, retransmission, two-pass mark", function()
  local fake = fake_wireshark()
  local got = {}
  capture(function()
    local m = fresh(fake)
    m.report({name = "p", columns = {"frame"}, start = function()
      return {packet = function(p) got[#got + 1] = p end, rows = function() return {} end}
    end})
    fake.run(frames)
  end)
  eq(#got, 6)
  local p = got[2]
  eq(p.frame, 3); eq(p.len, 1500); eq(p.transport, "tcp"); eq(p.stream, 0); eq(p.flow, "tcp:0"); eq(p.tcp_len, 1460) eq(p.retransmission, true); eq(p.psh, true); eq(p.ack, true)
  eq(p.syn, false); eq(p.src.known, false); eq(p.dst.pid, 5124); eq(p.dst.source, "etw")
  eq(p.dst.match, "connection"); eq(p.src.endpoint, "93.184.216.34:443"); eq(#p.ends, 1); eq(p.ends[1], p.dst)
  eq(p.dst.peer, p.src); eq(p.dst.packet, p)
  eq(got[3].needs_two_passes, true); eq(#got[3].ends, 0)
  eq(got[4].src.match, "packet"); eq(got[4].dst.event_frame, 9); eq(#got[4].ends, 1)
  p = got[6]
  eq(p.frame, 8); eq(p.transport, "udp"); eq(p.stream, 0); eq(p.flow, "udp:0"); eq(p.udp_len, 68)
  eq(p.tcp_len, nil); eq(p.flags, nil); eq(p.syn, false); eq(p.src.endpoint, "10.1.0.1:53"); eq(p.dst.pid, 5124)
  eq(p.fields, nil, "no report asked for Wireshark fields")
end)

test("dns: queries by process, the answers of the responses to the asking socket", function()
  local out = run_report("dns", fake_wireshark(), "format=csv")
  eq(out, "query,type,answers,pid,name,count\n" ..
          "example.com,A,\"93.184.216.34, 93.184.216.35\",5124,curl.exe,1\n")
  -- fields: read on packets for the report that lists them, the repeated ones in multi
  local fake = fake_wireshark()
  local got = {}
  capture(function()
    fresh(fake).report({name = "f", columns = {"n"}, fields = {"dns.qry.name", "dns.a"}, start = function()
      return {packet = function(p) got[#got + 1] = p end, rows = function() return {} end}
    end})
    fake.run(frames)
  end)
  eq(got[5].fields["dns.qry.name"], "example.com"); eq(got[5].multi["dns.a"], nil)
  eq(got[6].fields["dns.a"], "93.184.216.35"); eq(got[6].multi["dns.a"][1], "93.184.216.34")
  eq(got[1].fields["dns.qry.name"], nil)
  local _, err = capture(function() fresh(fake_wireshark()).report({name = "f", fields = "dns.a", group = {count = "n"}}) end)
  if not err:find("report f: fields must be a list of Wireshark field names", 1, true) then error(err) end
end)

test("bad arguments: a message, and no listener", function()
  for _, case in ipairs({{"format=xml", 'unknown format "xml"'}, {"colour=red", 'unknown argument "colour"'},
                         {"top=x", "top=x: expected a whole number"}}) do
    local fake = fake_wireshark()
    local out, err = run_report("by_process", fake, case[1])
    eq(out, "")
    if not err:find("procshark report by_process: " .. case[2], 1, true) then error("message: " .. err) end
    eq(#fake.listeners, 0)
    eq(fake.declared, 0)
  end
end)

test("a helper given an unknown field: a message, and no listener", function()
  local fake = fake_wireshark()
  local out, err = capture(function()
    local m = fresh(fake)
    m.report({name = "bad", columns = {"pid"}, start = function()
      local g = m.group{over = "end", by = {"pidd"}}
      return {packet = function(e) g:add(e) end, rows = function() return g:rows() end}
    end})
  end)
  eq(out, "")
  if not err:find('procshark report bad: procshark.group: unknown field "pidd" for end items', 1, true) then
    error("message: " .. err)
  end
  eq(#fake.listeners, 0)
end)

test("bad report specs: messages", function()
  local cases = {
    {{name = "x", group = {count = "n"}, colums = {"n"}}, 'unknown option "colums"'},
    {{name = "x", group = {count = "n"}, columns = {"m"}}, 'column "m" is not a column of its group'},
    {{name = "x", group = {count = "n"}, sort = {"-m"}}, 'cannot sort by "m"'},
    {{name = "x", columns = {"n"}}, "give either start"},
    {{name = "x", group = {cont = "n"}}, 'unknown option "cont"'},
    {{name = "x", columns = {"n"}, start = function() return {} end}, "start() must return"},
  }
  for _, case in ipairs(cases) do
    local fake = fake_wireshark()
    local _, err = capture(function() fresh(fake).report(case[1]) end)
    if not err:find(case[2], 1, true) then error("wanted " .. case[2] .. ", got " .. err) end
    eq(#fake.listeners, 0)
  end
end)

test("an error inside a report stops it once, with the frame", function()
  local fake = fake_wireshark()
  local out, err = capture(function()
    fresh(fake).report({name = "boom", columns = {"n"}, start = function()
      return {packet = function(p) if p.frame == 3 then error("kaput", 0) end end, rows = function() return {} end}
    end})
    fake.run(frames)
  end)
  eq(out, "")
  eq(err, "procshark report boom: frame 3: kaput\n")
end)

test("without procshark's plugin: a clear message", function()
  local fake = fake_wireshark({without_plugin = true})
  local _, err = run_report("by_process", fake)
  if not err:find("is procshark's plugin loaded?", 1, true) then error(err) end
  eq(#fake.listeners, 0)
end)

test("loaded from a plugin folder at start-up: nothing in tshark; named again by -X: runs", function()
  local fake = fake_wireshark()
  local m = fresh(fake)
  package.loaded.procshark = m
  local src = assert(io.open(reports_dir .. "/by_process.lua")):read("*a")
  local installed = "/home/u/.local/lib/wireshark/plugins/procshark/reports/by_process.lua"
  -- the report finds the module by its own path; here package.loaded has it already
  local chunk = assert(load(src, "@" .. installed))
  local out, err = capture(function() chunk() end)
  eq(out .. err, "")
  eq(#fake.listeners, 0)
  eq(fake.declared, 0, "no field extractors at start-up")
  eq(fake.plugin_info.version, m.VERSION)
  out, err = capture(function()
    chunk()                      -- the same file again: -X lua_script named it
    fake.run(frames)
  end)
  eq(err, "")
  eq(#fake.listeners, 2)
  if not out:find("curl.exe", 1, true) then error(out) end
  -- an argument means -X lua_scriptN gave it: runs on the first load too
  fake = fake_wireshark()
  package.loaded.procshark = fresh(fake)
  local global = assert(load(src, "@/usr/lib/wireshark/plugins/procshark/reports/by_process.lua"))
  out = capture(function()
    global("format=csv")
    fake.run(frames)
  end)
  if not out:find("^pid,name,packets") then error(out) end
end)

test("loaded from a plugin folder by Wireshark 4.2+, which passes the name and path: the same", function()
  local fake = fake_wireshark()
  package.loaded.procshark = fresh(fake)
  local src = assert(io.open(reports_dir .. "/by_process.lua")):read("*a")
  local installed = "/usr/lib/wireshark/plugins/procshark/reports/by_process.lua"
  local chunk = assert(load(src, "@" .. installed))
  local out, err = capture(function() chunk("by_process", installed) end)
  eq(out .. err, "")
  eq(#fake.listeners, 0)
  out, err = capture(function()
    chunk("format=csv")          -- -X lua_script named it, with an argument
    fake.run(frames)
  end)
  eq(err, "")
  if not out:find("^pid,name,packets") then error(out) end
  -- two arguments that are not the script's own name and path are still report arguments
  fake = fake_wireshark()
  package.loaded.procshark = fresh(fake)
  out, err = capture(function() chunk("by_process", "/elsewhere/by_process.lua") end)
  if not err:find('argument "by_process" is not name=value', 1, true) then error(err) end
end)

test("Wireshark: one Tools menu entry per report; the window shows the report, buttons switch format", function()
  local fake = fake_wireshark({gui = true})
  fake.frames = frames
  local out, err = capture(function()
    load_report(fake, reports_dir .. "/by_process.lua")
    load_report(fake, reports_dir .. "/retransmits.lua")
  end)
  eq(out .. err, "")
  eq(#fake.listeners, 0, "no listener before the menu is used")
  eq(#fake.menus, 2)
  eq(fake.menus[1].name, "procshark/Processes")
  eq(fake.menus[1].group, 14)
  eq(fake.menus[2].name, "procshark/Retransmissions by process")
  fake.menus[1].fn()
  local win = fake.windows[1]
  eq(win.title, "Processes")
  if not win.text:find("^Display filter: none %(all frames%)\n\n pid  name ") then error(win.text) end
  if not win.text:find("5124  curl.exe", 1, true) then error(win.text) end
  win.buttons.CSV()
  local heading = "Display filter: none (all frames)\n\n"
  if win.text:sub(1, #heading + 22) ~= heading .. "pid,name,packets,bytes" then error(win.text) end
  win.buttons.JSON()
  if not win.text:find('\n\n%[\n{"pid":5124') then error(win.text) end
  win.buttons.Copy()
  eq(heading .. fake.clipboard, win.text, "Copy takes the report without the heading")
  fake.retap_packets() -- a second retap starts afresh: the same counts
  if not win.text:find('"packets":4,', 1, true) then error(win.text) end
  win.atclose()
  eq(fake.listeners[1].removed, true)
end)

-- The frames of a file's first pass in the GUI (open, File -> Reload): one pass, so frame 3, whose
-- owner comes from a record after it, has none yet.
local first_pass = {}
for i, f in ipairs(frames) do
  local copy = {pinfo = {}, tcp = f.tcp, fields = {}}
  for k, v in pairs(f.pinfo) do copy.pinfo[k] = v end
  for k, v in pairs(f.fields) do copy.fields[k] = v end
  if copy.pinfo.number == 3 then
    copy.fields["proc.dst.pid"], copy.fields["proc.dst.name"] = nil, nil
    copy.fields["proc.source"], copy.fields["proc.match"], copy.fields["proc.event_frame"] = nil, nil, nil
  end
  first_pass[i] = copy
end

test("Wireshark: after File -> Reload the window counts again from final answers, as a fresh one", function()
  local fake = fake_wireshark({gui = true})
  fake.frames = frames
  capture(function() load_report(fake, reports_dir .. "/by_process.lua", "format=csv") end)
  fake.menus[1].fn()
  local win = fake.windows[1]
  local fresh_text = win.text
  if not fresh_text:find("\n5124,curl.exe,4,1776,", 1, true) then error(fresh_text) end
  -- the provisional pass alone counts less: that is what the window must not keep
  local one_pass = capture(function()
    local f2 = fake_wireshark()
    load_report(f2, reports_dir .. "/by_process.lua", "format=csv")
    f2.run(first_pass)
  end)
  if not one_pass:find("\n5124,curl.exe,1,100,", 1, true) then error(one_pass) end
  local retaps = 0
  local retap = fake.retap_packets
  fake.retap_packets = function() retaps = retaps + 1; retap() end
  fake.reload(first_pass)
  eq(retaps, 1, "the provisional pass asks for one retap")
  eq(win.text, fresh_text)
  fake.retap_packets() -- a later retap (a filter applied) of final answers: no further one
  eq(retaps, 2)
  eq(win.text, fresh_text)
  -- a retap asked while the file still loads: Wireshark resets and draws, taps nothing; the window
  -- keeps its counts, says so, and Recount counts again
  fake.retap_packets = function()
    retaps = retaps + 1
    if retaps == 3 then fake.run({}) else retap() end
  end
  fake.reload(first_pass)
  eq(retaps, 3)
  local heading = "Display filter: none (all frames)\n\n"
  eq(win.text, heading .. "The file was reloaded: these counts are from before; Recount counts again.\n\n" ..
               fresh_text:sub(#heading + 1))
  win.buttons.Recount()
  eq(retaps, 4)
  eq(win.text, fresh_text)
end)

test("Wireshark: the window takes the main display filter, and its Filter button sets its own", function()
  local fake = fake_wireshark({gui = true})
  fake.frames = frames
  fake.main_filter = "proc.pid == 42"
  capture(function() load_report(fake, reports_dir .. "/by_process.lua", "format=csv") end)
  fake.menus[1].fn()
  local win = fake.windows[1]
  eq(fake.listeners[1].filter, "proc.pid == 42")
  eq(win.text, "Display filter: proc.pid == 42\n\npid,name,packets,bytes,connections,first_seen,last_seen\n" ..
               "42,self,1,90,1,2024-03-01T12:00:03.000000Z,2024-03-01T12:00:03.000000Z\n")
  win.buttons["Filter..."]()
  eq(fake.dialog.field.value, "proc.pid == 42", "the box starts with the filter in use")
  fake.dialog.fn("proc.pid == 5124")
  eq(fake.listeners[1].removed, true)
  eq(fake.listeners[3].filter, "proc.pid == 5124")
  if not win.text:find("^Display filter: proc.pid == 5124\n\npid,[^\n]*\n5124,curl.exe,4,1776,") then error(win.text) end
  fake.dialog.fn("bogus ==") -- refused: a message; the listener of the last filter stays
  if not win.text:find('filter "bogus ==": bad filter: bogus ==', 1, true) then error(win.text) end
  eq(fake.listeners[3].removed, nil)
  eq(#fake.listeners, 4)
  fake.dialog.fn("") -- empty: all frames
  eq(fake.listeners[5].filter, nil)
  if not win.text:find("^Display filter: none %(all frames%)\n\n[^\n]*\n5124,curl.exe,4,1776,[^\n]*\n42,self,") then
    error(win.text)
  end
  win.buttons.Text()
  fake.dialog.fn("frame.number == 0")
  eq(win.text, "Display filter: frame.number == 0\n\n" ..
               "pid  name  packets  bytes  connections  first_seen  last_seen\n" ..
               "---  ----  -------  -----  -----------  ----------  ---------\nno rows\n")
end)

test("tshark: filter= narrows the frames counted; an empty table says no rows", function()
  local fake = fake_wireshark()
  local out = run_report("connections", fake, "format=csv", "filter=proc.pid == 42")
  eq(fake.listeners[1].filter, "proc.pid == 42")
  eq(out, "transport,stream,pid,name,local,remote,packets,bytes,start,end\n" ..
          "tcp,2,42,self,127.0.0.1:1,127.0.0.1:2,1,90,2024-03-01T12:00:03.000000Z,2024-03-01T12:00:03.000000Z\n" ..
          "tcp,2,42,self,127.0.0.1:2,127.0.0.1:1,1,90,2024-03-01T12:00:03.000000Z,2024-03-01T12:00:03.000000Z\n")
  fake = fake_wireshark()
  out = run_report("unmatched", fake, "filter=frame.number == 0")
  eq(fake.listeners[3].filter, "(proc.record.source) && (proc.unmatched_record) && (frame.number == 0)")
  eq(out, "Unmatched records and packets\n\n" ..
          "frame  kind  source  pid  endpoint  reason\n" ..
          "-----  ----  ------  ---  --------  ------\n" ..
          "no rows\n")
  local _, err = run_report("by_process", fake_wireshark(), "filter=bogus ==")
  eq(err, 'procshark report by_process: report by_process: filter "bogus ==": bad filter: bogus ==\n')
  eq(ps.parse_args("filter=").filter, nil)
end)

test("Wireshark: the same menu entry is registered once", function()
  local fake = fake_wireshark({gui = true})
  local m = fresh(fake)
  local spec = function() return {name = "n", title = "T", group = {count = "n"}} end
  m.report(spec())
  m.report(spec())
  eq(#fake.menus, 1)
end)

test("Wireshark without procshark's plugin: one dialog for all the reports", function()
  local fake = fake_wireshark({gui = true, without_plugin = true})
  local m = fresh(fake)
  package.loaded.procshark = m
  capture(function()
    for _, name in ipairs({"by_process", "connections", "unmatched", "retransmits"}) do
      assert(loadfile(reports_dir .. "/" .. name .. ".lua"))()
    end
  end)
  eq(#fake.failures, 1)
  eq(#fake.menus, 0)
  if not fake.failures[1]:find("is procshark's plugin loaded?", 1, true) then error(fake.failures[1]) end
end)

test("Wireshark: bad arguments go to a dialog", function()
  local fake = fake_wireshark({gui = true})
  capture(function() load_report(fake, reports_dir .. "/by_process.lua", "format=yaml") end)
  eq(#fake.menus, 0)
  if not (fake.failures[1] or ""):find('unknown format "yaml"', 1, true) then error(tostring(fake.failures[1])) end
end)

test("docs/LUA.md's declarative example works as written", function()
  local fake = fake_wireshark()
  local out = capture(function()
    local m = fresh(fake)
    m.report({
      name = "names", title = "Packets by process name",
      group = {over = "end", by = {"name"}, count = "packets", sum = {"bytes=packet.len"}},
      sort = {"-bytes", "name"},
    }, "format=csv")
    fake.run(frames)
  end)
  eq(out, "name,packets,bytes\ncurl.exe,4,1776\nself,1,90\n")
end)

test("docs/LUA.md's second example (start, derived column) works as written", function()
  local fake = fake_wireshark()
  local out = capture(function()
    local ps = fresh(fake)
    ps.report({
      name = "services", title = "Payload by process and remote port",
      columns = {"name", "remote_port", "payload", "share:%.1f"},
      needs = {},
      start = function()
        local g = ps.group{over = "end", by = {"name", "remote_port=peer.port"}, sum = {"payload=packet.tcp_len"}}
        return {
          packet = function(p)
            if p.transport ~= "tcp" then return end -- TCP payload only
            for _, e in ipairs(p.ends) do g:add(e) end
          end,
          rows = function()
            local rows, total = g:rows{sort = {"-payload", "name", "remote_port"}}, 0
            for _, r in ipairs(rows) do total = total + r.payload end
            for _, r in ipairs(rows) do r.share = total > 0 and 100 * r.payload / total or 0 end
            return rows
          end,
        }
      end,
    }, "format=csv")
    fake.run(frames)
  end)
  eq(out, "name,remote_port,payload,share\ncurl.exe,443,1520,96.8\nself,2,50,3.2\n")
  eq(fake.declared, 6)
end)

test("needs, record_filter and declare_fields: checked", function()
  local fake = fake_wireshark()
  local _, err = capture(function()
    fresh(fake).report({name = "n", needs = {"retransmision"}, group = {count = "n"}})
  end)
  if not err:find('needs: unknown key "retransmision"', 1, true) then error(err) end
  fake = fake_wireshark()
  fake.Listener.new = function(tap, filter)
    if filter and filter:find("bogus", 1, true) then error("bad filter: bogus", 0) end
    return {tap = tap, filter = filter, remove = function() end}
  end
  _, err = capture(function()
    fresh(fake).report({name = "rf", record_filter = "bogus ==", columns = {"n"}, start = function()
      return {packet = function() end, record = function() end, rows = function() return {} end}
    end})
  end)
  if not err:find('procshark report rf: report rf: record_filter "bogus ==": bad filter: bogus', 1, true) then
    error(err)
  end
  fake = fake_wireshark()
  local m = fresh(fake)
  m.declare_fields{needs = {"retransmission"}}
  eq(fake.declared, 7)
  raises(function() m.declare_fields{needs = {"flags"}} end, 'unknown key "flags"')
  raises(function() m.declare_fields{record = true} end, 'unknown option "record"')
end)

test("a group report reads only the optional keys its fields name", function()
  local fake = fake_wireshark()
  capture(function()
    fresh(fake).report({name = "r", group = {over = "end", by = {"source"}, count_if = {"retrans=packet.retransmission"}}})
  end)
  eq(fake.declared, 8, "proc, tcp, the owners' four fields, proc.source and tcp.analysis.retransmission")
end)

-- The Lua that ran the tests (inside tshark: the one Wireshark embeds), then the counts.
io.write(_VERSION, "\n", string.format("%d passed, %d failed\n", passed, failed))
if arg and not rawget(_G, "Listener") then os.exit(failed == 0 and 0 or 1) end
