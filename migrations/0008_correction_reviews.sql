-- 复议 of a rejected correction request (SX2017 art 12: to the next-higher court within 10 days of
-- receiving the rejection; decided within 15 days; no stay) shares the 复议 table of fines and
-- detentions: `subject` says what is reviewed, and `measure_id` then holds the subject's id (a
-- measure, or a list_corrections row). UNIQUE (court_code, measure_id) keeps "one 复议" for both.
ALTER TABLE measure_reviews ADD COLUMN subject TEXT NOT NULL DEFAULT 'measure';
-- A case's 复议 (the case's measures page), led by the sharding key.
CREATE INDEX measure_reviews_case ON measure_reviews (court_code, case_id);
