-- The network's call check: each request asks about BENCH_BATCH calls to random seeded lines (+7 958 NNN NN NN),
-- a share BENCH_HITS (default 0.5) of them from a number on the callee's black list (+7 495 …, as cabinet-bench
-- blacklist-seed writes them), the others from numbers that are not lines. BENCH_BATCH=0 sends an empty batch: the
-- endpoint's floor (HTTP, the operator key, JSON), with nothing to check. BENCH_UNKNOWN=1 asks about calls between
-- numbers that are not lines: per call only its JSON and numbers, and the batch's one read that finds none of them.
local lines = tonumber(os.getenv("BENCH_LINES")) or 10000
local batch = tonumber(os.getenv("BENCH_BATCH")) or 1
local per_line = tonumber(os.getenv("BENCH_PER_LINE")) or 3
local hits = tonumber(os.getenv("BENCH_HITS")) or 0.5
local unknown = os.getenv("BENCH_UNKNOWN") == "1"
local key = os.getenv("BENCH_KEY")
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

local function item()
  counter = counter + 1
  local line = math.random(0, lines - 1)
  local from
  if math.random() < hits and per_line > 0 then
    local k = math.random(0, per_line - 1)
    from = string.format("+7495%07d", (line * 7 + k * 1000003) % 10000000)
  else
    from = string.format("+7916%07d", math.random(0, 9999999))
  end
  local to = unknown and string.format("+7917%07d", math.random(0, 9999999)) or string.format("+7958%07d", line)
  if unknown then from = string.format("+7916%07d", math.random(0, 9999999)) end
  return string.format('{"id":"w%d-%d","from":"%s","to":"%s","kind":"voice","at":"2026-11-30T12:00:00Z"}',
    math.random(0, 999999999), counter, from, to)
end

function request()
  local items = {}
  for i = 1, batch do items[i] = item() end
  return wrk.format(nil, "/operator/v1/calls/check", nil, '{"items":[' .. table.concat(items, ",") .. ']}')
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("check answered " .. status .. ": " .. body .. "\n")
  end
end
