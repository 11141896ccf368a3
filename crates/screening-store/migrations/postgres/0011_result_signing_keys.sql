-- A tenant's secrets for signing result webhooks (Standard Webhooks), sealed with the master
-- key. More than one while a rotation's overlap lasts: `expires_at` (unix ms) ends the old.
CREATE TABLE result_signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
);
CREATE INDEX result_signing_keys_tenant ON result_signing_keys (tenant_id);
