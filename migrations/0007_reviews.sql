-- 复议 of a 罚款/拘留 decision to the next-higher court (CPL art 119: one 复议, no stay;
-- CPLI art 185: apply within 3 days of receiving the decision, decided within 5 days).
-- Keyed by the court that made the decision (the sharding key); `review_court` is the higher
-- court that decides. One review per measure ("复议一次").
CREATE TABLE measure_reviews (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    measure_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    review_court TEXT NOT NULL,
    applicant TEXT NOT NULL,
    received_on TEXT NOT NULL,
    applied_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    decide_by TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_on TEXT,
    decided_by TEXT,
    decision_note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id),
    UNIQUE (court_code, measure_id)
);
CREATE INDEX measure_reviews_review_court ON measure_reviews (review_court, status, decide_by);
