-- wrk: GET the authenticated dashboard, each request as one of the sessions in $BENCH_TOKENS (one token per line).
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local index = 0
request = function()
  index = index % #tokens + 1
  return wrk.format("GET", "/api/v1/me/dashboard", { ["Authorization"] = "Bearer " .. tokens[index] })
end
