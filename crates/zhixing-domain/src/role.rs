//! Roles and permissions. The data-scope rule (which cases a role may see) lives in the app layer's
//! `scope` module; this file only says what each role may do.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 执行法官 (enforcement_officer)
    Judge,
    /// 法官助理
    Assistant,
    /// 书记员
    Clerk,
    /// 司法警察
    Police,
    /// 执行指挥中心
    Command,
    /// 执行局长
    Director,
    /// 院长
    President,
    /// A higher court's supervisor: read-only over its subordinate courts.
    Supervisor,
    /// Configures a court (teams, staff). Sees no case data.
    Admin,
    /// The court's bank (执行款专户 partner): posts receipts and payment confirmations through the
    /// API with a token. Sees no case data.
    Bank,
    /// 联合惩戒单位: an agency (bank, airline, railway, registry, market regulator) that pulls the
    /// 失信/限制消费 list changes through the signed feed (SX2017 art 8). Sees no case data.
    Partner,
}

/// What a role may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ReadCases,
    FileCase,
    ReassignCase,
    ManageTeams,
    ManageUsers,
    /// Record process events, excluded periods, request extensions (the bureau's staff).
    RecordEvents,
    /// See the 红黄蓝 board of a court (or of the subordinate courts).
    ViewBoard,
    /// Open 督办 items (command center, bureau director, president, higher court).
    Supervise,
    /// Approve an extension of the case term (院长; TL2000 art 5, stricter than DL2006 art 1).
    ApproveExtension,
    /// Configure local deadline rules, conflict choices and warning thresholds.
    ConfigureDeadlines,
    /// Post bank receipts (到账) and payment confirmations (issue 5).
    PostBankEvents,
    /// Claim unidentified funds (认领不明款) to a visible case, propose disbursements.
    HandleFunds,
    /// Approve or refuse a disbursement or a deferral (执行局长 / 院长).
    ApproveDisbursement,
    /// Propose a coercive measure, credit punishment, reward notice or 拒执 referral for a case
    /// (issue 4) and record its execution and end.
    ProposeMeasure,
    /// Approve or refuse a measure that the law reserves to the 院长 (CPL art 119: 拘传、罚款、拘留;
    /// CPL art 259: 搜查令; XF2015 art 5: 限制消费令; SX2017 art 5: 失信决定书).
    ApproveMeasure,
    /// Take 执行110 tip-offs (phone intake), dispatch them and record 临控 outcomes.
    HandleTipoffs,
    /// Register a lead on a published 悬赏 notice taken by phone or at the counter (INV art 23).
    /// Registering is not reading: the notice's lead list stays with [`Permission::ProposeMeasure`].
    TakeRewardLead,
    /// Pull the signed list-change feed (联合惩戒).
    PullListFeed,
}

/// How far a role's case visibility reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseScope {
    /// Cases of the user's own team and cases they handle (judge, assistant, clerk).
    Team,
    /// Every case of the user's court.
    Court,
    /// Every case of the user's court and of all courts below it (read-only).
    Subordinates,
    /// No case data.
    None,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Judge,
        Role::Assistant,
        Role::Clerk,
        Role::Police,
        Role::Command,
        Role::Director,
        Role::President,
        Role::Supervisor,
        Role::Admin,
        Role::Bank,
        Role::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Judge => "judge",
            Role::Assistant => "assistant",
            Role::Clerk => "clerk",
            Role::Police => "police",
            Role::Command => "command",
            Role::Director => "director",
            Role::President => "president",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Bank => "bank",
            Role::Partner => "partner",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Judge => "执行法官",
            Role::Assistant => "法官助理",
            Role::Clerk => "书记员",
            Role::Police => "司法警察",
            Role::Command => "指挥中心",
            Role::Director => "执行局长",
            Role::President => "院长",
            Role::Supervisor => "上级法院监督",
            Role::Admin => "系统管理员",
            Role::Bank => "合作银行",
            Role::Partner => "联合惩戒单位",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Judge => "Enforcement judge",
            Role::Assistant => "Judge's assistant",
            Role::Clerk => "Clerk",
            Role::Police => "Judicial police",
            Role::Command => "Command center",
            Role::Director => "Bureau director",
            Role::President => "Court president",
            Role::Supervisor => "Higher-court supervisor",
            Role::Admin => "Administrator",
            Role::Bank => "Partner bank",
            Role::Partner => "Joint-punishment partner",
        }
    }

    /// Roles that can be a case handler (承办人): enforcement judges (执行员) — CPL art 239 assigns
    /// enforcement to 执行员; assistants and clerks work under them.
    pub fn can_handle_cases(self) -> bool {
        matches!(self, Role::Judge)
    }

    pub fn case_scope(self) -> CaseScope {
        match self {
            Role::Judge | Role::Assistant | Role::Clerk => CaseScope::Team,
            Role::Police | Role::Command | Role::Director | Role::President => CaseScope::Court,
            Role::Supervisor => CaseScope::Subordinates,
            Role::Admin | Role::Bank | Role::Partner => CaseScope::None,
        }
    }

    pub fn has(self, p: Permission) -> bool {
        use Permission::*;
        match p {
            ReadCases => !matches!(self.case_scope(), CaseScope::None),
            // 立案 is done by the command center (which runs 立案/分案 in the "1+N" model), the
            // bureau's officers and their clerks; police, supervisors and admins do not file.
            FileCase => matches!(
                self,
                Role::Command | Role::Director | Role::Judge | Role::Assistant | Role::Clerk
            ),
            // 分案 and 改派 belong to the command center and the bureau director.
            ReassignCase => matches!(self, Role::Command | Role::Director),
            ManageTeams | ManageUsers => matches!(self, Role::Admin),
            RecordEvents => matches!(
                self,
                Role::Judge | Role::Assistant | Role::Clerk | Role::Command | Role::Director
            ),
            ViewBoard | Supervise => matches!(
                self,
                Role::Command | Role::Director | Role::President | Role::Supervisor
            ),
            ApproveExtension => matches!(self, Role::President),
            ConfigureDeadlines => matches!(self, Role::Admin | Role::Director),
            // Receipts come from the bank that holds the court's 执行款专户, authenticated by an API
            // token of a `bank` user of that court; no staff role books money that did not arrive.
            PostBankEvents => matches!(self, Role::Bank),
            // 认领 and proposing 案款发放 are the handler's work (and the command center's for 认领).
            HandleFunds => matches!(
                self,
                Role::Judge | Role::Assistant | Role::Command | Role::Director
            ),
            // Disbursement approval by the 执行局长 or 院长 (rules.md §5: deferral approvers
            // 执行局长/主管院领导 [U]; the same approvers are used for payment approval).
            ApproveDisbursement => matches!(self, Role::Director | Role::President),
            // The handler's team and the command center prepare measures; police carry out
            // 拘传/拘留/搜查 and record it.
            ProposeMeasure => matches!(
                self,
                Role::Judge | Role::Assistant | Role::Command | Role::Director | Role::Police
            ),
            // Only the 院长 signs (CPL arts 119, 259; XF2015 art 5; SX2017 art 5). The stricter
            // reading: no delegation to the 执行局长 is modelled.
            ApproveMeasure => matches!(self, Role::President),
            // 执行110 runs in the command center with the judicial police on duty (seeds 001, 003).
            HandleTipoffs => matches!(
                self,
                Role::Command | Role::Police | Role::Director | Role::Judge
            ),
            // Whoever answers the case team's or the command center's phone writes the lead down,
            // the 书记员 included; seeing the other leads and their tipsters stays with those who
            // take measures (ProposeMeasure), as INV art 23 keeps tipsters confidential.
            TakeRewardLead => matches!(
                self,
                Role::Judge
                    | Role::Assistant
                    | Role::Clerk
                    | Role::Command
                    | Role::Director
                    | Role::Police
            ),
            PullListFeed => matches!(self, Role::Partner),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn permission_matrix() {
        // role, read, file, reassign, manage
        let table = [
            ("judge", true, true, false, false),
            ("assistant", true, true, false, false),
            ("clerk", true, true, false, false),
            ("police", true, false, false, false),
            ("command", true, true, true, false),
            ("director", true, true, true, false),
            ("president", true, false, false, false),
            ("supervisor", true, false, false, false),
            ("admin", false, false, false, true),
            ("bank", false, false, false, false),
            ("partner", false, false, false, false),
        ];
        for (name, read, file, reassign, manage) in table {
            let r = Role::from_str_opt(name).unwrap();
            assert_eq!(r.as_str(), name);
            assert_eq!(r.has(Permission::ReadCases), read, "{name}");
            assert_eq!(r.has(Permission::FileCase), file, "{name}");
            assert_eq!(r.has(Permission::ReassignCase), reassign, "{name}");
            assert_eq!(r.has(Permission::ManageUsers), manage, "{name}");
        }
        assert!(Role::from_str_opt("root").is_none());
        // role, post bank events, handle funds, approve disbursement
        let funds = [
            ("judge", false, true, false),
            ("assistant", false, true, false),
            ("clerk", false, false, false),
            ("police", false, false, false),
            ("command", false, true, false),
            ("director", false, true, true),
            ("president", false, false, true),
            ("supervisor", false, false, false),
            ("admin", false, false, false),
            ("bank", true, false, false),
            ("partner", false, false, false),
        ];
        for (name, bank, handle, approve) in funds {
            let r = Role::from_str_opt(name).unwrap();
            assert_eq!(r.has(Permission::PostBankEvents), bank, "{name}");
            assert_eq!(r.has(Permission::HandleFunds), handle, "{name}");
            assert_eq!(r.has(Permission::ApproveDisbursement), approve, "{name}");
        }
    }

    #[test]
    fn deadline_permissions() {
        // role, record events, board, supervise, approve extension, configure rules
        let table = [
            ("judge", true, false, false, false, false),
            ("assistant", true, false, false, false, false),
            ("clerk", true, false, false, false, false),
            ("police", false, false, false, false, false),
            ("command", true, true, true, false, false),
            ("director", true, true, true, false, true),
            ("president", false, true, true, true, false),
            ("supervisor", false, true, true, false, false),
            ("admin", false, false, false, false, true),
            ("bank", false, false, false, false, false),
            ("partner", false, false, false, false, false),
        ];
        for (name, ev, board, sup, ext, conf) in table {
            let r = Role::from_str_opt(name).unwrap();
            assert_eq!(r.has(Permission::RecordEvents), ev, "{name}");
            assert_eq!(r.has(Permission::ViewBoard), board, "{name}");
            assert_eq!(r.has(Permission::Supervise), sup, "{name}");
            assert_eq!(r.has(Permission::ApproveExtension), ext, "{name}");
            assert_eq!(r.has(Permission::ConfigureDeadlines), conf, "{name}");
        }
    }

    #[test]
    fn measure_permissions() {
        // role, propose, approve (院长 only), tip-offs, feed
        let table = [
            ("judge", true, false, true, false),
            ("assistant", true, false, false, false),
            ("clerk", false, false, false, false),
            ("police", true, false, true, false),
            ("command", true, false, true, false),
            ("director", true, false, true, false),
            ("president", false, true, false, false),
            ("supervisor", false, false, false, false),
            ("admin", false, false, false, false),
            ("bank", false, false, false, false),
            ("partner", false, false, false, true),
        ];
        for (name, propose, approve, tips, feed) in table {
            let r = Role::from_str_opt(name).unwrap();
            assert_eq!(r.has(Permission::ProposeMeasure), propose, "{name}");
            assert_eq!(r.has(Permission::ApproveMeasure), approve, "{name}");
            assert_eq!(r.has(Permission::HandleTipoffs), tips, "{name}");
            assert_eq!(r.has(Permission::PullListFeed), feed, "{name}");
            assert_eq!(
                r.case_scope() == CaseScope::None,
                !r.has(Permission::ReadCases)
            );
        }
    }
}
