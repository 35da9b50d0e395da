-- What carrying out a measure must record beyond its day (issue 4).
-- `search_record`: the record of a search (搜查笔录): the warrant shown, who attended (the debtor or
-- adult family and the 基层组织, or the entity's legal representative), whether a woman's body was
-- searched by a female officer, what was found, and the signatures or who refused to sign
-- (民诉法解释 arts 495–498). One JSON object (`zhixing_domain::measure::SearchRecord`), checked by
-- `check_search_record` before it is written; NULL for every other measure.
-- `questioning_ended_at`: a 拘传's questioning ended (`YYYY-MM-DD HH:MM`, China time); with
-- `executed_at` (the arrival) it shows the questioning stayed within 8 hours, or 24 where detention
-- may follow (民诉法解释 art 482); NULL for every other measure.
ALTER TABLE measures ADD COLUMN search_record TEXT;
ALTER TABLE measures ADD COLUMN questioning_ended_at TEXT;
