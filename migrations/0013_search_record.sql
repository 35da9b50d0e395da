-- The record of a carried-out search (搜查笔录, issue 4): the warrant shown, who attended (the
-- debtor or adult family and the 基层组织, or the entity's legal representative), whether a woman's
-- body was searched by a female officer, what was found, and the signatures or who refused to sign
-- (民诉法解释 arts 495–498). One JSON object (`zhixing_domain::measure::SearchRecord`), checked by
-- `check_search_record` before it is written; NULL for every other measure.
ALTER TABLE measures ADD COLUMN search_record TEXT;
