-- wrk script for the counter lookup, GET /api/v1/customers/lookup?q=..., as staff type it.
--
--   wrk -t2 -c64 -d15s --latency -s bench/lookup.lua http://127.0.0.1:PORT -- mode=last4 token=TOKEN
--
-- Options (`key=value` after `--`, or the environment variable DANGOL_BENCH_<KEY>):
--   token  an API token of the demo business (required): sent as `Authorization: Bearer`.
--   mode   last4   4 random digits, ~100 customers each with 1 M demo customers;
--          phone   a random whole number from the demo's phone space (010-2000-0000 .. 010-9999-9999)
--                  in one of the formats staff type; most miss: 1 M customers fill 1/80 of it;
--          phone_known  a random number of an existing customer, read from `phones_file` (one
--                  number per line, any format), so every request finds its customer;
--          chosung a random initial-consonant prefix such as ㄱㅊ, ㅇㅈ, ㅂㅅ;
--          name    a random family name + first syllable of a given name, such as 김민, 이서.
--   limit  rows per pick list (sent as &limit=N); default: none, so the server's default applies.
--   seed   added to the per-thread seed (default 1), so runs are repeatable.
-- Requests are drawn at random in init() (8,192 per thread, then cycled) to keep wrk's own cost low.

local script_dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local common = dofile(script_dir .. "/wrk_common.lua")

local kRequestsPerThread = 8192

-- Initial-consonant prefixes of common name shapes (family initial + given initial).
local kChosung = {
  "ㄱㅊ", "ㅇㅈ", "ㅂㅅ", "ㄱㅁ", "ㄱㅅ", "ㄱㅈ", "ㄱㅎ", "ㅇㅅ", "ㅇㅁ", "ㅇㅎ",
  "ㅂㅈ", "ㅂㅁ", "ㅊㅇ", "ㅊㅅ", "ㅈㅎ", "ㅈㅁ", "ㄱㄷ", "ㅇㅇ", "ㅎㅈ", "ㅅㅇ",
  "ㄱㅊㅅ", "ㅇㅅㅇ", "ㅂㅁㅈ", "ㅈㅎㅇ",
}
-- The demo's most common family names and first syllables of given names.
local kFamily = {
  "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임",
  "한", "오", "서", "신", "권", "황", "안", "송", "전", "홍",
}
local kGivenFirst = {
  "민", "준", "서", "도", "예", "시", "주", "하", "지", "현", "승", "건",
  "수", "채", "윤", "다", "은", "유", "소", "혜", "미", "영", "정", "재",
}

-- Reads the non-empty lines of a file.
local function read_lines(path)
  local file = path and io.open(path, "r")
  if not file then error("lookup.lua: mode phone_known needs phones_file=PATH, a readable file") end
  local lines = {}
  for line in file:lines() do
    line = line:gsub("%s+$", "")
    if line ~= "" then lines[#lines + 1] = line end
  end
  file:close()
  if #lines == 0 then error("lookup.lua: " .. path .. " holds no phone numbers") end
  return lines
end

local known_phones

-- A Korean mobile number 010-MIDDLE-LAST in one of the formats staff type.
local function format_mobile(middle, last)
  local format = math.random(1, 3)
  if format == 1 then return string.format("010-%04d-%04d", middle, last) end
  if format == 2 then return string.format("010%04d%04d", middle, last) end
  return string.format("+82 10 %04d %04d", middle, last)
end

local function random_query(mode)
  if mode == "last4" then
    return string.format("%04d", math.random(0, 9999))
  elseif mode == "phone" then
    return format_mobile(math.random(2000, 9999), math.random(0, 9999))
  elseif mode == "phone_known" then
    local phone = known_phones[math.random(#known_phones)]
    local middle, last = phone:match("^%+8210(%d%d%d%d)(%d%d%d%d)$")
    if middle then return format_mobile(tonumber(middle), tonumber(last)) end
    return phone
  elseif mode == "chosung" then
    return kChosung[math.random(#kChosung)]
  elseif mode == "name" then
    return kFamily[math.random(#kFamily)] .. kGivenFirst[math.random(#kGivenFirst)]
  end
  error("lookup.lua: mode must be last4, phone, phone_known, chosung or name, not " .. tostring(mode))
end

setup = common.setup

function init(args)
  local option = common.options(args)
  mode = option("mode", "last4")
  local token = option("token")
  if not token then error("lookup.lua: no token (token=... or DANGOL_BENCH_TOKEN)") end
  math.randomseed(tonumber(option("seed", "1")) * 1000 + (thread_id or 0))
  if mode == "phone_known" then known_phones = read_lines(option("phones_file")) end
  local headers = {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"}
  local limit = option("limit")
  local suffix = limit and ("&limit=" .. common.url_encode(limit)) or ""
  requests = {}
  for i = 1, kRequestsPerThread do
    local path = "/api/v1/customers/lookup?q=" .. common.url_encode(random_query(mode)) .. suffix
    requests[i] = wrk.format("GET", path, headers)
  end
  next_request = 0
  common.count_statuses()
end

function request()
  next_request = next_request % kRequestsPerThread + 1
  return requests[next_request]
end

function done(summary, latency, requests_per_thread)
  common.report(summary, latency)
end
