-- zhixing 0002: process events, node deadlines (节点期限), warnings (红黄蓝), notifications, 督办.
-- Same portable rules as 0001. Every case-owned table is keyed (court_code, …).

-- Per-court warning threshold: blue when a deadline is within this many working days (issue 3 §2).
ALTER TABLE courts ADD COLUMN blue_working_days BIGINT NOT NULL DEFAULT 3;
-- Mobile number for key-node SMS warnings (seed 003: 关键节点短信预警).
ALTER TABLE users ADD COLUMN phone TEXT;

-- Local (per-court, stricter) deadline rules, same columns as data/deadline_rules.tsv.
CREATE TABLE court_deadline_rules (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    node TEXT NOT NULL,
    start_event TEXT NOT NULL,
    length BIGINT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    conflict_group TEXT,
    scope TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);

-- A court's choice in a conflict group (rules.md §1.3); without a row the stricter rule applies.
CREATE TABLE court_rule_choices (
    court_code TEXT NOT NULL,
    conflict_group TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    PRIMARY KEY (court_code, conflict_group)
);

-- Process events (流程节点 completed on a date). Append-only.
CREATE TABLE case_events (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    node TEXT NOT NULL,
    on_date TEXT NOT NULL,
    note TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX case_events_case ON case_events (court_code, case_id, on_date);

-- Excluded periods (扣除期间, TL2000 art 9; EPI art 13): stop the case-term clock.
CREATE TABLE excluded_periods (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL,
    note TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX excluded_periods_case ON excluded_periods (court_code, case_id);

-- Extensions of the case term (DL2006 art 1; TL2000 art 5): requested by the handler, decided by the
-- president. status: requested | approved | refused.
CREATE TABLE term_extensions (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    deadline_id TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    length BIGINT NOT NULL,
    unit TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_on TEXT,
    decided_by TEXT,
    decided_role TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX term_extensions_case ON term_extensions (court_code, case_id);

-- Node deadlines. status: pending | done | cancelled. level: the level last fired (NULL = none).
-- fire_at: the instant (unix ms, China midnight) of the next level change, NULL when none is left
-- (done, red, or a `minimum` rule): the scheduler reads only rows with fire_at <= now, so a tick
-- costs work proportional to what comes due, not to all open deadlines.
CREATE TABLE deadlines (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    node TEXT NOT NULL,
    key_node SMALLINT NOT NULL,
    rule_id TEXT NOT NULL,
    rule_version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    start_event_id TEXT,
    start_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    done_on TEXT,
    level TEXT,
    fire_at BIGINT,
    team_id TEXT,
    handler_id TEXT,
    derivation TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX deadlines_case ON deadlines (court_code, case_id, node);
CREATE INDEX deadlines_fire ON deadlines (fire_at);
CREATE INDEX deadlines_handler ON deadlines (court_code, handler_id, status, due_on);

-- The 红黄蓝 board as counters, kept in the same transaction as every level change, completion and
-- reassignment: the command-center board reads a few hundred rows instead of grouping every open
-- deadline. team_id / handler_id are '' when unassigned. Invariant (tests, `zhixing deadlines
-- check`): items = number of pending deadlines with that court, team, handler and level.
CREATE TABLE deadline_board (
    court_code TEXT NOT NULL,
    team_id TEXT NOT NULL,
    handler_id TEXT NOT NULL,
    level TEXT NOT NULL,
    items BIGINT NOT NULL,
    PRIMARY KEY (court_code, team_id, handler_id, level)
);

-- In-app inbox.
CREATE TABLE notifications (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    case_id TEXT,
    source_kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    level TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- SMS outbox: written in the transaction that fires the warning, delivered by a separate job through
-- the configured gateway, so a crash between the two neither loses nor duplicates a message.
CREATE TABLE sms_outbox (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    phone TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX sms_outbox_pending ON sms_outbox (sent_at, created_at);

-- 督办: supervision items opened on a case by the command center or a higher court.
-- status: open | replied | escalated (escalated items stay open for a reply).
CREATE TABLE supervisions (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opener_court TEXT NOT NULL,
    reason TEXT NOT NULL,
    reply_due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    reply TEXT,
    replied_by TEXT,
    replied_at BIGINT,
    escalated_at BIGINT,
    fire_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX supervisions_case ON supervisions (court_code, case_id);
CREATE INDEX supervisions_fire ON supervisions (fire_at);

-- Evidence files from field work (photos, audio, video, scans), stored content-addressed by SM3
-- digest outside the database (files/<2 hex>/<digest>) and linked to the case and, optionally, the
-- process event they document. The digest is also in the audit record of the upload, so a file
-- swapped on disk no longer matches either.
CREATE TABLE evidence_files (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    event_id TEXT,
    sm3 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX evidence_files_case ON evidence_files (court_code, case_id);
