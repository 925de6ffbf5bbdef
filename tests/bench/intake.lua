-- wrk script for bench_webhook_intake.py: replays pre-built raw HTTP requests from REQUESTS_FILE
-- ("<length>\n<raw request>" records), each thread its own share, then stops: a bounded request count.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clk_id, timespec *tp);
]]
local function now()
  local t = ffi.new("timespec")
  ffi.C.clock_gettime(1, t)  -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end
-- wrk keeps running until -d (or SIGINT) even after every thread stopped: the elapsed time is measured here.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS"))
  local f = assert(io.open(os.getenv("REQUESTS_FILE"), "rb"))
  local data = f:read("*a")
  f:close()
  reqs, pos, n = {}, 1, 0
  while pos <= #data do
    local nl = data:find("\n", pos, true)
    local len = tonumber(data:sub(pos, nl - 1))
    if n % nthreads == id then table.insert(reqs, data:sub(nl + 1, nl + len)) end
    n = n + 1
    pos = nl + 1 + len
  end
  sent, answered, bad = 0, 0, 0
end

function request()
  if sent == 0 then started = now() end
  sent = sent + 1
  return reqs[((sent - 1) % #reqs) + 1]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then bad = bad + 1 end
  if answered == #reqs then
    elapsed = now() - started
    local marker = io.open(os.getenv("DONE_DIR") .. "/" .. id, "w")  -- the benchmark then ends wrk (SIGINT)
    marker:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad_total, seconds = 0, 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
    seconds = math.max(seconds, t:get("elapsed") or summary.duration / 1e6)
  end
  io.write(string.format("RESULT requests=%d seconds=%.3f p50=%.3f p99=%.3f non200=%d errors=%d\n",
    summary.requests, seconds, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    bad_total, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
