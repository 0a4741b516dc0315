-- SPDX-License-Identifier: GPL-2.0-or-later
-- procshark.lua: a Lua API for reports on procshark's process attribution.
--
-- A report `require`s this module, describes what it counts, and gets one plain table per TCP
-- packet (with the process owning each end, as procshark's plugin attributes it) and, when it
-- asks, one per record frame (ETW, tracee, Get-NetTCPConnection). The module feeds them through
-- Wireshark's Listener, prints the result to stdout in tshark (text, CSV or JSON) and shows it in a
-- TextWindow from a Tools menu entry in Wireshark. Each function's comment documents it;
-- docs/LUA.md shows how to run and write the reports; tests/lua/run.lua tests them.
--
-- Runs on the Lua of Wireshark 4.0 (5.2) and of later Wireshark (5.3, 5.4): no integer division,
-- no bitwise operators, no utf8 library, and numbers are turned into text only through M.num,
-- which prints the same on every version. The aggregation and output parts need nothing from
-- Wireshark (plain `lua5.4` runs them).

-- "procshark" through require; nil when Wireshark 4.0 loads the file as a plugin (4.2 and later pass
-- the plugin's name, as require does: such a load is taken for a require)
local required_as = ...

local M = {}
M.VERSION = "0.1.0" -- procshark's version (CMakeLists.txt project())

local floor, huge = math.floor, math.huge
local format, concat, sort = string.format, table.concat, table.sort
local type, pairs, ipairs, select, tostring, tonumber = type, pairs, ipairs, select, tostring, tonumber

-- Wireshark's globals (Field, Listener, gui_enabled, ...). The tests put a fake here.
M.wireshark = nil
local function ws() return M.wireshark or _G end

---------------------------------------------------------------------------------------------------
-- Errors
---------------------------------------------------------------------------------------------------

-- Errors the helpers raise for a caller's mistake: a plain message, no file:line prefix.
local function fail(fmt, ...)
  error(format(fmt, ...), 0)
end

-- The text of an error value.
function M.error_text(e)
  return tostring(e)
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  sort(keys)
  return keys
end

local function check_options(fn, opts, known)
  if type(opts) ~= "table" then fail("%s: expected a table of options, got %s", fn, type(opts)) end
  for k in pairs(opts) do
    if type(k) ~= "string" or not known[k] then
      fail("%s: unknown option %q (known: %s)", fn, tostring(k), concat(sorted_keys(known), ", "))
    end
  end
end

---------------------------------------------------------------------------------------------------
-- Numbers and times as text: the same on Lua 5.2 and 5.4
---------------------------------------------------------------------------------------------------

-- A number as text: integers without a fraction ("66", never "66.0"), others with the fewest
-- digits that read back as the same number; nan, inf and -inf by name.
function M.num(v)
  if v ~= v then return "nan" end
  if v == huge then return "inf" end
  if v == -huge then return "-inf" end
  if v == floor(v) and v > -9007199254740992 and v < 9007199254740992 then
    return format("%d", v)
  end
  for _, f in ipairs({"%.15g", "%.16g", "%.17g"}) do
    local s = format(f, v)
    if tonumber(s) == v then return s end
  end
  return format("%.17g", v)
end

-- A whole number: math.floor gives an integer on 5.3+ (prints "66") and an integral float on 5.2
-- (which prints "66" too).
local function int(v)
  if v == nil then return nil end
  return floor(v)
end
M.int = int

-- Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
local function civil_from_days(z)
  z = z + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local d = doy - floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

-- Epoch seconds to ISO 8601 UTC with microseconds, "2024-03-01T12:00:00.123456Z" (rounded to the
-- microsecond). nil gives nil.
function M.iso_time(t)
  if t == nil then return nil end
  if type(t) ~= "number" or t ~= t or t == huge or t == -huge then
    fail("procshark.iso_time: %s is not a time", tostring(t))
  end
  local sec = floor(t)
  local us = floor((t - sec) * 1000000 + 0.5)
  if us >= 1000000 then sec, us = sec + 1, us - 1000000 end
  local days = floor(sec / 86400)
  local rest = sec - days * 86400
  local y, m, d = civil_from_days(days)
  return format("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d, floor(rest / 3600), floor(rest / 60) % 60,
                rest % 60, us)
end

-- "addr:port", "[v6addr]:port"; nil when the address is unknown.
function M.endpoint(addr, port)
  if addr == nil then return nil end
  local a = tostring(addr)
  if a:find(":", 1, true) then a = "[" .. a .. "]" end
  if port == nil then return a end
  return a .. ":" .. M.num(port)
end

---------------------------------------------------------------------------------------------------
-- JSON (RFC 8259): our own small encoder
---------------------------------------------------------------------------------------------------

local json_escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n",
                      ["\r"] = "\\r", ["\t"] = "\\t"}

-- The length of the valid UTF-8 sequence at byte i, or nil.
local function utf8_len(s, i)
  local c = s:byte(i)
  local n, lo, hi
  if c >= 0xC2 and c <= 0xDF then n, lo, hi = 1, 0x80, 0xBF
  elseif c == 0xE0 then n, lo, hi = 2, 0xA0, 0xBF
  elseif c == 0xED then n, lo, hi = 2, 0x80, 0x9F
  elseif c >= 0xE1 and c <= 0xEF then n, lo, hi = 2, 0x80, 0xBF
  elseif c == 0xF0 then n, lo, hi = 3, 0x90, 0xBF
  elseif c >= 0xF1 and c <= 0xF3 then n, lo, hi = 3, 0x80, 0xBF
  elseif c == 0xF4 then n, lo, hi = 3, 0x80, 0x8F
  else return nil end
  local b = s:byte(i + 1)
  if not b or b < lo or b > hi then return nil end
  for k = 2, n do
    b = s:byte(i + k)
    if not b or b < 0x80 or b > 0xBF then return nil end
  end
  return n + 1
end

-- A JSON string: '"', '\' and control characters escaped; bytes that are not UTF-8 become U+FFFD,
-- so the output is always valid JSON.
function M.json_string(s)
  s = tostring(s)
  if not s:find('[%z\1-\31"\\\127-\255]') then return '"' .. s .. '"' end
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:byte(i)
    if c < 0x80 then
      local ch = s:sub(i, i)
      out[#out + 1] = json_escapes[ch] or (c < 0x20 and format("\\u%04x", c)) or ch
      i = i + 1
    else
      local len = utf8_len(s, i)
      if len then
        out[#out + 1] = s:sub(i, i + len - 1)
        i = i + len
      else
        out[#out + 1] = "\\ufffd"
        i = i + 1
      end
    end
  end
  return '"' .. concat(out) .. '"'
end

local function is_array(t)
  local n = #t
  local count = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k > n or k ~= floor(k) then return false end
    count = count + 1
  end
  return count == n
end

-- Any Lua value as JSON: nil is null; nan and infinities are null; a table whose keys are 1..n is
-- an array (an empty table is []), any other an object with its keys sorted (keys as text).
function M.json(v, seen)
  local t = type(v)
  if v == nil then return "null" end
  if t == "boolean" then return v and "true" or "false" end
  if t == "number" then
    if v ~= v or v == huge or v == -huge then return "null" end
    return M.num(v)
  end
  if t == "string" then return M.json_string(v) end
  if t == "table" then
    seen = seen or {}
    if seen[v] then fail("procshark.json: a table contains itself") end
    seen[v] = true
    local out = {}
    if is_array(v) then
      for i = 1, #v do out[i] = M.json(v[i], seen) end
      seen[v] = nil
      return "[" .. concat(out, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do
      local kt = type(k)
      if kt ~= "string" and kt ~= "number" then fail("procshark.json: a %s key cannot be a JSON key", kt) end
      keys[#keys + 1] = kt == "number" and M.num(k) or k
    end
    sort(keys)
    for i, k in ipairs(keys) do
      local val = v[k]
      if val == nil then val = v[tonumber(k)] end
      out[i] = M.json_string(k) .. ":" .. M.json(val, seen)
    end
    seen[v] = nil
    return "{" .. concat(out, ",") .. "}"
  end
  return M.json_string(tostring(v))
end

---------------------------------------------------------------------------------------------------
-- Columns and output: aligned text, CSV, JSON
---------------------------------------------------------------------------------------------------

-- A column: "name", "name:time" (epoch seconds shown as ISO 8601 UTC) or "name:%.4f" (any
-- string.format format for numbers).
local function parse_columns(fn, columns)
  if type(columns) ~= "table" or #columns == 0 then fail("%s: columns must be a list of names", fn) end
  local out = {}
  for i, c in ipairs(columns) do
    if type(c) ~= "string" then fail("%s: column %d is not a string", fn, i) end
    local name, kind = c:match("^([^:]+):(.+)$")
    name = name or c
    if not name:match("^[%w_%.%-]+$") then fail("%s: bad column name %q", fn, name) end
    if kind and kind ~= "time" and not kind:match("^%%[%-+ #0]*%d*%.?%d*[dioxXeEfgG]$") then
      fail("%s: column %q: type %q is neither \"time\" nor a number format like \"%%.4f\"", fn, name, kind)
    end
    out[i] = {name = name, kind = kind}
  end
  return out
end
M.parse_columns = function(columns) return parse_columns("procshark.parse_columns", columns) end

-- A cell's value as text (nil stays nil), and whether it is a number (right-aligned, bare in JSON).
local function cell(col, v)
  if v == nil then return nil, false end
  local kind = col.kind
  if kind == "time" then
    if type(v) ~= "number" then return tostring(v), false end
    return M.iso_time(v), false
  end
  if kind then
    if type(v) ~= "number" then return tostring(v), false end
    return format(kind, v), true
  end
  local t = type(v)
  if t == "number" then return M.num(v), v == v and v ~= huge and v ~= -huge end
  if t == "boolean" then return v and "true" or "false", false end
  return tostring(v), false
end

local function check_rows(fn, rows)
  if type(rows) ~= "table" then fail("%s: rows must be a list of tables, got %s", fn, type(rows)) end
  for i = 1, #rows do
    if type(rows[i]) ~= "table" then fail("%s: row %d is a %s, not a table", fn, i, type(rows[i])) end
  end
end

local function column_list(fn, rows, columns)
  local cols = parse_columns(fn, columns or rows.columns or {})
  local known = rows.columns and {} or nil
  if known then
    for _, c in ipairs(rows.columns) do known[(c:match("^([^:]+)") or c)] = true end
    for _, c in ipairs(cols) do
      if not known[c.name] then
        fail("%s: unknown column %q (the rows have: %s)", fn, c.name, concat(rows.columns, ", "))
      end
    end
  end
  return cols
end

-- One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or outer spaces.
function M.csv_field(text)
  if text == nil then return "" end
  text = tostring(text)
  if text:find('[,"\r\n]') or text:find("^%s") or text:find("%s$") then
    return '"' .. text:gsub('"', '""') .. '"'
  end
  return text
end

-- CSV: a header of the column names, then one line per row ("\n" ends every line); an unknown
-- value is an empty field.
function M.csv(rows, columns)
  check_rows("procshark.csv", rows)
  local cols = column_list("procshark.csv", rows, columns)
  local lines, header = {}, {}
  for i, c in ipairs(cols) do header[i] = M.csv_field(c.name) end
  lines[1] = concat(header, ",")
  for r = 1, #rows do
    local row, fields = rows[r], {}
    for i, c in ipairs(cols) do fields[i] = M.csv_field((cell(c, row[c.name]))) end
    lines[r + 1] = concat(fields, ",")
  end
  return concat(lines, "\n") .. "\n"
end

-- Whether text is a number as JSON writes them: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
function M.is_json_number(text)
  local int_part, rest = text:match("^%-?(%d+)(.*)$")
  if not int_part or (#int_part > 1 and int_part:sub(1, 1) == "0") then return false end
  local frac, exp = rest:match("^(%.?%d*)(.*)$")
  if frac == "." or (frac ~= "" and not frac:match("^%.%d+$")) then return false end
  return exp == "" or exp:match("^[eE][-+]?%d+$") ~= nil
end

-- JSON: an array of objects, one per row and line, keys in column order; an unknown value is null,
-- times are ISO 8601 strings.
function M.json_rows(rows, columns)
  check_rows("procshark.json_rows", rows)
  local cols = column_list("procshark.json_rows", rows, columns)
  if #rows == 0 then return "[]\n" end
  local lines = {}
  for r = 1, #rows do
    local row, fields = rows[r], {}
    for i, c in ipairs(cols) do
      local text, numeric = cell(c, row[c.name])
      local v
      if text == nil then v = "null"
      elseif numeric and M.is_json_number(text) then v = text
      elseif type(row[c.name]) == "boolean" and not c.kind then v = text
      else v = M.json_string(text) end
      fields[i] = M.json_string(c.name) .. ":" .. v
    end
    lines[r] = "{" .. concat(fields, ",") .. "}"
  end
  return "[\n" .. concat(lines, ",\n") .. "\n]\n"
end

-- Characters, not bytes, of UTF-8 text (continuation bytes do not count).
local function width(s) return #(s:gsub("[\128-\191]", "")) end

-- An aligned text table: a header, a rule, the rows; two spaces between columns, numbers aligned
-- right, an unknown value shown as "-".
-- Text from records as a terminal may show it: control characters (C0, DEL, and C1 as UTF-8)
-- escaped the way Wireshark's format_text shows them (\n, \t, \x1b, \u009b); the rest unchanged.
local named_escapes = {["\a"] = "\\a", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n", ["\r"] = "\\r",
                       ["\t"] = "\\t", ["\v"] = "\\v"}
function M.terminal_text(s)
  s = tostring(s)
  s = s:gsub("\194([\128-\159])", function(c) return format("\\u%04x", c:byte()) end)
  return (s:gsub("[%z\1-\31\127]", function(c) return named_escapes[c] or format("\\x%02x", c:byte()) end))
end

function M.text_table(rows, columns)
  check_rows("procshark.text_table", rows)
  local cols = column_list("procshark.text_table", rows, columns)
  local texts, widths, right = {}, {}, {}
  for i, c in ipairs(cols) do
    widths[i] = width(c.name)
    right[i] = true
  end
  for r = 1, #rows do
    local row, line = rows[r], {}
    for i, c in ipairs(cols) do
      local text, numeric = cell(c, row[c.name])
      if text == nil then text = "-" elseif not numeric then right[i], text = false, M.terminal_text(text) end
      line[i] = text
      local w = width(text)
      if w > widths[i] then widths[i] = w end
    end
    texts[r] = line
  end
  local function render(line)
    local out = {}
    for i = 1, #cols do
      local pad = string.rep(" ", widths[i] - width(line[i]))
      out[i] = right[i] and pad .. line[i] or line[i] .. pad
    end
    return (concat(out, "  "):gsub("%s+$", ""))
  end
  local header, rule = {}, {}
  for i, c in ipairs(cols) do
    header[i] = c.name
    rule[i] = string.rep("-", widths[i])
  end
  local lines = {render(header), render(rule)}
  for r = 1, #texts do lines[#lines + 1] = render(texts[r]) end
  if #texts == 0 then lines[3] = "no rows" end -- not bare headers that look like a failed run
  return concat(lines, "\n") .. "\n"
end

M.FORMATS = {text = M.text_table, csv = M.csv, json = M.json_rows}

-- rows in one of M.FORMATS: "text", "csv" or "json".
function M.render(rows, columns, fmt)
  local f = M.FORMATS[fmt or "text"]
  if not f then fail("procshark.render: unknown format %q (use text, csv or json)", tostring(fmt)) end
  return f(rows, columns)
end

---------------------------------------------------------------------------------------------------
-- Items: what packets, their ends and records look like (for checking field names)
---------------------------------------------------------------------------------------------------

local END_KEYS = {"side", "known", "addr", "port", "endpoint", "pid", "name", "container", "source", "match",
                  "event_frame"}
local PACKET_KEYS = {"frame", "time", "transport", "stream", "flow", "len", "tcp_len", "udp_len", "flags", "syn",
                     "ack", "fin", "rst", "psh", "retransmission", "needs_two_passes", "fields", "multi"}
local RECORD_KEYS = {"frame", "time", "kind", "source", "pid", "name", "addr", "port", "endpoint", "network",
                     "matched", "unmatched", "packet_frame", "stream"}

local function set_of(list, prefix, into)
  into = into or {}
  for _, k in ipairs(list) do into[(prefix or "") .. k] = true end
  return into
end

M.ITEMS = {}
do
  local packet = set_of(PACKET_KEYS)
  set_of(END_KEYS, "src.", packet)
  set_of(END_KEYS, "dst.", packet)
  M.ITEMS.packet = packet
  local e = set_of(END_KEYS)
  set_of(END_KEYS, "peer.", e)
  set_of(PACKET_KEYS, "packet.", e)
  set_of(END_KEYS, "packet.src.", e)
  set_of(END_KEYS, "packet.dst.", e)
  M.ITEMS["end"] = e
  M.ITEMS.record = set_of(RECORD_KEYS)
end

-- The checker of field paths for items of a kind ("packet", "end", "record") or a list of names.
local function item_checker(fn, over)
  local known, label
  if over == nil then over = "packet" end
  if type(over) == "string" then
    known = M.ITEMS[over]
    if not known then fail("%s: over = %q: use \"packet\", \"end\", \"record\" or a list of names", fn, over) end
    label = over .. " items"
  elseif type(over) == "table" then
    known = set_of(over)
    label = "these items"
  else
    fail("%s: over must be \"packet\", \"end\", \"record\" or a list of names", fn)
  end
  return function(path)
    if type(path) ~= "string" or path == "" then fail("%s: a field name must be a non-empty string", fn) end
    if known[path] then return end
    -- A record's fields, or those a report reads on packets (spec.fields).
    if (over == "record" or over == "packet") and path:match("^fields%.[%w_]+%..+") then return end
    if over == "end" and path:match("^packet%.fields%.[%w_]+%..+") then return end
    local names = sorted_keys(known)
    if over == "record" or over == "packet" then names[#names + 1] = "fields.<Wireshark field>" end
    if over == "end" then names[#names + 1] = "packet.fields.<Wireshark field>" end
    fail("%s: unknown field %q for %s (known: %s)", fn, path, label, concat(names, ", "))
  end
end

-- A function reading a dotted path ("src.pid", "packet.len", "fields.etwnet.pid") from an item.
local function getter(path)
  local rec = path:match("^fields%.(.+)$")
  if rec then
    return function(x) local f = x.fields; return f and f[rec] end
  end
  local of_packet = path:match("^packet%.fields%.(.+)$")
  if of_packet then
    return function(x) local f = x.packet and x.packet.fields; return f and f[of_packet] end
  end
  local a, b, c = path:match("^([^%.]+)%.([^%.]+)%.([^%.]+)$")
  if a then
    return function(x) local y = x[a]; y = y and y[b]; return y and y[c] end
  end
  a, b = path:match("^([^%.]+)%.([^%.]+)$")
  if a then
    return function(x) local y = x[a]; return y and y[b] end
  end
  return function(x) return x[path] end
end

-- The value at a dotted path of an item ("src.pid").
function M.get(item, path) return getter(path)(item) end

---------------------------------------------------------------------------------------------------
-- Aggregation: pure Lua
---------------------------------------------------------------------------------------------------

-- Ordering of values: numbers before strings before booleans (false before true); nil (unknown)
-- after everything, in either direction.
local type_rank = {number = 1, string = 2, boolean = 3}
local function less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (type_rank[ta] or 4) < (type_rank[tb] or 4) end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return (not a) and b end
  return tostring(a) < tostring(b)
end

local function parse_sort_keys(fn, keys, check)
  if keys == nil then return {} end
  if type(keys) == "string" then keys = {keys} end
  if type(keys) ~= "table" then fail("%s: sort keys must be a list like {\"-bytes\", \"pid\"}", fn) end
  local out = {}
  for i, k in ipairs(keys) do
    if type(k) ~= "string" then fail("%s: sort key %d is not a string", fn, i) end
    local desc = k:sub(1, 1) == "-"
    local name = desc and k:sub(2) or k
    if check then check(name) end
    out[i] = {name = name, desc = desc, get = getter(name)}
  end
  return out
end

local function rows_checker(fn, rows)
  if not rows.columns then return nil end
  local known = {}
  for _, c in ipairs(rows.columns) do known[(c:match("^([^:]+)") or c)] = true end
  return function(name)
    if not known[name] then
      fail("%s: unknown column %q (the rows have: %s)", fn, name, concat(rows.columns, ", "))
    end
  end
end

-- Sorts rows in place by keys ({"-bytes", "pid"}: "-" for descending) and returns them. Ties are
-- broken by the rows' remaining columns (rows.columns, ascending), then by their order before the
-- sort, so the result never depends on table.sort's instability. Unknown values sort last.
function M.sort(rows, keys)
  check_rows("procshark.sort", rows)
  local spec = parse_sort_keys("procshark.sort", keys, rows_checker("procshark.sort", rows))
  if rows.columns then
    local used = {}
    for _, k in ipairs(spec) do used[k.name] = true end
    for _, c in ipairs(rows.columns) do
      local name = c:match("^([^:]+)") or c
      if not used[name] then spec[#spec + 1] = {name = name, desc = false, get = getter(name)} end
    end
  end
  local order = {}
  for i = 1, #rows do order[rows[i]] = i end
  sort(rows, function(x, y)
    for i = 1, #spec do
      local k = spec[i]
      local a, b = k.get(x), k.get(y)
      if a ~= b and not (a ~= a and b ~= b) then
        if a == nil then return false end
        if b == nil then return true end
        if k.desc then return less(b, a) end
        return less(a, b)
      end
    end
    return order[x] < order[y]
  end)
  return rows
end

-- The first n rows after sorting by keys (keys may be nil: the rows' order); a new list.
function M.top(rows, n, keys)
  check_rows("procshark.top", rows)
  if type(n) ~= "number" or n < 0 or n ~= floor(n) then fail("procshark.top: n must be a whole number >= 0") end
  if keys then M.sort(rows, keys) end
  local out = {columns = rows.columns}
  for i = 1, math.min(n, #rows) do out[i] = rows[i] end
  return out
end

-- "column=path" or "path" (the column is then the path).
local function parse_named(fn, what, list, check)
  if list == nil then return {} end
  if type(list) == "string" then list = {list} end
  if type(list) ~= "table" then fail("%s: %s must be a list like {\"bytes=len\"}", fn, what) end
  local out = {}
  for i, s in ipairs(list) do
    if type(s) ~= "string" then fail("%s: %s entry %d is not a string", fn, what, i) end
    local col, path = s:match("^%s*([^=]-)%s*=%s*(.-)%s*$")
    if not col then col, path = s, s end
    if col == "" then fail("%s: %s entry %q has no column name", fn, what, s) end
    check(path)
    out[i] = {col = col, path = path, get = getter(path)}
  end
  return out
end

local GROUP_OPTIONS = {over = true, by = true, count = true, count_if = true, sum = true, min = true, max = true,
                       distinct = true, first = true, last = true}

local Group = {}
Group.__index = Group

-- A group: items added one by one, aggregated per distinct combination of the `by` fields.
--   over     "packet" (default), "end", "record", or a list of the items' field names: the fields
--            the other options name are checked against it
--   by       {"pid", "name"}: the key fields ("column=path" renames: "stream=packet.stream")
--   count    "packets": a column counting the items
--   count_if {"retransmits=packet.retransmission"}: columns counting items whose field is true
--   sum      {"bytes=packet.len"}: sums (an unknown value adds nothing)
--   min, max {"first_seen=packet.time"}: the least, the greatest value (unknown values skipped)
--   distinct {"connections=packet.stream"}: the number of different known values
--   first, last {"local=endpoint"}: the first, the last known value in the order added
function M.group(spec)
  local fn = "procshark.group"
  check_options(fn, spec, GROUP_OPTIONS)
  local check = item_checker(fn, spec.over)
  local g = setmetatable({}, Group)
  g.by = parse_named(fn, "by", spec.by, check)
  if spec.count ~= nil and type(spec.count) ~= "string" then fail("%s: count must be a column name", fn) end
  g.count = spec.count
  g.count_if = parse_named(fn, "count_if", spec.count_if, check)
  g.sum = parse_named(fn, "sum", spec.sum, check)
  g.distinct = parse_named(fn, "distinct", spec.distinct, check)
  g.min = parse_named(fn, "min", spec.min, check)
  g.max = parse_named(fn, "max", spec.max, check)
  g.first = parse_named(fn, "first", spec.first, check)
  g.last = parse_named(fn, "last", spec.last, check)
  local columns, seen = {}, {}
  local function add_col(name)
    if seen[name] then fail("%s: column %q appears twice", fn, name) end
    seen[name] = true
    columns[#columns + 1] = name
  end
  for _, k in ipairs(g.by) do add_col(k.col) end
  if g.count then add_col(g.count) end
  for _, list in ipairs({g.count_if, g.sum, g.distinct, g.min, g.max, g.first, g.last}) do
    for _, a in ipairs(list) do add_col(a.col) end
  end
  if #columns == 0 then fail("%s: nothing to compute: give by, count, sum, ...", fn) end
  g.columns = columns
  g:clear()
  return g
end

local NIL = {} -- the key of unknown (nil) values

-- Forgets every item added.
function Group:clear()
  self.root = {}
  self.list = {}
  self.sets = {}
end

-- Adds one item (a packet, an end, a record or any table with the fields the group names).
function Group:add(item)
  local by, node = self.by, self.root
  local n = #by
  local acc
  if n == 0 then
    acc = node[NIL]
    if not acc then
      acc = {}
      node[NIL] = acc
    end
  else
    for i = 1, n do
      local v = by[i].get(item)
      if v == nil or v ~= v then v = NIL end
      local nxt = node[v]
      if not nxt then
        nxt = {}
        node[v] = nxt
      end
      node = nxt
    end
    acc = node
  end
  local row = acc.row
  if not row then
    row = {}
    for i = 1, n do
      local v = by[i].get(item)
      if v ~= v then v = nil end
      row[by[i].col] = v
    end
    if self.count then row[self.count] = 0 end
    for _, list in ipairs({self.count_if, self.sum, self.distinct}) do
      for i = 1, #list do row[list[i].col] = 0 end
    end
    acc.row = row
    acc.sets = {}
    self.list[#self.list + 1] = acc
  end
  if self.count then row[self.count] = row[self.count] + 1 end
  local l = self.count_if
  for i = 1, #l do
    local a = l[i]
    if a.get(item) then row[a.col] = row[a.col] + 1 end
  end
  l = self.sum
  for i = 1, #l do
    local a = l[i]
    local v = a.get(item)
    if type(v) == "number" then row[a.col] = row[a.col] + v end
  end
  l = self.distinct
  for i = 1, #l do
    local a = l[i]
    local v = a.get(item)
    if v ~= nil and v == v then
      local set = acc.sets[a.col]
      if not set then
        set = {}
        acc.sets[a.col] = set
      end
      if not set[v] then
        set[v] = true
        row[a.col] = row[a.col] + 1
      end
    end
  end
  l = self.min
  for i = 1, #l do
    local a = l[i]
    local v = a.get(item)
    if v ~= nil and v == v then
      local cur = row[a.col]
      if cur == nil then
        row[a.col] = v
      elseif type(v) == "number" and type(cur) == "number" then
        if v < cur then row[a.col] = v end
      elseif less(v, cur) then
        row[a.col] = v
      end
    end
  end
  l = self.max
  for i = 1, #l do
    local a = l[i]
    local v = a.get(item)
    if v ~= nil and v == v then
      local cur = row[a.col]
      if cur == nil then
        row[a.col] = v
      elseif type(v) == "number" and type(cur) == "number" then
        if v > cur then row[a.col] = v end
      elseif less(cur, v) then
        row[a.col] = v
      end
    end
  end
  l = self.first
  for i = 1, #l do
    local a = l[i]
    if row[a.col] == nil then row[a.col] = a.get(item) end
  end
  l = self.last
  for i = 1, #l do
    local a = l[i]
    local v = a.get(item)
    if v ~= nil then row[a.col] = v end
  end
end

-- The groups as rows (new tables: the group's columns), in the order first seen; opts.sort sorts
-- them (see M.sort), opts.top keeps the first n. rows.columns lists the columns.
function Group:rows(opts)
  opts = opts or {}
  check_options("procshark.group:rows", opts, {sort = true, top = true})
  local out = {columns = self.columns}
  for i, acc in ipairs(self.list) do
    local row = {}
    for k, v in pairs(acc.row) do row[k] = v end
    out[i] = row
  end
  if opts.sort then M.sort(out, opts.sort) end
  if opts.top then out = M.top(out, opts.top) end
  return out
end

-- Counts items (all, or those whose path is true).
function M.count(items, path)
  local get = path and getter(path)
  local n = 0
  for i = 1, #items do
    if not get or get(items[i]) then n = n + 1 end
  end
  return n
end

---------------------------------------------------------------------------------------------------
-- Arguments: -X lua_script1:format=csv
---------------------------------------------------------------------------------------------------

M.ARGUMENTS = {format = "text, csv or json (default text)", top = "show only the first N rows",
               filter = "a display filter: count only the frames it matches"}

-- The report arguments Wireshark hands a script (`...`): "name=value" strings.
function M.parse_args(...)
  local opts = {format = "text"}
  for i = 1, select("#", ...) do
    local a = select(i, ...)
    local name, value = tostring(a):match("^%s*([%w_%-]+)%s*=%s*(.-)%s*$")
    if not name then fail("argument %q is not name=value (known: format=..., top=N, filter=...)", tostring(a)) end
    if name == "format" then
      if not M.FORMATS[value] then fail("unknown format %q: use format=text, format=csv or format=json", value) end
      opts.format = value
    elseif name == "top" then
      local n = tonumber(value)
      if not n or n < 0 or n ~= floor(n) then fail("top=%s: expected a whole number >= 0", value) end
      opts.top = int(n)
    elseif name == "filter" then
      opts.filter = value ~= "" and value or nil
    else
      fail("unknown argument %q (known: format=text|csv|json, top=N, filter=DISPLAY FILTER)", name)
    end
  end
  return opts
end

---------------------------------------------------------------------------------------------------
-- Wireshark: fields, packets and records
---------------------------------------------------------------------------------------------------

-- Packets come from the "tcp" and "udp" taps (stream, flags, ports, payload length) and pinfo
-- (frame, time, length, addresses); the owners from procshark's fields. The optional keys cost a field lookup per
-- packet each and are read only for reports that need them (M.OPTIONAL, spec.needs).
local PACKET_FIELD_NAMES = {
  src_pid = "proc.src.pid", src_name = "proc.src.name", dst_pid = "proc.dst.pid", dst_name = "proc.dst.name",
}
local OPTIONAL_FIELD_NAMES = {
  retransmission = {retransmission = "tcp.analysis.retransmission"},
  needs_two_passes = {two_passes = "proc.needs_two_passes"},
  container = {src_container = "proc.src.container", dst_container = "proc.dst.container"},
  source = {source = "proc.source"}, match = {match = "proc.match"}, event_frame = {event_frame = "proc.event_frame"},
}
M.OPTIONAL = {"retransmission", "needs_two_passes", "container", "source", "match", "event_frame"}
-- The protocols of records, whose fields r.fields holds. Which source a record comes from and which
-- socket it speaks for are the plugin's answers (proc.record.*, from src/source/), not re-derived here.
local RECORD_PROTOCOLS = {"etwnet", "etwproc", "etwimage", "tracee_net", "nettcpconn", "procrec"}
local RECORD_FIELD_NAMES = {proc = "proc", packet_frame = "proc.packet_frame", stream = "proc.tcp_stream",
                            unmatched = "proc.unmatched_record", source = "proc.record.source",
                            pid = "proc.record.pid", name = "proc.record.name", ip = "proc.record.ip",
                            ipv6 = "proc.record.ipv6", port = "proc.record.port"}

-- Field extractors are made once, while Wireshark loads scripts (Field.new works only then).
local F, R -- packet fields, record fields

local function new_field(name)
  local ok, f = pcall(ws().Field.new, name)
  if not ok then
    fail("Wireshark has no field %s: is procshark's plugin loaded? (cmake --install build, or run "
         .. "tshark through scripts/procshark-tshark)", name)
  end
  return f
end

-- Wireshark fields a report reads on packets (spec.fields), by name: {field, convert}; made on
-- first use, as declaring them is (only while scripts load).
local packet_extra = {}
local converter

-- Declares the packet fields, with the optional ones in needs (a set of M.OPTIONAL names) and the
-- Wireshark fields of needs.fields (a list of names).
local function declare_packet_fields(needs)
  if not F then
    new_field("proc")
    local f = {tcp = new_field("tcp")}
    for key, name in pairs(PACKET_FIELD_NAMES) do f[key] = new_field(name) end
    F = f
  end
  for opt in pairs(needs) do
    for key, name in pairs(OPTIONAL_FIELD_NAMES[opt] or {}) do
      if not F[key] then F[key] = new_field(name) end
    end
  end
  for _, name in ipairs(needs.fields or {}) do
    if not packet_extra[name] then
      local fld = new_field(name)
      packet_extra[name] = {field = fld, convert = converter(fld.type)}
    end
  end
end

-- How a FieldInfo becomes a plain Lua value, by the field's type. Addresses and byte strings are
-- taken as Wireshark displays them (tostring of the FieldInfo): Wireshark 4.0's FieldInfo.value
-- builds an IPv4 or IPv6 Address from the bytes under the item, which for a JSON record are text,
-- and printing that Address crashes.
function converter(ftype)
  local ft = ws().ftypes or {}
  if ftype == ft.ABSOLUTE_TIME or ftype == ft.RELATIVE_TIME then
    return function(fi)
      local v = fi.value
      return v.secs + v.nsecs / 1000000000
    end
  end
  if ftype == ft.UINT64 or ftype == ft.INT64 then
    return function(fi)
      local s = tostring(fi.value)
      local n = tonumber(s)
      if n and n > -9007199254740992 and n < 9007199254740992 then return int(n) end
      return s
    end
  end
  local as_text = {}
  for _, name in ipairs({"IPv4", "IPv6", "ETHER", "BYTES", "UINT_BYTES", "GUID", "OID", "REL_OID", "SYSTEM_ID",
                         "EUI64", "FCWWN", "AX25", "VINES", "IPXNET", "PROTOCOL"}) do
    if ft[name] then as_text[ft[name]] = true end
  end
  if as_text[ftype] then return function(fi) return tostring(fi) end end
  return function(fi)
    local v = fi.value
    local t = type(v)
    if t == "number" then return v == floor(v) and int(v) or v end
    if t == "string" or t == "boolean" then return v end
    if v == nil then return true end -- a field without a value (FT_NONE, an expert): present
    return tostring(fi)
  end
end

local function declare_record_fields()
  if R then return end
  local r = {protocols = {}, fields = {}}
  for key, name in pairs(RECORD_FIELD_NAMES) do r[key] = new_field(name) end
  local names = {}
  for _, kind in ipairs(RECORD_PROTOCOLS) do
    r.protocols[#r.protocols + 1] = {kind = kind, field = new_field(kind)}
    names[kind] = {}
  end
  local list = ws().Field.list and ws().Field.list() or {}
  for _, name in ipairs(list) do
    local proto = name:match("^([%w_]+)%.")
    if proto and names[proto] then names[proto][#names[proto] + 1] = name end
  end
  for kind, list2 in pairs(names) do
    sort(list2)
    local fields = {}
    for i, name in ipairs(list2) do
      local fld = new_field(name)
      fields[i] = {name = name, field = fld, convert = converter(fld.type)}
    end
    r.fields[kind] = fields
  end
  R = r
end

-- For a script with Listeners of its own (ps.report does this itself): declares the fields that
-- read_packet (opts.needs: a list of M.OPTIONAL keys, default all) and read_record (opts.records)
-- read. Call it while Wireshark loads the script.
function M.declare_fields(opts)
  opts = opts or {}
  check_options("procshark.declare_fields", opts, {needs = true, records = true})
  local needs = {}
  for _, k in ipairs(opts.needs or M.OPTIONAL) do
    if not OPTIONAL_FIELD_NAMES[k] then fail("procshark.declare_fields: unknown key %q", tostring(k)) end
    needs[k] = true
  end
  declare_packet_fields(needs)
  if opts.records then declare_record_fields() end
end

-- The last occurrence's value (the innermost layer), or nil.
local function last_value(...)
  local n = select("#", ...)
  if n == 0 then return nil end
  return (select(n, ...)).value
end

-- "addr:port" texts, made once per socket.
local endpoint_texts = {}
local function endpoint_of(addr, port)
  local by_port = endpoint_texts[addr]
  if not by_port then
    by_port = {}
    endpoint_texts[addr] = by_port
  end
  local e = by_port[port]
  if not e then
    e = M.endpoint(addr, port)
    by_port[port] = e
  end
  return e
end

-- Both ends of a packet, or one when the same process (pid and name) owns both, as the plugin's
-- statistics tree counts them.
local function known_ends(p)
  local s, d = p.src, p.dst
  if s.known and d.known then
    if s.pid == d.pid and s.name == d.name then return {s} end
    return {s, d}
  end
  if s.known then return {s} end
  if d.known then return {d} end
  return {}
end

local ALL_OPTIONAL = {}
for _, k in ipairs(M.OPTIONAL) do ALL_OPTIONAL[k] = true end

-- The values of the fields a report asked for (needs.fields): the last occurrence's (the
-- innermost layer) in fields, every one of those that repeat in multi.
local function read_extra(names)
  local fields, multi = {}, {}
  for _, name in ipairs(names) do
    local x = packet_extra[name]
    local all = {x.field()}
    if #all > 0 then
      fields[name] = x.convert(all[#all])
      if #all > 1 then
        for i, fi in ipairs(all) do all[i] = x.convert(fi) end
        multi[name] = all
      end
    end
  end
  return fields, multi
end

-- The packet table of a TCP or UDP packet: pinfo and the "tcp" tap's data (a table: th_stream,
-- th_flags, th_sport, th_dport, th_seglen, ip_src, ip_dst ...) or the "udp" tap's (uh_stream,
-- uh_sport, uh_dport, uh_ulen ...); needs: the optional keys to read (default all).
function M.read_packet(pinfo, hdr, needs)
  needs = needs or ALL_OPTIONAL
  local udp = hdr.uh_stream ~= nil
  local flags = not udp and int(hdr.th_flags) or 0
  -- The tap's copies of the packet's addresses (pinfo.net_src would allocate two more).
  local src_addr, dst_addr = tostring(hdr.ip_src or pinfo.net_src), tostring(hdr.ip_dst or pinfo.net_dst)
  local sport, dport = int(udp and hdr.uh_sport or hdr.th_sport), int(udp and hdr.uh_dport or hdr.th_dport)
  -- (The nil keys size the tables once: no rehash as the owner's keys come in.)
  local src = {side = "src", known = false, addr = src_addr, port = sport, endpoint = endpoint_of(src_addr, sport),
               peer = nil, packet = nil, pid = nil, name = nil}
  local dst = {side = "dst", known = false, addr = dst_addr, port = dport, endpoint = endpoint_of(dst_addr, dport),
               peer = src, packet = nil, pid = nil, name = nil}
  local transport, stream = udp and "udp" or "tcp", int(udp and hdr.uh_stream or hdr.th_stream)
  local p = {
    frame = int(pinfo.number), time = pinfo.abs_ts, len = int(pinfo.len), transport = transport, stream = stream,
    flow = transport .. ":" .. stream,
    tcp_len = not udp and hdr.th_have_seglen and int(hdr.th_seglen) or nil,
    udp_len = udp and int(hdr.uh_ulen) and int(hdr.uh_ulen) - 8 or nil, flags = not udp and flags or nil,
    fin = flags % 2 == 1, syn = flags % 4 >= 2, rst = flags % 8 >= 4, psh = flags % 16 >= 8, ack = flags % 32 >= 16,
    src = src, dst = dst,
  }
  src.peer, src.packet, dst.packet = dst, p, p
  if needs.fields then p.fields, p.multi = read_extra(needs.fields) end
  if needs.retransmission then p.retransmission = F.retransmission() ~= nil end
  if needs.needs_two_passes then p.needs_two_passes = F.two_passes() ~= nil end
  local spid, dpid = F.src_pid(), F.dst_pid()
  if spid or dpid then
    -- proc.source, proc.match and proc.event_frame: once per known end, the source end first.
    local s1, s2, m1, m2, e1, e2
    if needs.source then s1, s2 = F.source() end
    if needs.match then m1, m2 = F.match() end
    if needs.event_frame then e1, e2 = F.event_frame() end
    local function fill(e, pid, name_field, container_field, source, match, event_frame)
      e.known = true
      e.pid = int(pid.value)
      local name = name_field()
      e.name = name and name.value or nil
      if needs.container then
        local c = container_field()
        e.container = c and c.value or nil
      end
      e.source = source and source.value or nil
      e.match = match and match.value or nil
      e.event_frame = event_frame and int(event_frame.value) or nil
    end
    if spid then
      fill(src, spid, F.src_name, F.src_container, s1, m1, e1)
      s1, m1, e1 = s2, m2, e2
    end
    if dpid then
      fill(dst, dpid, F.dst_name, F.dst_container, s1, m1, e1)
    end
  end
  p.ends = known_ends(p)
  return p
end

-- The record table of the frame being tapped, or nil when it holds no record.
function M.read_record(pinfo)
  local proto
  for _, p in ipairs(R.protocols) do
    if p.field() then
      proto = p
      break
    end
  end
  if not proto then return nil end
  local fields, multi = {}, {}
  for _, fd in ipairs(R.fields[proto.kind]) do
    local a, b = fd.field()
    if a then
      fields[fd.name] = fd.convert(a)
      if b then
        local all = {}
        for i, fi in ipairs({fd.field()}) do all[i] = fd.convert(fi) end
        multi[fd.name] = all
      end
    end
  end
  local r = {frame = int(pinfo.number), time = pinfo.abs_ts, kind = proto.kind, source = last_value(R.source()),
             fields = fields, multi = multi}
  r.pid = int(last_value(R.pid()))
  r.name = last_value(R.name())
  local ip = R.ip() or R.ipv6()
  r.addr = ip and tostring(ip) or nil
  r.port = int(last_value(R.port()))
  r.endpoint = M.endpoint(r.addr, r.port)
  r.network = R.proc() ~= nil
  r.packet_frame = int(last_value(R.packet_frame()))
  r.stream = int(last_value(R.stream()))
  r.matched = r.packet_frame ~= nil
  r.unmatched = R.unmatched() ~= nil
  return r
end

---------------------------------------------------------------------------------------------------
-- Reports
---------------------------------------------------------------------------------------------------

local REPORT_OPTIONS = {name = true, title = true, menu = true, columns = true, start = true, group = true,
                        where = true, sort = true, needs = true, record_filter = true, fields = true}

-- Handlers of one run of a report: {packet = fn(p), record = fn(r), rows = fn() -> rows}.
local function start_run(spec)
  if spec.start then
    local h = spec.start()
    if type(h) ~= "table" or type(h.rows) ~= "function" or (h.packet == nil and h.record == nil) then
      fail("report %s: start() must return {packet = function(p) ... end and/or record = function(r) ... end, "
           .. "rows = function() ... end}", spec.name)
    end
    return h
  end
  local g = M.group(spec.group)
  local over, where = spec.group.over or "packet", spec.where
  local h = {rows = function() return g:rows({sort = spec.sort}) end}
  if over == "record" then
    h.record = function(r) if not where or where(r) then g:add(r) end end
  elseif over == "end" then
    h.packet = function(p)
      local ends = p.ends
      for i = 1, #ends do
        if not where or where(ends[i]) then g:add(ends[i]) end
      end
    end
  else
    h.packet = function(p) if not where or where(p) then g:add(p) end end
  end
  return h
end

-- The optional packet keys a report reads (a set): spec.needs; for a group without `where`, the keys
-- its fields name; otherwise all of them.
local function needs_of(spec)
  local needs = {}
  if spec.needs ~= nil then
    if type(spec.needs) ~= "table" then fail("report %s: needs must be a list of names", spec.name) end
    for _, k in ipairs(spec.needs) do
      if not ALL_OPTIONAL[k] then
        fail("report %s: needs: unknown key %q (optional keys: %s)", spec.name, tostring(k), concat(M.OPTIONAL, ", "))
      end
      needs[k] = true
    end
    return needs
  end
  if not spec.group or spec.where then return ALL_OPTIONAL end
  for _, what in ipairs({"by", "count_if", "sum", "distinct", "min", "max", "first", "last"}) do
    local list = spec.group[what]
    if type(list) == "string" then list = {list} end
    for _, entry in ipairs(type(list) == "table" and list or {}) do
      local path = tostring(entry):match("=%s*(.-)%s*$") or tostring(entry)
      local key = path:match("([^%.]+)$")
      if ALL_OPTIONAL[key] then needs[key] = true end
    end
  end
  return needs
end

local function check_spec(spec)
  if type(spec) ~= "table" then fail("procshark.report: expected a table describing the report") end
  check_options("procshark.report", spec, REPORT_OPTIONS)
  if type(spec.name) ~= "string" or spec.name == "" then fail("procshark.report: name is required") end
  if (spec.start == nil) == (spec.group == nil) then
    fail("report %s: give either start (a function) or group (a procshark.group spec)", spec.name)
  end
  if spec.start ~= nil and type(spec.start) ~= "function" then fail("report %s: start must be a function", spec.name) end
  if spec.where ~= nil and type(spec.where) ~= "function" then fail("report %s: where must be a function", spec.name) end
  if spec.group and type(spec.group) == "table" and type(spec.group.over) == "table" then
    fail("report %s: a report's group is over \"packet\", \"end\" or \"record\"", spec.name)
  end
  local group_columns = spec.group and M.group(spec.group).columns
  if spec.columns == nil and spec.group then spec.columns = group_columns end
  local cols = parse_columns("report " .. spec.name, spec.columns)
  if spec.group then
    local known = set_of(group_columns)
    for _, c in ipairs(cols) do
      if not known[c.name] then
        fail("report %s: column %q is not a column of its group (%s)", spec.name, c.name, concat(group_columns, ", "))
      end
    end
    if spec.sort ~= nil then
      parse_sort_keys("report " .. spec.name, spec.sort, function(name)
        if not known[name] then fail("report %s: cannot sort by %q: not a column of its group", spec.name, name) end
      end)
    end
  elseif spec.sort ~= nil then
    fail("report %s: sort goes with group; a start() report sorts its own rows", spec.name)
  end
  if spec.record_filter ~= nil and (type(spec.record_filter) ~= "string" or spec.record_filter == "") then
    fail("report %s: record_filter must be a display filter (a string)", spec.name)
  end
  spec.title = spec.title or spec.name
  spec.menu = spec.menu or ("procshark/" .. spec.title)
  local needs = needs_of(spec)
  if spec.fields ~= nil then
    if type(spec.fields) ~= "table" or #spec.fields == 0 then
      fail("report %s: fields must be a list of Wireshark field names", spec.name)
    end
    for _, name in ipairs(spec.fields) do
      if type(name) ~= "string" or name == "" then fail("report %s: fields: a name must be a non-empty string", spec.name) end
    end
    -- needs may be the shared ALL_OPTIONAL: a copy carries the list.
    local copy = {fields = spec.fields}
    for k in pairs(needs) do copy[k] = true end
    needs = copy
  end
  return needs
end

-- The report's rows, in their output format.
local function output(spec, rows, opts)
  if type(rows) ~= "table" then fail("report %s: rows() returned a %s, not a list", spec.name, type(rows)) end
  if opts.top then rows = M.top(rows, opts.top) end
  local visible = {}
  for i = 1, #rows do visible[i] = rows[i] end
  return M.render(visible, spec.columns, opts.format)
end

-- Feeds one run with tapped frames; the first error stops it (reported once, at the end).
local function new_run(spec, needs)
  local run = {}
  local ok, h = pcall(start_run, spec)
  if not ok then
    run.error = M.error_text(h)
    return run
  end
  local packet, record = h.packet, h.record
  local last_frame
  local function on_packet(pinfo, hdr)
    local frame = pinfo.number
    if frame == last_frame then return end -- one packet per frame (the outer TCP of a tunnel)
    -- TCP in a UDP tunnel is the TCP packet, as the plugin attributes it: the tcp tap comes next.
    if hdr.uh_stream ~= nil and F.tcp() then return end
    last_frame = frame
    packet(M.read_packet(pinfo, hdr, needs))
  end
  local function on_record(pinfo)
    local r = M.read_record(pinfo)
    if r then record(r) end
  end
  local function failed(pinfo, err)
    run.error = format("frame %s: %s", M.num(pinfo.number), M.error_text(err))
  end
  run.tapped = 0 -- frames handed to the run
  function run.packet(pinfo, tcp)
    run.tapped = run.tapped + 1
    if run.error or not packet or type(tcp) ~= "table" then return end
    local ok2, err = pcall(on_packet, pinfo, tcp)
    if not ok2 then failed(pinfo, err) end
  end
  function run.record(pinfo)
    run.tapped = run.tapped + 1
    if run.error or not record then return end
    local ok2, err = pcall(on_record, pinfo)
    if not ok2 then failed(pinfo, err) end
  end
  function run.result(opts)
    if run.error then return nil, run.error end
    local ok3, text = pcall(function() return output(spec, h.rows(), opts) end)
    if not ok3 then
      run.error = M.error_text(text)
      return nil, run.error
    end
    return text
  end
  return run
end

-- A report's messages: standard error in tshark, a dialog in Wireshark (once per message, so that
-- a missing plugin does not open one dialog per installed report).
local shown = {}
function M.complain(name, message)
  local text = format("procshark report %s: %s", tostring(name), message)
  local env = ws()
  if env.gui_enabled and env.gui_enabled() and env.report_failure then
    if shown[message] then return end
    shown[message] = true
    env.report_failure(text)
  else
    io.stderr:write(text, "\n")
  end
end

-- The state kept across scripts of one Wireshark Lua session.
local loaded_paths = {} -- report files loaded so far
local menus = {}        -- menu entries registered so far

local function under(path, dir)
  if type(dir) ~= "string" or dir == "" then return false end
  dir = dir:gsub("[/\\]+$", "")
  local head = path:sub(1, #dir + 1)
  return head == dir .. "/" or head == dir .. "\\"
end

-- Whether the script at path runs because -X lua_script named it, rather than because Wireshark
-- loads every .lua file of its plugin folders at start-up (those get no arguments and come first).
local function asked_for(path, nargs)
  local first_load = not loaded_paths[path]
  loaded_paths[path] = true
  if nargs > 0 then return true end
  local env = ws()
  local dir = env.Dir
  if not (dir and path) then return true end
  local folders = {}
  if dir.personal_plugins_path then folders[#folders + 1] = dir.personal_plugins_path() end
  if dir.global_plugins_path then folders[#folders + 1] = dir.global_plugins_path() end
  if dir.personal_config_path then folders[#folders + 1] = dir.personal_config_path("plugins") end
  for _, folder in ipairs(folders) do
    if under(path, folder) then return not first_load end
  end
  return true
end

M.RECORD_FILTER = "proc.record.source"

-- "(a) && (b)" of the filters given (nil ones left out); nil when none is.
local function all_of(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local f = select(i, ...)
    if f then parts[#parts + 1] = "(" .. f .. ")" end
  end
  return #parts > 0 and concat(parts, " && ") or nil
end

-- The listeners of a run: the "tcp" and "udp" taps for packets, the "frame" tap for record frames, all
-- narrowed by filter (a display filter, or nil). run() gives the current run (a fresh one after
-- each reset); draw(): at the end of a pass. A filter Wireshark refuses: an error, no listener.
local function listen(spec, kinds, filter, run, fresh, draw)
  local env = ws()
  local taps = {}
  local function new_tap(tap, tap_filter, what)
    local ok, l = pcall(env.Listener.new, tap, tap_filter)
    if not ok then
      for _, t in ipairs(taps) do t:remove() end
      fail("report %s: %s: %s", spec.name, what, M.error_text(l))
    end
    taps[#taps + 1] = l
    return l
  end
  local what = filter and format("filter %q", filter) or "listener"
  if kinds.packets then
    for _, name in ipairs({"tcp", "udp"}) do
      local tap = new_tap(name, filter, what)
      function tap.packet(pinfo, _, hdr) run().packet(pinfo, hdr) end
    end
  end
  if kinds.records then
    if spec.record_filter then
      what = format("record_filter %q", spec.record_filter) .. (filter and " or " .. what or "")
    end
    local tap = new_tap("frame", all_of(M.RECORD_FILTER, spec.record_filter, filter), what)
    function tap.packet(pinfo) run().record(pinfo) end
  end
  -- Wireshark resets every listener before a pass and draws each after it: the first one starts
  -- the fresh run, the last one shows it.
  taps[1].reset = function() fresh() end
  taps[#taps].draw = function() draw() end
  return taps
end

-- tshark: one run over the file, printed to standard output at the end.
local function run_in_tshark(spec, opts, needs, kinds)
  local run = new_run(spec, needs)
  listen(spec, kinds, opts.filter, function() return run end, function() run = new_run(spec, needs) end, function()
    local text, err = run.result(opts)
    if text then
      if opts.format == "text" then io.write(spec.title, "\n\n") end
      io.write(text)
      io.flush()
    else
      M.complain(spec.name, err)
    end
  end)
end

-- Wireshark's first pass over a file (open, File -> Reload, a redissection) is one pass: its owners
-- are only those the records before each packet give. Lua cannot tell that pass from a retap by its
-- frames (a tap sees every frame visited), but each such pass follows Wireshark's init (or cleanup)
-- of dissection, which runs the functions of init_routines: each window compares this count.
local dissections = 0
local function count_dissections()
  local routines = ws().init_routines
  if type(routines) == "table" then
    routines["procshark reports"] = function() dissections = dissections + 1 end
  end
end

-- Wireshark: a Tools menu entry opening a window, filled by a retap of the open capture. It counts
-- the frames of a display filter: the main one when the window opens, then the one its Filter
-- button sets. Buttons switch between text, CSV and JSON.
local function open_window(spec, opts, needs, kinds)
  local env = ws()
  local win = env.TextWindow.new(spec.title)
  local fmt = opts.format
  local filter = opts.filter
  if not filter and env.get_filter then
    local main = env.get_filter()
    if main and main:find("%S") then filter = main end
  end
  local run = new_run(spec, needs)
  local taps, last_text = {}, nil
  local seen = dissections -- the dissection the window last counted final answers of
  local shown          -- the run whose counts the window shows: the last of final answers
  local stale = false  -- a reload's pass could not be counted again: shown is from before it
  local retapping = false
  local function fresh()
    run = new_run(spec, needs)
    if dissections ~= seen then
      seen = dissections
      run.provisional = true
    end
  end
  local function heading()
    return format("Display filter: %s\n\n", filter and M.terminal_text(filter) or "none (all frames)")
  end
  local function show()
    if run.provisional and not run.recounting then
      -- Counted from a first pass (the file was just reloaded): count again from final answers.
      run.recounting = true
      local provisional = run
      retapping = true
      env.retap_packets()
      retapping = false
      if run.tapped == 0 and provisional.tapped > 0 then
        -- Asked while the file still loads (Wireshark draws the listeners before it ends a load),
        -- Wireshark resets them but taps nothing, and the rest of the load is provisional too:
        -- the window keeps its counts from before, as Wireshark's own dialogs do, until a pass
        -- of final answers (Recount, a display filter applied).
        run.provisional, stale = true, true
      else
        shown, stale = run, false
      end
    elseif not run.provisional and not retapping then
      shown, stale = run, false
    end
    if not shown then return end
    local note = stale and "The file was reloaded: these counts are from before; Recount counts again.\n\n" or ""
    local text, err = shown.result({format = fmt, top = opts.top})
    if text then
      last_text = text
      win:set(heading() .. note .. text)
    else
      last_text = nil
      win:set(heading() .. format("procshark report %s: %s\n", spec.name, err))
    end
  end
  -- Listeners for the filter f, replacing the current ones; false and the reason when Wireshark
  -- refuses f (the current ones stay).
  local function attach(f)
    local ok, new = pcall(listen, spec, kinds, f, function() return run end, fresh, show)
    if not ok then return false, M.error_text(new) end
    for _, tap in ipairs(taps) do tap:remove() end
    taps, filter = new, f
    return true
  end
  local ok, err = attach(filter)
  if not ok then
    win:set(heading() .. format("procshark report %s: %s\n", spec.name, err))
    return
  end
  win:set_atclose(function() for _, tap in ipairs(taps) do tap:remove() end end)
  for _, f in ipairs({"text", "csv", "json"}) do
    win:add_button(f == "text" and "Text" or f:upper(), function()
      fmt = f
      show()
    end)
  end
  if env.copy_to_clipboard then
    win:add_button("Copy", function() if last_text then env.copy_to_clipboard(last_text) end end)
  end
  win:add_button("Recount", function() env.retap_packets() end)
  if env.new_dialog then
    win:add_button("Filter...", function()
      env.new_dialog(spec.title .. ": display filter", function(text)
        local f = text and text:find("%S") and text or nil
        local done, why = attach(f)
        if done then
          env.retap_packets()
        else
          win:set(heading() .. format("procshark report %s: %s\n", spec.name, why))
        end
      end, {name = "Display filter (empty: all frames)", value = filter or ""})
    end)
  end
  env.retap_packets()
end

-- Declares a report. `...` are the script's arguments (pass the script's own `...`).
--   name     its name in messages
--   title    the window title and menu label (default: name)
--   menu     the Tools menu entry (default "procshark/" .. title)
--   columns  output columns: "name", "name:time" (ISO 8601 UTC), "name:%.4f" (a number format);
--            default: the group's columns
--   group    a procshark.group spec (over "packet", "end" or "record"): the module adds every item
--   where    with group: function(item) -> whether to add it
--   sort     with group: sort keys of the rows ({"-bytes", "pid"})
--   start    instead of group: function() returning {packet = fn(p), record = fn(r), rows = fn()},
--            called for every run (a fresh state each time)
--   needs    the optional packet keys (M.OPTIONAL) the report reads; each costs time per packet.
--            Default: all of them for start(), those its fields name for a group
--   record_filter  a display filter narrowing the record frames handed to record()
-- In tshark the report runs when -X lua_script named it and prints its rows when the file ends; a
-- report that Wireshark loaded from its plugin folder at start-up does nothing in tshark. In
-- Wireshark it adds its Tools menu entry. Bad arguments or a bad spec: a message, and nothing else.
-- Returns true when the report was set up.
function M.report(spec, ...)
  local name = type(spec) == "table" and spec.name or "?"
  local info = debug.getinfo(2, "S")
  local path = info and info.source and info.source:match("^@(.*)$")
  local env = ws()
  local gui = env.gui_enabled and env.gui_enabled() or false
  local args, nargs = {...}, select("#", ...)
  -- Wireshark 4.2 and later hand a script loaded from a plugin folder its name and path, as require
  -- does (4.0 hands it nothing): those are no report arguments.
  if nargs == 2 and path and args[2] == path then args, nargs = {}, 0 end
  local needs
  local ok, opts = pcall(function()
    needs = check_spec(spec)
    return M.parse_args(table.unpack(args, 1, nargs))
  end)
  if not ok then
    M.complain(name, M.error_text(opts))
    return false
  end
  if env.set_plugin_info then
    pcall(env.set_plugin_info, {version = M.VERSION, description = "procshark report: " .. spec.title,
                                repository = "procshark"})
  end
  if not gui and not asked_for(path, nargs) then return false end
  local kinds
  ok, kinds = pcall(function()
    -- A dry run checks the report's own helpers' arguments now, not after the whole file.
    local h = start_run(spec)
    declare_packet_fields(h.packet and needs or {})
    if h.record then declare_record_fields() end
    return {packets = h.packet ~= nil, records = h.record ~= nil}
  end)
  if not ok then
    M.complain(name, M.error_text(kinds))
    return false
  end
  if gui then
    if not menus[spec.menu] then
      if next(menus) == nil then count_dissections() end
      menus[spec.menu] = true
      env.register_menu(spec.menu, function() open_window(spec, opts, needs, kinds) end, env.MENU_TOOLS_UNSORTED)
    end
    return true
  end
  ok, kinds = pcall(run_in_tshark, spec, opts, needs, kinds)
  if not ok then
    M.complain(name, M.error_text(kinds))
    return false
  end
  return true
end

-- Loaded by Wireshark from its plugin folder at start-up (not through require): only say what it is.
if required_as == nil and _G.set_plugin_info then
  pcall(_G.set_plugin_info, {version = M.VERSION, description = "procshark Lua API for reports"})
end

return M
