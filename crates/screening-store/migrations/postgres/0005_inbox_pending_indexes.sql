-- The inbox keeps every event it settled (to recognise Yardstik's retries), so most rows are
-- `done`. Only pending events are claimed, and only failed ones are listed: the claim and
-- lease indexes now hold pending rows only, and a small index finds the failed ones. A
-- settled event leaves both indexes (one delete each, instead of a delete and an insert
-- into an index that grew with the whole history), and the indexes stay as small as the
-- queue.
DROP INDEX inbox_claim;
DROP INDEX inbox_resource_lease;
CREATE INDEX inbox_claim ON inbox (priority, received_at) WHERE state = 'pending';
CREATE INDEX inbox_resource_lease ON inbox (tenant_id, resource_type, resource_id, lease_until) WHERE state = 'pending';
CREATE INDEX inbox_failed ON inbox (received_at) WHERE state = 'failed';
