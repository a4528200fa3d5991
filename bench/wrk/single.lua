-- One response per request, as fast as the connections allow.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
function request()
  return wrk.format(nil, nil, nil, response_json())
end
