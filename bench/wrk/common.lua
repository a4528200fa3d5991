-- Shared by the ingestion scenarios: unique responses to the nps template, so every request
-- inserts new rows (identical bodies would only exercise the duplicate path).
local counter = 0
local seed = 0

function setup(thread)
  seed = seed + 1
  thread:set("thread_seed", seed)
end

local function uuid()
  counter = counter + 1
  -- Random high bits per run and thread, a counter in the low bits: unique across the run.
  return string.format("%08x-%04x-4%03x-8%03x-%012x",
    math.random(0, 0xffffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    (thread_seed or 0) % 0x1000, counter)
end

function response_json()
  local score = math.random(0, 10)
  return string.format(
    '{"id":"%s","survey_id":"nps","survey_version":1,"submitted_at":"2026-11-22T10:00:00+08:00","locale":"en","answers":{"nps":%d},"meta":{"channel":"bench"}}',
    uuid(), score)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_seed or 0))
  wrk.method = "POST"
  wrk.path = "/api/v1/responses"
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors_status=%d errors_connect=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
