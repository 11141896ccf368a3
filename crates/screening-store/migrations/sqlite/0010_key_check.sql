-- The master key's check value: a process holding another key is stopped before it writes.
CREATE TABLE key_check (
    id INTEGER PRIMARY KEY NOT NULL,
    check_value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
