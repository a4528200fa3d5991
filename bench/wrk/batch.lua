-- BATCH responses per request (default 500, the most the API takes).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local size = tonumber(os.getenv("BATCH") or "500")
function request()
  local items = {}
  for i = 1, size do items[i] = response_json() end
  return wrk.format(nil, nil, nil, "[" .. table.concat(items, ",") .. "]")
end
