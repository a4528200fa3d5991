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

-- Where a request comes from, as a branch network sends them: one of 500 branches, one of its
-- five counters, over one of three channels. A request is one kiosk's outbox, so a batch's
-- responses share their origin.
function origin()
  return string.format('{"channel":"%s","location":"b%03d","counter":"c%d"}',
    ({"kiosk", "web", "app"})[math.random(1, 3)], math.random(0, 499), math.random(0, 4))
end

-- A response submitted now (UTC), so live ingestion lands in the current hour's rollups as it
-- does in production.
function response_json(meta)
  local score = math.random(0, 10)
  return string.format(
    '{"id":"%s","survey_id":"nps","survey_version":1,"submitted_at":"%s","locale":"en","answers":{"nps":%d},"meta":%s}',
    uuid(), os.date("!%Y-%m-%dT%H:%M:%SZ"), score, meta or origin())
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
