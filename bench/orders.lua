-- wrk script for order posting, POST /api/v1/orders, as a POS sends a sale: every request carries a
-- new external id, so every 201 is a new order committed to disk before the answer (a 200 would be a
-- replay of an earlier external id, which this script should never cause).
--
--   wrk -t2 -c64 -d15s --latency -s bench/orders.lua http://127.0.0.1:PORT -- \
--       token=TOKEN branches=1,2,3 customers=11,12,13 run=20261123T120000
--
-- Options (`key=value` after `--`, or the environment variable DANGOL_BENCH_<KEY>):
--   token     an API token of the demo business with the right to post orders (required);
--   branches  comma-separated branch ids of that business (required);
--   customers comma-separated customer ids of that business, or
--   customers_file  a file with one customer id per line (one of the two is required). Spread the
--             orders over many customers: each sale counts the customer's sales of the last 12
--             months, so a few customers with thousands of bench orders each measure that count
--             rather than order posting;
--   kind      "sale" (default) posts orders; "redeem" spends 1 point of a customer instead
--             (POST /api/v1/customers/{id}/redeem with a new Idempotency-Key each time), to
--             measure durable redemptions; a 409 there is a refusal for a short balance;
--   run       a prefix that makes external ids unique across runs against one database
--             (default: the start time in seconds);
--   seed      added to the per-thread seed (default 1).
-- external_id = "<run>-<thread>-<counter>" with external_source "bench".

local script_dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local common = dofile(script_dir .. "/wrk_common.lua")

setup = common.setup

function init(args)
  local option = common.options(args)
  mode = "orders"
  local token = option("token")
  branches = common.split(option("branches"))
  customers = common.split(option("customers"))
  local customers_file = option("customers_file")
  if #customers == 0 and customers_file then
    local file = io.open(customers_file, "r")
    if not file then error("orders.lua: cannot read " .. customers_file) end
    for line in file:lines() do
      local id = line:match("^%s*(%d+)%s*$")
      if id then customers[#customers + 1] = id end
    end
    file:close()
  end
  if not token then error("orders.lua: no token (token=... or DANGOL_BENCH_TOKEN)") end
  if #branches == 0 or #customers == 0 then error("orders.lua: branches=... and customers=... (or customers_file=...) are required") end
  for _, list in ipairs({branches, customers}) do
    for _, id in ipairs(list) do
      if not id:match("^%d+$") then error("orders.lua: ids must be integers, not " .. id) end
    end
  end
  math.randomseed(tonumber(option("seed", "1")) * 1000 + (thread_id or 0))
  id_prefix = string.format("%s-%d-", option("run", tostring(os.time())), thread_id or 0)
  headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }
  kind = option("kind", "sale")
  if kind ~= "sale" and kind ~= "redeem" then error("orders.lua: kind must be sale or redeem") end
  counter = 0
  common.count_statuses()
end

local function redeem_request()
  local keyed = {}
  for name, value in pairs(headers) do keyed[name] = value end
  keyed["Idempotency-Key"] = id_prefix .. counter
  local body = '{"amount":1,"branch_id":' .. branches[math.random(#branches)] .. ',"reason":"bench"}'
  return wrk.format("POST", "/api/v1/customers/" .. customers[math.random(#customers)] .. "/redeem", keyed, body)
end

function request()
  counter = counter + 1
  if kind == "redeem" then return redeem_request() end
  local body = '{"branch_id":' .. branches[math.random(#branches)] ..
      ',"customer_id":' .. customers[math.random(#customers)] ..
      ',"external_source":"bench","external_id":"' .. id_prefix .. counter ..
      '","lines":[{"product":"아메리카노","category":"커피","quantity":1,"unit_price":4500}]}'
  return wrk.format("POST", "/api/v1/orders", headers, body)
end

function done(summary, latency, requests_per_thread)
  common.report(summary, latency, "orders")
end
