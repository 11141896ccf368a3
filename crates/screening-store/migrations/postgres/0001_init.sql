-- Portable schema (PostgreSQL flavour). Times are unix milliseconds (BIGINT), flags are 0/1.
CREATE TABLE tenants (
    id TEXT PRIMARY KEY NOT NULL,
    ats_account_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    yardstik_account_lookup TEXT NOT NULL UNIQUE,
    sealed TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE orders (
    tenant_id TEXT NOT NULL,
    background_check_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    package_id TEXT NOT NULL,
    add_on_package_ids TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    applicant_id TEXT,
    claim TEXT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    candidate_id TEXT,
    status TEXT NOT NULL,
    result TEXT,
    response TEXT,
    error_status BIGINT,
    error_body TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, background_check_id)
);

CREATE TABLE order_items (
    tenant_id TEXT NOT NULL,
    background_check_id TEXT NOT NULL,
    package_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    add_on BIGINT NOT NULL,
    yardstik_package_id TEXT NOT NULL,
    invitation_id TEXT,
    report_id TEXT,
    invitation_status TEXT,
    report_status TEXT,
    apply_url TEXT,
    status TEXT NOT NULL,
    result TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, background_check_id, package_id)
);
CREATE INDEX order_items_invitation ON order_items (tenant_id, invitation_id);
CREATE INDEX order_items_report ON order_items (tenant_id, report_id);

CREATE TABLE order_events (
    id BIGSERIAL PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    background_check_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    detail TEXT
);
CREATE INDEX order_events_order ON order_events (tenant_id, background_check_id);

CREATE TABLE inbox (
    tenant_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX inbox_due ON inbox (state, next_attempt_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    background_check_id TEXT NOT NULL,
    url TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_status BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
