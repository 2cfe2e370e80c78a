-- A dashboard mix for wrk: each request is one screen of a territorial dashboard,
-- drawn in turn from the list below (region pages, department pages, EPCI pages,
-- search, roll-ups over the national demo data).
local screens = {
  '{"query":"{ territory(level: REGION, code: \\"53\\") { name population dashboard { sector { code name } ghgAvoided levers { lever { code name } ghgAvoided physicalTarget diagnostic { status } } } } }"}',
  '{"query":"{ territory(level: REGION, code: \\"84\\") { name rollup { actionCount budget adoptedKtco2e coverage gap } rollupBy(groupBy: CHILD, level: DEPARTMENT) { territory { code name } rollup { actionCount budget adoptedKtco2e coverage } } } }"}',
  '{"query":"{ territory(level: DEPARTMENT, code: \\"35\\") { name children(level: EPCI, first: 50) { totalCount edges { node { code name population parents { weight parent { code } } } } } } }"}',
  '{"query":"{ territory(level: EPCI, code: \\"243500139\\") { name population ancestors { level code name } rollup { actionCount budget effectKtco2e committed { status ktco2e } coverage gap } rollupBy(groupBy: SECTOR) { sector { code } rollup { budget adoptedKtco2e } } } }"}',
  '{"query":"{ searchTerritories(text: \\"st malo\\") { level code name population } }"}',
  '{"query":"{ territory(level: COUNTRY, code: \\"FR\\") { rollupBy(groupBy: CHILD, level: REGION) { territory { code name } rollup { actionCount budget adoptedKtco2e objectiveKtco2e coverage gap } } } }"}',
  '{"query":"{ territory(level: REGION, code: \\"11\\") { breakdown(lever: \\"augm_voitelec\\", level: DEPARTMENT) { unit targetValue shares { territory { code } weight targetValue } } } }"}',
  '{"query":"{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) { totalCount edges { node { code name population nature } } } }"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json" }, screens[(i % #screens) + 1])
end

-- Fail loudly if the server answers anything but 200. Each thread counts in its own Lua
-- state; done() runs in another one and reads the counts through the threads setup() kept.
bad = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

done = function(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("bad") end
  io.write(string.format("requests %d, errors %d, non-200 or GraphQL errors %d\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, bad))
  io.write(string.format("throughput %.0f req/s, latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
