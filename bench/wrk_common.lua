-- Shared by bench/lookup.lua and bench/orders.lua: option parsing, URL encoding and the report that
-- done() prints. Loaded with dofile() from the directory of the script wrk was given.
--
-- wrk runs one Lua state per thread (init, request, response) and a separate one for setup and
-- done, so the per-thread status counts travel to done() through thread:get().

local common = {}

-- Options come as `key=value` words after `--` on the wrk command line; a missing key falls back to
-- the environment variable DANGOL_BENCH_<KEY> (upper case), then to `default`.
function common.options(args)
  local options = {}
  for _, word in ipairs(args or {}) do
    local key, value = word:match("^([%w_]+)=(.*)$")
    if key then options[key] = value end
  end
  return function(key, default)
    local value = options[key]
    if value == nil or value == "" then value = os.getenv("DANGOL_BENCH_" .. key:upper()) end
    if value == nil or value == "" then value = default end
    return value
  end
end

-- Percent-encodes every byte outside RFC 3986's unreserved set, so Hangul, '+' and spaces survive.
function common.url_encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- Splits "1,2,3" into a list of the non-empty words.
function common.split(text)
  local list = {}
  for word in (text or ""):gmatch("[^,%s]+") do list[#list + 1] = word end
  return list
end

-- Per-thread state: a distinct id (set by setup) seeds the random generator.
local threads = {}
local next_thread_id = 0

function common.setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  threads[#threads + 1] = thread
end

-- Installs a response() that counts answers by HTTP status into the thread's global `statuses`.
function common.count_statuses()
  statuses = {}
  response = function(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end
end

local function ms(microseconds) return microseconds / 1000.0 end

-- Prints the human-readable report and one `RESULT {json}` line that scripts/run-bench parses.
function common.report(summary, latency, label)
  local by_status = {}
  local mode = label
  for _, thread in ipairs(threads) do
    mode = mode or thread:get("mode")
    local counts = thread:get("statuses") or {}
    for status, count in pairs(counts) do by_status[status] = (by_status[status] or 0) + count end
  end
  local non_2xx, ok_201, ok_200, conflict_409 = 0, by_status[201] or 0, by_status[200] or 0, by_status[409] or 0
  local codes = {}
  for status, count in pairs(by_status) do
    if status < 200 or status > 299 then non_2xx = non_2xx + count end
    codes[#codes + 1] = string.format("%d:%d", status, count)
  end
  table.sort(codes)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  local rps = summary.requests / seconds
  local p50, p99, p999 = latency:percentile(50), latency:percentile(99), latency:percentile(99.9)

  io.write(string.format("mode          %s\n", mode or "?"))
  io.write(string.format("requests      %d in %.2f s = %.1f req/s\n", summary.requests, seconds, rps))
  io.write(string.format("latency       p50 %.2f ms   p99 %.2f ms   p99.9 %.2f ms   max %.2f ms\n",
                         ms(p50), ms(p99), ms(p999), ms(latency.max)))
  io.write(string.format("statuses      %s\n", table.concat(codes, " ")))
  io.write(string.format("non-2xx       %d\n", non_2xx))
  io.write(string.format("socket errors connect %d read %d write %d timeout %d\n",
                         errors.connect, errors.read, errors.write, errors.timeout))
  io.write(string.format(
      'RESULT {"mode":"%s","requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
      '"p999_ms":%.3f,"max_ms":%.3f,"non_2xx":%d,"status_201":%d,"status_200":%d,"status_409":%d,' ..
      '"socket_errors":%d,"statuses":"%s"}\n',
      mode or "?", summary.requests, seconds, rps, ms(p50), ms(p99), ms(p999), ms(latency.max),
      non_2xx, ok_201, ok_200, conflict_409, socket_errors, table.concat(codes, " ")))
end

return common
