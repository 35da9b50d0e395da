-- zhixing 0005: coercive measures (强制措施), credit punishment (失信, 限制消费), their approvals by
-- the 院长, the published lists and the joint-punishment change feed (issue 4; rules.md §4, §7).
-- Same portable rules as 0001. Every case-owned table is keyed (court_code, …).

-- One measure against one subject in one case: 执行通知, 报告财产令, 限制消费令, 失信, 拘传, 罚款,
-- 拘留, 搜查, 限制出境, 媒体公布. `params` holds the kind's validated inputs as JSON (amounts in 分,
-- days, hours, ground, persons bound by a 限制消费令 …); the columns are what queries need.
-- status: pending_approval → effective | refused; effective → lifted | expired | deleted | ended.
CREATE TABLE measures (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_party_id TEXT,
    subject_kind TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    subject_id_number TEXT NOT NULL,
    params TEXT NOT NULL,
    amount_fen BIGINT,
    status TEXT NOT NULL,
    needs_approval SMALLINT NOT NULL,
    document_number TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_on TEXT NOT NULL,
    decided_by TEXT,
    decided_on TEXT,
    effective_on TEXT,
    publish_on TEXT,
    expires_on TEXT,
    ended_on TEXT,
    end_reason TEXT,
    executed_on TEXT,
    execution_note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX measures_case ON measures (court_code, case_id, kind);
CREATE INDEX measures_status ON measures (court_code, status, kind);
-- The scheduler's timer: effective measures with a term end (失信 2 years, 拘留 days).
CREATE INDEX measures_expiry ON measures (expires_on);

-- The approval step (审批) of a measure the law reserves to the 院长. One row per request; a
-- refused approval stops the measure.
CREATE TABLE measure_approvals (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    measure_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    approver_role TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_at BIGINT,
    comment TEXT,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX measure_approvals_open ON measure_approvals (court_code, decision, requested_at);

-- The published lists (失信被执行人名单, 限制消费人员, 终本案件) with the fields of SX2017 art 6,
-- denormalised so the public portal and the in-memory lookup index read one table. `id_number` is
-- the full number and never leaves the server for anonymous users (the portal masks it).
-- list: dishonest | restricted | terminated. status: listed | deleted.
CREATE TABLE public_list_entries (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    list TEXT NOT NULL,
    measure_id TEXT,
    case_id TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    sex TEXT,
    birth_date TEXT,
    legal_representative TEXT,
    case_number TEXT NOT NULL,
    court_name TEXT NOT NULL,
    basis TEXT NOT NULL,
    obligation TEXT NOT NULL,
    performance TEXT NOT NULL,
    conduct TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    listed_on TEXT NOT NULL,
    publish_on TEXT NOT NULL,
    status TEXT NOT NULL,
    deleted_on TEXT,
    delete_reason TEXT,
    updated_at BIGINT NOT NULL,
    -- 1 once the partners' feed has the entry's 'add': at the decision, or — when a grace period
    -- (宽限期) delays publication — on the publication date (the scheduler), so no partner punishes
    -- before the court publishes.
    feed_sent SMALLINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX public_list_key ON public_list_entries (list, id_number);
CREATE INDEX public_list_unsent ON public_list_entries (feed_sent, publish_on);
CREATE INDEX public_list_case ON public_list_entries (court_code, case_id);

-- The joint-punishment feed (SX2017 art 8): every add / change / delete of a list entry, in id
-- order (UUIDv7, time-ordered). Partners pull with a cursor; readers see only changes older than
-- a settle window so a slower concurrent commit cannot be skipped.
CREATE TABLE list_changes (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    list TEXT NOT NULL,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX list_changes_feed ON list_changes (id);

-- Correction requests (纠正申请, SX2017 arts 11–12): decided within 15 days, corrected within 3
-- working days when justified.
CREATE TABLE list_corrections (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    ground TEXT NOT NULL,
    statement TEXT NOT NULL,
    received_on TEXT NOT NULL,
    decide_by TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_on TEXT,
    correct_by TEXT,
    decided_by TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX list_corrections_entry ON list_corrections (court_code, entry_id);

-- A per-court document-number counter (文书编号): each document of a case gets 之一, 之二 …
CREATE TABLE document_serials (
    court_code TEXT NOT NULL,
    case_id TEXT NOT NULL,
    next_serial BIGINT NOT NULL,
    PRIMARY KEY (court_code, case_id)
);

-- Query codes (查询码) with which a party follows the case on the public portal (执行公开): issued
-- by staff, shown once, stored as SM3; a new issue replaces the old code.
CREATE TABLE party_query_codes (
    court_code TEXT NOT NULL,
    case_id TEXT NOT NULL,
    party_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    PRIMARY KEY (court_code, case_id, party_id)
);
