-- wrk script of benchmarks/api_wrk.py: GET PREFIX .. id .. SUFFIX for the ids of a file, each thread taking
-- its own slice of the file (so no id is asked twice while the file holds as many ids as requests are sent),
-- each thread stopping after BUDGET responses; `done` prints the figures as one JSON line. wrk's own
-- duration is the -d it was given even when every thread stopped sooner, so the time from the first request
-- to the last response is measured here (a monotonic clock through LuaJIT's ffi).
--
--   wrk -t T -c C -d 20s -s api_wrk.lua URL -- IDS_FILE BUDGET PREFIX SUFFIX T
--
-- IDS_FILE holds one id a line, already escaped for a URL path; PREFIX "-" alone means no id (one fixed path).

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } api_wrk_timespec;
  int clock_gettime(int clock, api_wrk_timespec *out);
]]
local clock = ffi.new("api_wrk_timespec")

local function now()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  budget = tonumber(args[2])
  prefix = args[3]
  suffix = args[4] == "-" and "" or args[4]
  local threads = tonumber(args[5])
  ids = {}
  if args[1] ~= "-" then
    local i = 0
    for line in io.lines(args[1]) do
      if i % threads == tid - 1 then ids[#ids + 1] = line end
      i = i + 1
    end
  end
  sent, answered, bad, first, last, stopped = 0, 0, 0, 0, 0, 0
end

function request()
  if sent == 0 then first = now() end
  sent = sent + 1
  if #ids == 0 then
    return wrk.format("GET", prefix .. suffix)
  end
  return wrk.format("GET", prefix .. ids[(sent - 1) % #ids + 1] .. suffix)
end

function response(status, headers, body)
  answered = answered + 1
  last = now()
  if status ~= 200 then bad = bad + 1 end
  if answered >= budget then
    stopped = 1
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local began, ended, budget_reached, not_200 = math.huge, 0, 0, 0
  for _, t in ipairs(threads) do
    if t:get("first") > 0 then began = math.min(began, t:get("first")) end
    ended = math.max(ended, t:get("last"))
    budget_reached = budget_reached + t:get("stopped")
    not_200 = not_200 + t:get("bad")
  end
  io.write(string.format(
    'WRK {"elapsed_s": %.6f, "budget_reached": %d, "not_200": %d, ' ..
    '"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f}\n',
    ended > began and ended - began or summary.duration / 1e6, budget_reached, not_200,
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
