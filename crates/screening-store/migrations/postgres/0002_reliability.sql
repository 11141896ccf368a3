-- Placement fencing and resumption, reconciliation, ordered deliveries, inbox ownership.
ALTER TABLE orders ADD COLUMN claim_token TEXT;
ALTER TABLE orders ADD COLUMN place_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN next_resume_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN synced_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN delivery_seq BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET synced_at = updated_at;
CREATE INDEX orders_sync ON orders (claim, synced_at);
CREATE INDEX orders_resume ON orders (claim, next_resume_at);

ALTER TABLE order_items ADD COLUMN invitation_seen_at BIGINT;
ALTER TABLE order_items ADD COLUMN report_seen_at BIGINT;

ALTER TABLE outbox ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN state_at BIGINT NOT NULL DEFAULT 0;
UPDATE outbox SET state_at = created_at;
CREATE INDEX outbox_order ON outbox (tenant_id, background_check_id, seq);

ALTER TABLE inbox ADD COLUMN lease_owner TEXT;
CREATE INDEX inbox_resource ON inbox (tenant_id, resource_type, resource_id, state);
