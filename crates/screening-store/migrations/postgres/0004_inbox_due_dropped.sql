-- Every reader of pending events goes through `inbox_claim` (state, priority, received_at),
-- which also serves the queue-depth figures; `inbox_due` only cost each insert and each
-- settled event one more index write.
DROP INDEX inbox_due;
