-- A disbursement proposal may carry the proposer's idempotency key (the web form's per-render
-- key): a second submission of the same form answers with the first proposal instead of making
-- another. Unique per court and proposer; proposals without a key (NULL) are not constrained.
ALTER TABLE fund_disbursements ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX fund_disbursements_key ON fund_disbursements (court_code, proposed_by, idempotency_key);
