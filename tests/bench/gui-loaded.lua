-- SPDX-License-Identifier: GPL-2.0-or-later
-- For tests/bench/run gui and tests/e2e/profile-gui.sh: Wireshark runs its -z arguments once it has
-- read the file named by -r, so "-z procshark_bench_loaded" marks the end of the first pass, in
-- $HOME/loaded (the seconds of /proc/uptime, the clock the benchmark reads). No tap listener: a Lua one would make every pass
-- build protocol trees, and change what is measured.
register_stat_cmd_arg("procshark_bench_loaded", function()
  local uptime = assert(io.open("/proc/uptime")):read("*l"):match("^%S+")
  local out = assert(io.open(os.getenv("HOME") .. "/loaded", "w"))
  out:write(uptime, "\n")
  out:close()
end)
