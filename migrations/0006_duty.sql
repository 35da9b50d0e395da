-- zhixing 0006: duty capabilities of issue 4 — reward notices (执行悬赏, INV arts 21–24), 执行110
-- tip-offs with police control (临控), 拒执罪 referrals (CRIM art 313; 法释〔2024〕13号) — and the
-- per-court settings they run with. Same portable rules as 0001; every case-owned table is keyed
-- (court_code, …). Tipster and reporter names and phones are confidential: only staff queries
-- read them, the public portal never selects those columns.

-- Per-court duty settings; a missing row means the defaults (30 / 120 minutes: seed 001's 24-hour
-- duty with fast response; 7 / 30 days: seed 000's 「7日内移送、30日内审结」).
CREATE TABLE duty_settings (
    court_code TEXT NOT NULL,
    urgent_response_minutes BIGINT NOT NULL,
    normal_response_minutes BIGINT NOT NULL,
    referral_transfer_days BIGINT NOT NULL,
    referral_trial_days BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code)
);

-- One reward application and, once approved, its published notice.
-- status: applied → approved | refused; approved → published | closed; published → closed.
-- amount_fen XOR formula, promise_to_pay, publish_via = the requested 发布方式 (INV art 21 items 1–3);
-- decide_by = applied_on + 10 days (INV art 21). channel = the contact printed on the notice.
-- debtor_name / debtor_id_masked / case_number / public_text are exactly what the notice shows.
CREATE TABLE reward_notices (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    case_number TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    debtor_name TEXT NOT NULL,
    debtor_id_masked TEXT NOT NULL,
    amount_fen BIGINT,
    formula TEXT,
    promise_to_pay SMALLINT NOT NULL,
    publish_via TEXT NOT NULL,
    channel TEXT NOT NULL,
    applied_on TEXT NOT NULL,
    decide_by TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_on TEXT,
    decided_by TEXT,
    decision_note TEXT,
    published_on TEXT,
    public_text TEXT,
    closed_on TEXT,
    close_note TEXT,
    last_lead_seq BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX reward_notices_case ON reward_notices (court_code, case_id);
CREATE INDEX reward_notices_public ON reward_notices (status, published_on);
CREATE INDEX reward_notices_id ON reward_notices (id);

-- Leads (线索) on a notice, numbered in the order received (INV art 23). tipster_* are confidential.
-- status: registered → verified | rejected. led_to_recovery/recovered_fen feed the success rate.
CREATE TABLE reward_leads (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    receipt_no TEXT NOT NULL,
    source TEXT NOT NULL,
    content TEXT NOT NULL,
    tipster_name TEXT NOT NULL,
    tipster_phone TEXT NOT NULL,
    status TEXT NOT NULL,
    verify_note TEXT,
    verified_on TEXT,
    verified_by TEXT,
    led_to_recovery SMALLINT NOT NULL,
    recovered_fen BIGINT NOT NULL,
    received_by TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id),
    UNIQUE (court_code, notice_id, seq)
);
CREATE INDEX reward_leads_id ON reward_leads (id);

-- Reward payouts (兑现), each for one verified lead; the sum per notice stays within the promise.
CREATE TABLE reward_payouts (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    declared_not_agent SMALLINT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX reward_payouts_notice ON reward_payouts (court_code, notice_id);

-- 执行110 tip-offs: from the public form or the phone operator; dispatched to a duty team with a
-- response deadline (respond_by, unix ms). status: new → dispatched → responded → closed.
-- reporter_* are confidential. case_id is set when the given case number matches a case.
CREATE TABLE tipoffs (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    receipt_no TEXT NOT NULL,
    source TEXT NOT NULL,
    case_number TEXT,
    case_id TEXT,
    debtor_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    urgent SMALLINT NOT NULL,
    content TEXT NOT NULL,
    location TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    reporter_phone TEXT NOT NULL,
    status TEXT NOT NULL,
    team_id TEXT,
    dispatched_at BIGINT,
    respond_by BIGINT NOT NULL,
    responded_at BIGINT,
    responded_by TEXT,
    outcome TEXT,
    closed_at BIGINT,
    closed_by TEXT,
    close_note TEXT,
    received_by TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX tipoffs_status ON tipoffs (court_code, status, respond_by);
CREATE INDEX tipoffs_team ON tipoffs (court_code, team_id, status);
CREATE INDEX tipoffs_id ON tipoffs (id);

-- 临控: a request to the public security organ to control a debtor, from a tip-off.
-- status: requested → controlled | not_found | refused.
CREATE TABLE police_controls (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    tipoff_id TEXT NOT NULL,
    case_id TEXT,
    agency TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome_at BIGINT,
    outcome_note TEXT,
    outcome_by TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX police_controls_tipoff ON police_controls (court_code, tipoff_id);
CREATE INDEX police_controls_id ON police_controls (id);

-- 拒执罪 referrals. package = the evidence package (JSON) built from the case's process events and
-- audit records plus the staff-listed violations; package_sm3 its digest.
-- status: drafted → referred → accepted | declined; declined → private_filed (自诉, REFUSE art 14)
-- → judged; accepted → judged. transfer_by = drafted_on + transfer days; conclude_by =
-- referred_on + trial days (local fast track, per-court settings).
CREATE TABLE refusal_referrals (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    status TEXT NOT NULL,
    suspect_name TEXT NOT NULL,
    facts TEXT NOT NULL,
    violations TEXT NOT NULL,
    package TEXT NOT NULL,
    package_sm3 TEXT NOT NULL,
    drafted_on TEXT NOT NULL,
    transfer_by TEXT NOT NULL,
    agency TEXT,
    referred_on TEXT,
    conclude_by TEXT,
    police_decided_on TEXT,
    police_note TEXT,
    applicant_evidence TEXT,
    private_filed_on TEXT,
    private_court TEXT,
    judgment_on TEXT,
    sentence TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX refusal_referrals_case ON refusal_referrals (court_code, case_id);
CREATE INDEX refusal_referrals_id ON refusal_referrals (id);

-- A tip-off that passed its response time without a response warned the command center once:
-- the row is the "fired" mark (INSERT … ON CONFLICT DO NOTHING RETURNING, so two schedulers
-- racing warn once).
CREATE TABLE tipoff_warnings (
    court_code TEXT NOT NULL,
    tipoff_id TEXT NOT NULL,
    warned_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, tipoff_id)
);
