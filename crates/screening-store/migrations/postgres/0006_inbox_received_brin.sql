-- Done events are deleted once older than SCREENING_INBOX_KEEP. A BRIN index on
-- received_at finds them (rows arrive in received_at order, so block ranges stay narrow)
-- for a few pages of index, and costs an insert nothing per row; settling does not touch
-- it. SQLite finds them by rowid order instead (see Db::prune_done_events).
CREATE INDEX inbox_received ON inbox USING brin (received_at);
