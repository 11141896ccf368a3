-- What the ATS sent about who ordered and for which job (JSON, as sent), kept with the order;
-- the applicant's details, sealed, until the placement is finished (the server completes an
-- accepted order without the ATS, so it must be able to create the candidate); and the
-- result link's revocation counter (a link carries the value it was issued under).
ALTER TABLE orders ADD COLUMN ats_context TEXT;
ALTER TABLE orders ADD COLUMN applicant_sealed TEXT;
ALTER TABLE orders ADD COLUMN result_link_epoch BIGINT NOT NULL DEFAULT 0;
