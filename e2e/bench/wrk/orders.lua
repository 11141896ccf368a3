-- Order intake: POST /ats/orders (the ATS partner contract, HTTP Basic) with a new
-- background_check_id and applicant email on every request.
--   wrk -t T -c C -d D -s orders.lua URL -- RUN_ID WEBHOOK_URL
local next_tid = 1
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  run, webhook = args[1], args[2]
  n = 0
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Basic ZGVtby1hdHM6ZGVtby1hdHMtc2VjcmV0", -- demo-ats:demo-ats-secret
  }
end

function request()
  n = n + 1
  local id = string.format("%s-%d-%d", run, tid, n)
  local body = string.format(
    '{"account_id":"demo-ats","hiring_manager_user_id":"67890","background_check_id":"%s",' ..
    '"package_id":"PKG001","add_on_package_ids":[],"webhook_url":"%s",' ..
    '"hiring_manager":{"id":"67890","first_name":"Jill","last_name":"Smith","email":"jill@example.com"},' ..
    '"applicant":{"id":"a-%s","first_name":"John","last_name":"Doe","phone":"888-555-1234",' ..
    '"email":"%s@example.com","address":"123 Main St.","address_2":"Apt. 1","city":"Springfield",' ..
    '"state":"IL","zip":"12345"},"job":{"id":"12345"}}', id, webhook, id, id)
  return wrk.format("POST", "/ats/orders", headers, body)
end
