-- One response per request, paced: each connection waits PACE_MS between requests, so
-- about connections × 1000 / (PACE_MS + latency) requests per second (4 × 1000 / 18.8 ≈ 213).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local pace = tonumber(os.getenv("PACE_MS") or "18")
function request()
  return wrk.format(nil, nil, nil, response_json())
end
function delay()
  return pace
end
