-- wrk script: each request delivers the next signed sandbox webhook from $BENCH_WEBHOOKS ("signature<TAB>body" per
-- line), so every request credits a different pending payment.
local hooks = {}
local next_hook = 1

function init(args)
    local file = assert(io.open(os.getenv("BENCH_WEBHOOKS"), "r"))
    for line in file:lines() do
        local signature, body = line:match("^([^\t]+)\t(.+)$")
        if signature then hooks[#hooks + 1] = { signature, body } end
    end
    file:close()
    -- Each wrk thread takes its own slice of the payments.
    next_hook = 1 + (tonumber(os.getenv("BENCH_WEBHOOK_OFFSET") or "0") or 0)
end

function request()
    local hook = hooks[next_hook]
    next_hook = next_hook + 1
    if hook == nil then
        hook = hooks[1]
    end
    return wrk.format("POST", "/api/v1/payments/webhook/sandbox",
        { ["Content-Type"] = "application/json", ["X-Signature"] = hook[1] }, hook[2])
end
