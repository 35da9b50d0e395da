-- zhixing foundation schema.
-- Portable subset shared by SQLite and PostgreSQL (see ARCHITECTURE.md "Storage"):
--   ids made by the application (UUIDv7 text); instants BIGINT unix ms UTC; dates TEXT YYYY-MM-DD;
--   booleans SMALLINT 0/1; money BIGINT 分; JSON as TEXT; no SERIAL, NUMERIC, native UUID/JSON.
-- Every case-owned table has court_code as the first key column, so a distributed engine
-- (Citus, CockroachDB, YugabyteDB) can shard by court. Reference tables (courts, calendar) are small
-- and replicated. Append-only: never edit this file once applied; add 0002_… instead.

-- Courts: built-in table from GB/T 2260 plus configured special courts. path = ancestor codes joined
-- with '/', e.g. '最高法/川/川11/川1123', so "this court and everything below it" is a prefix match.
CREATE TABLE courts (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT,
    division_code TEXT,
    special SMALLINT NOT NULL DEFAULT 0,
    path TEXT NOT NULL,
    -- 繁简分流: claims up to this amount go to the fast track (default 20,000 元, seed 003)
    triage_fast_max_fen BIGINT NOT NULL DEFAULT 2000000
);
CREATE INDEX courts_path ON courts (path);

CREATE TABLE teams (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- 'fast' | 'standard' | 'command'
    track TEXT NOT NULL,
    active SMALLINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id),
    UNIQUE (court_code, name)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    court_code TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id TEXT,
    password_hash TEXT NOT NULL,
    active SMALLINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_court_team ON users (court_code, team_id);

-- API bearer tokens: only the SM3 hash of the token is stored.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Web sessions: only the SM3 hash of the cookie value is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Case-number serials: one counter per (court, year, specialty, type), incremented inside the filing
-- transaction, so a rolled-back filing gives its number back (no gaps, no repeats).
CREATE TABLE case_serials (
    court_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    specialty_code TEXT NOT NULL,
    type_code TEXT NOT NULL,
    last_serial BIGINT NOT NULL,
    PRIMARY KEY (court_code, year, specialty_code, type_code)
);

CREATE TABLE cases (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_number TEXT NOT NULL,
    year BIGINT NOT NULL,
    specialty_code TEXT NOT NULL,
    type_code TEXT NOT NULL,
    serial BIGINT NOT NULL,
    filed_on TEXT NOT NULL,
    basis_court TEXT NOT NULL,
    basis_document_number TEXT NOT NULL,
    basis_document_type TEXT NOT NULL,
    claim_fen BIGINT NOT NULL,
    track TEXT NOT NULL,
    triage_reason TEXT NOT NULL,
    team_id TEXT,
    handler_id TEXT,
    assignment_reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id),
    -- The case number renders (year, specialty, type, serial) unambiguously (CaseNumber::new), so this
    -- one key also makes serials unique per court, year and type; a second UNIQUE over the tuple
    -- cost one more index insert per case for no extra guarantee.
    UNIQUE (court_code, case_number)
);
CREATE INDEX cases_court_status ON cases (court_code, status, filed_on);
CREATE INDEX cases_court_team ON cases (court_code, team_id, status);
CREATE INDEX cases_court_handler ON cases (court_code, handler_id, status);
CREATE INDEX cases_court_filed ON cases (court_code, filed_on);
-- lookup by the globally unique id (API paths carry only the id)
CREATE INDEX cases_id ON cases (id);

CREATE TABLE parties (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT,
    credit_code TEXT,
    legal_representative TEXT,
    phone TEXT,
    address TEXT,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX parties_case ON parties (court_code, case_id);
CREATE INDEX parties_id_number ON parties (id_number);
CREATE INDEX parties_credit_code ON parties (credit_code);

-- Duplicate-filing guard: one enforcement basis against one debtor is filed once per court and type.
-- The UNIQUE key makes the guard hold under concurrent filings too.
CREATE TABLE case_filing_keys (
    court_code TEXT NOT NULL,
    type_code TEXT NOT NULL,
    basis_document_number TEXT NOT NULL,
    debtor_key TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (court_code, type_code, basis_document_number, debtor_key)
);

-- Workload counters for 分案, kept in the same transaction as the case rows they count, so choosing
-- the least-loaded team or judge costs O(teams) instead of counting every open case per filing.
-- assignee_id is a team id or a user id. Invariant (checked by tests and `zhixing check-workloads`):
-- open_cases = number of non-closed cases whose team_id / handler_id is the assignee.
CREATE TABLE workloads (
    court_code TEXT NOT NULL,
    assignee_id TEXT NOT NULL,
    open_cases BIGINT NOT NULL,
    PRIMARY KEY (court_code, assignee_id)
);
-- Cases assigned per assignee per filing day: the 30-day tie-breaker sums at most 30 rows.
CREATE TABLE daily_assignments (
    court_code TEXT NOT NULL,
    assignee_id TEXT NOT NULL,
    day TEXT NOT NULL,
    cases BIGINT NOT NULL,
    PRIMARY KEY (court_code, assignee_id, day)
);

-- Assignment history (分案/改派), shown on the case page.
CREATE TABLE case_assignments (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    team_id TEXT,
    handler_id TEXT,
    reason TEXT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX case_assignments_case ON case_assignments (court_code, case_id, at);

-- Audit log (全程留痕): every write appends one row, chained per court with SM3:
-- hash = SM3(prev_hash ‖ canonical(record)). seq is gapless per court.
CREATE TABLE audit_log (
    court_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    case_id TEXT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (court_code, seq)
);
CREATE INDEX audit_log_case ON audit_log (court_code, case_id, seq);
