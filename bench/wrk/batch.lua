-- BATCH responses per request (default 500, the most the API takes), all from one kiosk.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local size = tonumber(os.getenv("BATCH") or "500")
function request()
  local items = {}
  local meta = origin()
  for i = 1, size do items[i] = response_json(meta) end
  return wrk.format(nil, nil, nil, "[" .. table.concat(items, ",") .. "]")
end
