//! Legal documents of measures (执行通知书, 限制消费令, 失信决定书, 罚款/拘留决定书 …): the case's
//! and the measure's data filled into the court's template (`zhixing-docs`), as DOCX.

use zhixing_docs::{DocKind, Fields};
use zhixing_domain::measure::MeasureKind;
use zhixing_domain::money::Fen;
use zhixing_store::cases;
use zhixing_store::courts;
use zhixing_store::deadlines::users_with_role;

use crate::measures::StoredParams;
use crate::{Actor, App, AppError};

/// A generated document: file name, DOCX bytes and the plain text (for previews).
#[derive(Debug, Clone)]
pub struct Document {
    pub file_name: String,
    pub docx: Vec<u8>,
    pub text: String,
}

/// 申请执行标的额 as the documents print it: the amount in 元, or for a case with no money claim
/// (行为执行: deliver a thing, vacate, act) the words saying so instead of "0.00 元".
pub(crate) fn claim_text(claim_fen: i64) -> String {
    if claim_fen > 0 {
        Fen::new(claim_fen).format_yuan()
    } else {
        "非金钱给付（以执行依据确定的义务为准）".to_owned()
    }
}

fn parent_court_name(path: &str, names: &[(String, String)]) -> String {
    // path "最高法/川/川11/川1123": the next-higher court is the second-last segment.
    let segs: Vec<&str> = path.split('/').collect();
    let parent = segs
        .len()
        .checked_sub(2)
        .and_then(|i| segs.get(i))
        .copied()
        .unwrap_or("");
    names
        .iter()
        .find(|(c, _)| c == parent)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| "上一级人民法院".into())
}

/// Which document of a measure: its own legal document, or the record of carrying it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Measure,
    SearchRecord,
    QuestioningRecord,
}

/// A China-time minute (`YYYY-MM-DD HH:MM`) as courts write it: 2024年9月28日9时30分.
fn minute_zh(raw: &str) -> Option<String> {
    zhixing_domain::time::parse_china_minute(raw)
        .map(|t| t.format("%Y年%-m月%-d日%-H时%M分").to_string())
}

impl App {
    /// The legal document of a measure (only once it is effective: an unapproved measure has no
    /// document to serve).
    pub async fn measure_document(
        &self,
        actor: &Actor,
        measure_id: &str,
    ) -> Result<Document, AppError> {
        self.document_of(actor, measure_id, Which::Measure).await
    }

    /// The 搜查笔录 of a search carried out (CPLI arts 495–498), from the record stored with its
    /// execution, printed for the searchers, the searched and those present to sign.
    pub async fn search_record_document(
        &self,
        actor: &Actor,
        measure_id: &str,
    ) -> Result<Document, AppError> {
        self.document_of(actor, measure_id, Which::SearchRecord)
            .await
    }

    /// The 询问笔录 of a 拘传 carried out (CPLI art 482; CPL arts 133, 150), from the record stored
    /// with its execution: times, place, officers, the person questioned, what they were told, each
    /// question and answer, and how it was confirmed and signed.
    pub async fn questioning_record_document(
        &self,
        actor: &Actor,
        measure_id: &str,
    ) -> Result<Document, AppError> {
        self.document_of(actor, measure_id, Which::QuestioningRecord)
            .await
    }

    async fn document_of(
        &self,
        actor: &Actor,
        measure_id: &str,
        which: Which,
    ) -> Result<Document, AppError> {
        let (case, m) = self.measure(actor, measure_id).await?;
        let kind = MeasureKind::from_str_opt(&m.kind)
            .ok_or_else(|| AppError::Internal(format!("stored kind {}", m.kind)))?;
        let no_record = |message: &str| AppError::Conflict {
            code: "no_record",
            field: None,
            message: message.into(),
        };
        let search_record = if which == Which::SearchRecord {
            let r = m
                .search_record
                .as_deref()
                .filter(|_| kind == MeasureKind::Search)
                .ok_or_else(|| no_record("只有已执行并记录了搜查笔录的搜查才有搜查笔录"))?;
            Some(
                serde_json::from_str::<zhixing_domain::measure::SearchRecord>(r)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            )
        } else {
            None
        };
        let questioning_record = if which == Which::QuestioningRecord {
            let r = m
                .questioning_record
                .as_deref()
                .filter(|_| kind == MeasureKind::Summons)
                .ok_or_else(|| no_record("只有已执行并记录了询问笔录的拘传才有询问笔录"))?;
            Some(
                serde_json::from_str::<zhixing_domain::measure::QuestioningRecord>(r)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            )
        } else {
            None
        };
        let doc = match which {
            Which::SearchRecord => DocKind::SearchRecord,
            Which::QuestioningRecord => DocKind::QuestioningRecord,
            Which::Measure => kind
                .document()
                .and_then(DocKind::from_str_opt)
                .ok_or_else(|| {
                    AppError::invalid("no_document", "kind", "该措施没有对应的法律文书")
                })?,
        };
        if !matches!(
            m.status.as_str(),
            "effective" | "lifted" | "expired" | "deleted" | "ended"
        ) {
            return Err(AppError::Conflict {
                code: "not_effective",
                field: None,
                message: "措施尚未批准生效，不能出具文书".into(),
            });
        }
        let stored: StoredParams =
            serde_json::from_str(&m.params).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut conn = self.db.conn().await?;
        let court = courts::find(&mut conn, &case.court_code)
            .await?
            .ok_or(AppError::NotFound)?;
        let segs: Vec<&str> = court.path.split('/').collect();
        let parents = courts::find_many(&mut conn, &segs)
            .await?
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect::<Vec<_>>();
        let parties = cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        let basis_court = courts::find(&mut conn, &case.basis_court)
            .await?
            .map_or_else(|| case.basis_court.clone(), |c| c.name);
        let president = match &m.decided_by {
            Some(uid) => zhixing_store::users::find_user(&mut conn, uid)
                .await?
                .filter(|u| u.role == "president")
                .map(|u| u.name),
            None => None,
        };
        let president = match president {
            Some(n) => n,
            None => {
                let ids = users_with_role(&mut conn, &case.court_code, "president").await?;
                match ids.first() {
                    Some((id, _)) => zhixing_store::users::find_user(&mut conn, id)
                        .await?
                        .map(|u| u.name)
                        .unwrap_or_default(),
                    None => String::new(),
                }
            }
        };
        drop(conn);
        let names = |role: &str| {
            parties
                .iter()
                .filter(|p| p.role == role)
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join("、")
        };
        let claim = claim_text(case.claim_fen);
        let date = m
            .decided_on
            .clone()
            .unwrap_or_else(|| m.proposed_on.clone());
        let persons = if stored.persons.is_empty() {
            format!("被执行人{}", m.subject_name)
        } else {
            stored
                .persons
                .iter()
                .map(|p| {
                    format!(
                        "{}（{}，身份证号码 {}）",
                        p.name,
                        p.role.name_zh(),
                        p.id_number
                    )
                })
                .collect::<Vec<_>>()
                .join("；")
        };
        let place = stored.place.clone().unwrap_or_default();
        let reason = if stored.reason.is_empty() {
            "被执行人未按执行通知履行法律文书确定的义务".to_owned()
        } else {
            stored.reason.clone()
        };
        let review_court = parent_court_name(&court.path, &parents);
        let mut f = Fields::new()
            .set("court_name", court.name.clone())
            .set("case_number", case.case_number.clone())
            .set("document_number", m.document_number.clone())
            .set("applicant_name", names("applicant"))
            .set("debtor_name", names("debtor"))
            .set("debtor_id_number", m.subject_id_number.clone())
            .set("basis_court", basis_court)
            .set("basis_number", format!("{}{}", case.basis_document_number, case.basis_document_type))
            .set("obligation", format!("给付申请执行人{claim}"))
            .set("claim_amount", claim.clone())
            .set("filing_date", case.filed_on.clone())
            .set("performance_days", "5")
            .set("report_days", "5")
            .set("contact", format!("{}执行局", court.name))
            .set("date", date.clone())
            .set("president_name", if president.is_empty() { "（院长）".into() } else { president })
            .set("review_court", review_court)
            .set("restricted_persons", persons)
            .set("sanctioned_name", m.subject_name.clone())
            .set("sanctioned_id_number", m.subject_id_number.clone())
            .set("summoned_name", m.subject_name.clone())
            .set("summoned_id_number", m.subject_id_number.clone())
            .set("summoned_role", if m.subject_party_id.is_some() { "被执行人" } else { "被执行人的法定代表人（负责人）" })
            .set("violation_facts", reason.clone())
            .set("violation_basis", "第一百一十四条")
            .set("payment_days", "7")
            .set("detention_place", "拘留所")
            .set("search_officers", "本院执行人员、司法警察")
            .set("search_place", place.clone())
            .set("summons_place", place.clone())
            .set("summons_time", format!("{}，询问时间不超过{}小时", m.decided_on.clone().unwrap_or_default(), stored.hours.unwrap_or(8)))
            .set("dishonest_facts", reason.clone())
            .set("assist_unit", "公安机关出入境管理部门")
            .set("ruling_number", m.document_number.clone())
            .set("assist_basis", "《中华人民共和国民事诉讼法》第二百六十六条、《最高人民法院关于适用〈中华人民共和国民事诉讼法〉执行程序若干问题的解释》第二十四条")
            .set("assist_items", format!("限制{persons_or}出境", persons_or = if stored.persons.is_empty() { m.subject_name.clone() } else { stored.persons.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("、") }));
        if let Some(a) = m.amount_fen {
            f.insert("fine_amount", Fen::new(a).format_yuan());
        }
        if let Some(d) = stored.days {
            f.insert("detention_days", d.to_string());
        }
        if let Some(g) = stored.ground {
            const NUM: [&str; 7] = ["", "一", "二", "三", "四", "五", "六"];
            let n = usize::try_from(g)
                .ok()
                .and_then(|i| NUM.get(i))
                .copied()
                .unwrap_or("");
            f.insert("dishonest_ground", format!("第（{n}）项"));
            f.insert(
                "dishonest_term",
                match stored.term_years {
                    Some(y) => format!("{y}年"),
                    None => "至被执行人履行完毕生效法律文书确定的义务时止".into(),
                },
            );
        }
        if let Some(r) = &search_record {
            let attended = if r.refused_to_attend {
                "经通知拒不到场（不影响搜查）".to_owned()
            } else {
                r.present.clone()
            };
            let witness = if r.refused_to_attend {
                "经通知拒不到场（不影响搜查）".to_owned()
            } else if r.witness.trim().is_empty() {
                "搜查对象为单位，无需基层组织派员".to_owned()
            } else {
                r.witness.clone()
            };
            let executed = m.executed_on.clone().unwrap_or_else(|| date.clone());
            // As courts write it: 2026年11月23日9时30分 (or the day alone).
            let search_time = match m.executed_at.as_deref().and_then(minute_zh) {
                Some(t) => t,
                None => chrono::NaiveDate::parse_from_str(&executed, "%Y-%m-%d").map_or_else(
                    |_| executed.clone(),
                    |d| d.format("%Y年%-m月%-d日").to_string(),
                ),
            };
            f.insert("search_time", search_time);
            f.insert("warrant_number", m.document_number.clone());
            f.insert("search_present", attended);
            f.insert("search_witness", witness);
            f.insert(
                "search_female",
                if r.woman_body_searched {
                    "搜查妇女身体，由女执行人员进行。"
                } else {
                    "本次搜查未搜查妇女身体。"
                },
            );
            f.insert("search_findings", r.findings.clone());
            f.insert(
                "search_signatures",
                if r.signed {
                    "搜查人员、被搜查人及其他在场人已在本笔录上签名、捺印或者盖章。".to_owned()
                } else {
                    format!("签名情况：{}", r.refusal_note)
                },
            );
            f.insert("date", executed);
        }
        if let Some(r) = &questioning_record {
            let began = zhixing_domain::time::parse_china_minute(&r.began_at);
            let ended = zhixing_domain::time::parse_china_minute(&r.ended_at);
            let written = |raw: &str| minute_zh(raw).unwrap_or_else(|| raw.to_owned());
            f.insert("questioning_began", written(&r.began_at));
            // The end on the same day as courts write it: 9时30分至11时10分.
            f.insert(
                "questioning_ended",
                match (began, ended) {
                    (Some(b), Some(e)) if b.date() == e.date() => e.format("%-H时%M分").to_string(),
                    _ => written(&r.ended_at),
                },
            );
            f.insert(
                "arrived_at",
                m.executed_at
                    .as_deref()
                    .map_or_else(|| r.began_at.clone(), written),
            );
            f.insert("questioning_place", r.place.clone());
            f.insert("questioners", r.questioners.join("、"));
            f.insert("recorder", r.recorder.clone());
            f.insert("questioned_name", r.subject_name.clone());
            f.insert("questioned_id_number", r.subject_id_number.clone());
            f.insert("questioning_qa", zhixing_domain::measure::qa_text(&r.qa));
            let read = if r.read_over == zhixing_domain::measure::READ_ALOUD {
                "以上笔录已向被询问人宣读"
            } else {
                "以上笔录已交被询问人阅读"
            };
            f.insert(
                "questioning_confirmation",
                if r.signed {
                    format!("{read}，被询问人核对无误后签名（捺印）。询问人、记录人已签名。")
                } else {
                    format!(
                        "{read}。签名情况：{}（记明情况附卷）。询问人、记录人已签名。",
                        r.refusal_note.trim_end_matches('。')
                    )
                },
            );
            f.insert(
                "date",
                m.executed_on.clone().unwrap_or_else(|| date.clone()),
            );
        }
        let docx = zhixing_docs::render(doc, &f, &self.doc_templates)
            .map_err(|e| AppError::invalid("document", "template", e.to_string()))?;
        let text = zhixing_docs::render_text(doc, &f, &self.doc_templates)
            .map_err(|e| AppError::invalid("document", "template", e.to_string()))?;
        Ok(Document {
            file_name: format!("{}-{}.docx", doc.name_zh(), m.document_number),
            docx,
            text,
        })
    }
}
