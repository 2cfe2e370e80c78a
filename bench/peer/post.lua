-- wrk script of bench/peer.sh: POSTs the GraphQL bodies of the files listed in BODIES
-- (separated by spaces) to /graphql, in turn, and counts answers that are not a 200
-- without "errors".
--
--   BODIES="a.json b.json" wrk -t2 -c16 -d8s -s post.lua http://127.0.0.1:8080
--
-- Prints one line for the caller to read:
--   result requests=N seconds=S bad=B errors=E p50_ms=.. p99_ms=..

local bodies = {}
for path in string.gmatch(os.getenv("BODIES") or "", "%S+") do
  local f = assert(io.open(path, "rb"))
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
assert(#bodies > 0, "BODIES names no file")

local headers = { ["Content-Type"] = "application/json" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/graphql", headers, bodies[(i % #bodies) + 1])
end

-- Each thread counts its bad answers; done() runs in another Lua state and reads them
-- through the thread objects kept by setup().
bad = 0
response = function(status, _, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end

local threads = {}
setup = function(thread)
  thread:set("i", #threads) -- threads start at different screens of the rotation
  threads[#threads + 1] = thread
end

done = function(summary, latency, _)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format("result requests=%d seconds=%.3f bad=%d errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, b, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
