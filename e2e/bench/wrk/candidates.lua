-- Order-intake reference: the first Yardstik call an order makes, POST /candidates, straight
-- to the sandbox with a new email every request.
--   wrk -t T -c C -d D -s candidates.lua SANDBOX_URL -- RUN_ID
local next_tid = 1
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  run = args[1]
  n = 0
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Account demo-yardstik-key" }
end

function request()
  n = n + 1
  local body = string.format(
    '{"first_name":"John","last_name":"Doe","email":"%s-%d-%d@example.com","phone":"888-555-1234"}', run, tid, n)
  return wrk.format("POST", "/candidates", headers, body)
end
