-- zhixing 0004: warnings for unidentified funds (不明款) before and after their claim deadline.
-- claim_fire_at is the instant (China midnight) of the next warning of an unidentified receipt:
-- its claim deadline's last day (yellow), then the day after (red); NULL once claimed or warned.
-- The scheduler reads only rows with claim_fire_at <= now, like deadlines.fire_at.
ALTER TABLE fund_receipts ADD COLUMN claim_fire_at BIGINT;
CREATE INDEX fund_receipts_claim_fire ON fund_receipts (claim_fire_at);
