//! UI strings: Simplified Chinese by default, English on request (cookie `zx_lang=en`).
//! One struct, so a missing translation is a compile error, not a blank on screen.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Lang {
        match v {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// Fills the `{key}` placeholders of a translated string in one pass, so that a value which itself
/// holds braces (a name, a reason typed by a clerk) is never filled in again.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let hit = after.split_once('}').and_then(|(key, tail)| {
            args.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, tail))
        });
        match hit {
            Some((v, tail)) => {
                out.push_str(v);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub struct Tr {
    pub app_name: &'static str,
    pub app_sub: &'static str,
    pub nav_cases: &'static str,
    pub nav_file: &'static str,
    pub nav_admin: &'static str,
    pub logout: &'static str,
    pub switch_lang: &'static str,
    pub switch_lang_code: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login: &'static str,
    pub login_failed: &'static str,
    pub case_list: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub all_statuses: &'static str,
    pub status: &'static str,
    pub case_number: &'static str,
    pub court: &'static str,
    pub filed_on: &'static str,
    pub claim: &'static str,
    pub track: &'static str,
    pub team: &'static str,
    pub handler: &'static str,
    pub total: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub no_cases: &'static str,
    pub parties: &'static str,
    pub applicants: &'static str,
    pub debtors: &'static str,
    pub kind: &'static str,
    pub name: &'static str,
    pub id_or_code: &'static str,
    pub legal_rep: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub basis: &'static str,
    pub basis_court: &'static str,
    pub document_number: &'static str,
    pub document_type: &'static str,
    pub type_code: &'static str,
    pub triage_reason: &'static str,
    pub assignment_reason: &'static str,
    pub same_debtor: &'static str,
    pub same_debtor_none: &'static str,
    pub assignment_history: &'static str,
    pub history: &'static str,
    pub funds: &'static str,
    pub funds_account: &'static str,
    pub funds_balance: &'static str,
    pub funds_received: &'static str,
    pub funds_disbursed: &'static str,
    pub funds_amount: &'static str,
    pub funds_memo: &'static str,
    pub funds_none: &'static str,
    pub time: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub reassign: &'static str,
    pub reason: &'static str,
    pub submit: &'static str,
    pub file_title: &'static str,
    pub applicant: &'static str,
    pub debtor_n: &'static str,
    pub optional: &'static str,
    pub person: &'static str,
    pub entity: &'static str,
    pub id_number: &'static str,
    pub credit_code: &'static str,
    pub claim_yuan: &'static str,
    pub form_has_errors: &'static str,
    pub admin_title: &'static str,
    pub teams: &'static str,
    pub staff: &'static str,
    pub add_team: &'static str,
    pub add_user: &'static str,
    pub role: &'static str,
    pub none: &'static str,
    pub triage_threshold: &'static str,
    pub save: &'static str,
    pub error_title: &'static str,
    pub back: &'static str,
    pub fast: &'static str,
    pub standard: &'static str,
    pub command_team: &'static str,
    pub pending: &'static str,
}

pub static ZH: Tr = Tr {
    app_name: "执行指挥中心",
    app_sub: "zhixing 执行案件管理",
    nav_cases: "案件",
    nav_file: "立案",
    nav_admin: "本院管理",
    logout: "退出",
    switch_lang: "English",
    switch_lang_code: "en",
    login_title: "登录",
    username: "用户名",
    password: "密码",
    login: "登录",
    login_failed: "用户名或密码错误",
    case_list: "案件列表",
    search: "检索",
    search_hint: "案号、当事人名称、身份证号或统一社会信用代码",
    all_statuses: "全部状态",
    status: "状态",
    case_number: "案号",
    court: "法院",
    filed_on: "立案日期",
    claim: "申请执行标的",
    track: "繁简",
    team: "团队",
    handler: "承办人",
    total: "共",
    prev: "上一页",
    next: "下一页",
    no_cases: "没有符合条件的案件",
    parties: "当事人",
    applicants: "申请执行人",
    debtors: "被执行人",
    kind: "类型",
    name: "名称/姓名",
    id_or_code: "身份证号/统一社会信用代码",
    legal_rep: "法定代表人",
    phone: "电话",
    address: "地址",
    basis: "执行依据",
    basis_court: "作出法院",
    document_number: "文书编号",
    document_type: "文书类型",
    type_code: "案件类型",
    triage_reason: "繁简分流理由",
    assignment_reason: "分案理由",
    same_debtor: "同一被执行人的其他未结案件",
    same_debtor_none: "无",
    assignment_history: "分案记录",
    history: "操作留痕",
    funds: "案款",
    funds_account: "案款账号（一案一账号）",
    funds_balance: "余额",
    funds_received: "到账合计",
    funds_disbursed: "发放合计",
    funds_amount: "金额",
    funds_memo: "摘要",
    funds_none: "暂无案款记录",
    time: "时间",
    actor: "操作人",
    action: "操作",
    reassign: "改派",
    reason: "理由",
    submit: "提交",
    file_title: "执行立案",
    applicant: "申请执行人",
    debtor_n: "被执行人",
    optional: "（可选）",
    person: "自然人",
    entity: "单位",
    id_number: "居民身份证号",
    credit_code: "统一社会信用代码",
    claim_yuan: "申请执行标的金额（元）",
    form_has_errors: "表单有错误，请按提示修改",
    admin_title: "本院管理",
    teams: "执行团队（1+N）",
    staff: "人员",
    add_team: "新增团队",
    add_user: "新增人员",
    role: "角色",
    none: "无",
    triage_threshold: "简案标准（元，不超过此金额分入速执团队）",
    save: "保存",
    error_title: "出错了",
    back: "返回",
    fast: "简（速执）",
    standard: "繁（精执）",
    command_team: "指挥中心",
    pending: "待分案",
};

pub static EN: Tr = Tr {
    app_name: "Enforcement Command Center",
    app_sub: "zhixing enforcement case management",
    nav_cases: "Cases",
    nav_file: "File a case",
    nav_admin: "Court admin",
    logout: "Log out",
    switch_lang: "中文",
    switch_lang_code: "zh",
    login_title: "Log in",
    username: "Username",
    password: "Password",
    login: "Log in",
    login_failed: "Wrong username or password",
    case_list: "Cases",
    search: "Search",
    search_hint: "Case number, party name, ID number or credit code",
    all_statuses: "All statuses",
    status: "Status",
    case_number: "Case number",
    court: "Court",
    filed_on: "Filed on",
    claim: "Claim",
    track: "Track",
    team: "Team",
    handler: "Handler",
    total: "Total",
    prev: "Previous",
    next: "Next",
    no_cases: "No matching cases",
    parties: "Parties",
    applicants: "Applicants",
    debtors: "Debtors",
    kind: "Kind",
    name: "Name",
    id_or_code: "ID number / credit code",
    legal_rep: "Legal representative",
    phone: "Phone",
    address: "Address",
    basis: "Enforcement basis",
    basis_court: "Issuing court",
    document_number: "Document number",
    document_type: "Document type",
    type_code: "Case type",
    triage_reason: "Triage reason",
    assignment_reason: "Assignment reason",
    same_debtor: "Other open cases against the same debtor",
    same_debtor_none: "None",
    assignment_history: "Assignments",
    history: "Audit trail",
    funds: "Case funds",
    funds_account: "Case account number",
    funds_balance: "Balance",
    funds_received: "Received",
    funds_disbursed: "Disbursed",
    funds_amount: "Amount",
    funds_memo: "Memo",
    funds_none: "No funds yet",
    time: "Time",
    actor: "By",
    action: "Action",
    reassign: "Reassign",
    reason: "Reason",
    submit: "Submit",
    file_title: "File an enforcement case",
    applicant: "Applicant",
    debtor_n: "Debtor",
    optional: " (optional)",
    person: "Natural person",
    entity: "Entity",
    id_number: "Resident ID number",
    credit_code: "Unified social credit code",
    claim_yuan: "Claim (yuan)",
    form_has_errors: "The form has errors; please correct them",
    admin_title: "Court administration",
    teams: "Teams (1+N)",
    staff: "Staff",
    add_team: "Add team",
    add_user: "Add staff member",
    role: "Role",
    none: "None",
    triage_threshold: "Fast-track threshold (yuan)",
    save: "Save",
    error_title: "Something went wrong",
    back: "Back",
    fast: "Fast",
    standard: "Standard",
    command_team: "Command center",
    pending: "Pending assignment",
};

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fill_replaces_each_placeholder_once() {
        assert_eq!(
            fill(
                "{date} 删除：{reason}",
                &[("date", "2024-10-01"), ("reason", "{date}")]
            ),
            "2024-10-01 删除：{date}"
        );
        assert_eq!(fill("共 {n} 条 {x}", &[("n", "3")]), "共 3 条 {x}");
    }
}
