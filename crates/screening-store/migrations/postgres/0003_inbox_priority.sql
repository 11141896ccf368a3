-- Inbox claiming by priority: events that can finish an order (a report's progress) are
-- processed before a backlog of creation notices; oldest first within a priority. The
-- claim reads `inbox_claim` in that order and stops after the rows it takes; whether a
-- resource has an event leased is one seek in `inbox_resource_lease`.
ALTER TABLE inbox ADD COLUMN priority BIGINT NOT NULL DEFAULT 1;
CREATE INDEX inbox_claim ON inbox (state, priority, received_at);
DROP INDEX inbox_resource;
CREATE INDEX inbox_resource_lease ON inbox (tenant_id, resource_type, resource_id, state, lease_until);
