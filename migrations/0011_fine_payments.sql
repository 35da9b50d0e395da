-- A fine line of a disbursement may name the fine decision (a `measures` row) it pays (issue 4):
-- no fine is paid beyond its amount, and a fine revoked or lowered on 复议 after it was paid has
-- the excess taken back out of fine income into the case account, to be refunded to the payer.
ALTER TABLE fund_disbursement_lines ADD COLUMN measure_id TEXT;
-- What a fine has been paid: led by the sharding key.
CREATE INDEX fund_disbursement_lines_measure ON fund_disbursement_lines (court_code, measure_id);
