-- Webhook ingest: POST /webhooks/yardstik cycling through a pre-generated corpus of distinct,
-- signed Yardstik webhook bodies. Each wrk thread takes every Nth line, so no two requests of
-- one run repeat a body until the corpus is exhausted (pkg-scripts/bench sizes the corpus and
-- reports what the server counted as duplicates).
--   wrk -t T -c C -d D -s ingest.lua URL -- CORPUS_FILE T
-- Corpus lines: "<hex signature> <compact JSON body>".
local next_tid = 1
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2] or "1")
  sigs, bodies = {}, {}
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == tid - 1 then
      local sp = line:find(" ", 1, true)
      sigs[#sigs + 1] = line:sub(1, sp - 1)
      bodies[#bodies + 1] = line:sub(sp + 1)
    end
    n = n + 1
  end
  i = 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  i = i + 1
  if i > #bodies then i = 1 end
  headers["x-yardstik-webhook-signature"] = sigs[i]
  return wrk.format("POST", "/webhooks/yardstik", headers, bodies[i])
end
