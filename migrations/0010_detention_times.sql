-- The times of a detention (issue 4): the family must be notified within 24 hours of the detention
-- (民诉法解释 art 180), which a day alone cannot show. `executed_at` is when the measure was carried
-- out (`YYYY-MM-DD HH:MM`, China time) when it was recorded; `family_notified_at` is when the family
-- was notified (`YYYY-MM-DD HH:MM`, or `YYYY-MM-DD` where only the day was recorded).
ALTER TABLE measures ADD COLUMN executed_at TEXT;
ALTER TABLE measures ADD COLUMN family_notified_at TEXT;
