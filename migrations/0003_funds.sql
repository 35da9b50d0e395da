-- 执行款 (case_funds): one account per case and a double-entry, append-only journal (issue 5).
-- Portable subset as in 0001. Every table is keyed by court_code first (sharding by court).
-- Sign convention: amount_fen / balance_fen are raw signed amounts, debits positive. The bank
-- clearing account is debit-normal; every other account (case funds, 不明款, payables, income) is
-- credit-normal, so its raw balance is <= 0 and "money held" is its negation.

-- Per-court settings: claim period of unidentified funds (default 3 days, rules.md §5 [S] 嘉鱼).
CREATE TABLE fund_settings (
    court_code TEXT NOT NULL,
    claim_days BIGINT NOT NULL,
    PRIMARY KEY (court_code)
);

-- One row per ledger account with its running balance. Changed only together with the journal
-- lines that explain it (zhixing_store::funds::post). The CHECK is the last line of defence for
-- "a case account never goes below zero": no credit-normal account may hold a negative amount.
CREATE TABLE fund_balances (
    court_code TEXT NOT NULL,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id TEXT,
    balance_fen BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, account),
    CONSTRAINT fund_balances_not_negative CHECK (kind = 'bank' OR balance_fen <= 0)
);

-- Per-case account (一案一账号): the virtual sub-account number and counters of money in and out.
CREATE TABLE fund_case_accounts (
    court_code TEXT NOT NULL,
    case_id TEXT NOT NULL,
    account_number TEXT NOT NULL,
    received_fen BIGINT NOT NULL,
    disbursed_fen BIGINT NOT NULL,
    opened_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, case_id),
    -- The number encodes the court, so this is globally unique too; court_code leads every key so a
    -- distributed engine can enforce it per shard.
    UNIQUE (court_code, account_number)
);

-- Journal transactions (记账凭证). Append-only: never updated or deleted; a correction is a new
-- transaction with reverses_id set, and the UNIQUE key lets a transaction be reversed only once.
CREATE TABLE fund_txns (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id TEXT,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    memo TEXT NOT NULL,
    reverses_id TEXT,
    PRIMARY KEY (court_code, id),
    UNIQUE (court_code, reverses_id)
);

-- Journal lines. Append-only like fund_txns. The lines of one transaction sum to zero.
CREATE TABLE fund_entries (
    court_code TEXT NOT NULL,
    txn_id TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    account TEXT NOT NULL,
    case_id TEXT,
    amount_fen BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (court_code, txn_id, line_no)
);
CREATE INDEX fund_entries_account ON fund_entries (court_code, account, at);

-- Bank receipts (到账), by API callback or statement import. The idempotency key is unique per court;
-- request_hash is SM3 of the canonical request, response_json the answer given the first time, so a
-- replay returns it unchanged and a different request under the same key is refused.
-- status: 'booked' (to case_id) | 'unidentified' (不明款) | 'claimed' (认领 to case_id later).
CREATE TABLE fund_receipts (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    account_number TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    payer_name TEXT NOT NULL,
    payer_account TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    bank_reference TEXT NOT NULL,
    status TEXT NOT NULL,
    case_id TEXT,
    arrived_on TEXT NOT NULL,
    -- 案款发放期限: 30 days from arrival (KW2017 art 10), set when the money reaches a case.
    disburse_by TEXT,
    -- 不明款 claim deadline (claim_days after arrival).
    claim_by TEXT,
    txn_id TEXT NOT NULL,
    claim_txn_id TEXT,
    response_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id),
    UNIQUE (court_code, idempotency_key)
);
CREATE INDEX fund_receipts_case ON fund_receipts (court_code, case_id, received_at);
CREATE INDEX fund_receipts_status ON fund_receipts (court_code, status, received_at);
-- The bank's reference (流水号) identifies the money: booked once per court, whether it came by
-- callback or by statement import. Also how import and reconciliation find a receipt.
CREATE UNIQUE INDEX fund_receipts_reference ON fund_receipts (court_code, bank_reference);
-- Reconciliation lists a day's receipts.
CREATE INDEX fund_receipts_arrived ON fund_receipts (court_code, arrived_on);

-- Disbursements (案款发放): proposed by the handler, approved or refused by the director, paid when
-- the bank confirms. status: 'proposed' | 'approved' | 'refused' | 'paid'.
CREATE TABLE fund_disbursements (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    status TEXT NOT NULL,
    total_fen BIGINT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    decision_reason TEXT,
    approve_txn_id TEXT,
    paid_txn_id TEXT,
    bank_reference TEXT,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX fund_disbursements_case ON fund_disbursements (court_code, case_id, proposed_at);

-- Lines of a disbursement. kind: 'applicant' (to an applicant), 'fee' (申请执行费 to court income),
-- 'cost' (执行费用), 'reward' (悬赏金 to a tipster), 'refund' (overpayment back to the debtor),
-- 'fine' (罚款 to court income).
CREATE TABLE fund_disbursement_lines (
    court_code TEXT NOT NULL,
    disbursement_id TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    payee_account TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (court_code, disbursement_id, line_no)
);

-- Deferral of the 30-day disbursement deadline (rules.md §5: grounds and approver in KW2017 art 11,
-- text not seen [U]): requested with a reason, approved or refused by the director.
-- status: 'requested' | 'approved' | 'refused'.
CREATE TABLE fund_deferrals (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    new_disburse_by TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX fund_deferrals_case ON fund_deferrals (court_code, case_id);
