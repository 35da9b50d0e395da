-- Permission to consume under a 限制消费令 (XF2015 art 3 para 2: an entity's bound person consuming
-- privately with their own assets, 「执行法院审查属实的，应予准许」; art 8: the debtor's 生活或者经营
-- 必需, 「获批准后方可进行」). One row per application, keyed by the court that issued the order
-- (the sharding key); `measure_id` is the 限制消费 it relieves. `applicant_id_number` is staff data
-- (never published); `act` is one of the nine acts of art 3 para 1, `ground` private_own_assets |
-- necessity; `period_from`..`period_to` the days covered (both counted); status applied → granted |
-- refused (final, a status-guarded UPDATE).
CREATE TABLE consumption_permissions (
    court_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    measure_id TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    applicant_role TEXT NOT NULL,
    act TEXT NOT NULL,
    ground TEXT NOT NULL,
    reason TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    status TEXT NOT NULL,
    applied_on TEXT NOT NULL,
    decided_by TEXT,
    decided_on TEXT,
    decision_note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (court_code, id)
);
-- A case's applications (the case's measures page), led by the sharding key.
CREATE INDEX consumption_permissions_case ON consumption_permissions (court_code, case_id);
-- A partner's bulk check asks which listed keys hold a permission in force (any court).
CREATE INDEX consumption_permissions_applicant ON consumption_permissions (applicant_id_number, status);
