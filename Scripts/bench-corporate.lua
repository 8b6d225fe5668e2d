-- wrk: «Абоненты» of a 10,000-line company, a page of 50 from a random place, each request as one of the admins'
-- sessions in $BENCH_TOKENS.
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local lines = tonumber(os.getenv("BENCH_LINES") or "10000")
local index = 0
math.randomseed(7)
request = function()
  index = index % #tokens + 1
  local cursor = string.format("%%2B7958%07d", math.random(0, lines - 51))
  return wrk.format("GET", "/api/v1/corporate/lines?limit=50&cursor=" .. cursor,
    { ["Authorization"] = "Bearer " .. tokens[index] })
end
