//! Evidence files (全程留痕 of field work: photos, audio, video, scans), stored content-addressed
//! by their SM3 digest (GB/T 32905) under [`App::evidence_dir`] as `<2 hex>/<64 hex>`. The digest
//! is recorded in the database row AND in the upload's audit record (which the SM3 chain protects),
//! so a file swapped or edited on disk is detected when read and by [`App::verify_evidence`].

use std::path::PathBuf;

use zhixing_domain::audit::sm3_hex;
use zhixing_domain::role::Permission;
use zhixing_store::Conn;
use zhixing_store::batch::{self, Stmt};

use crate::admin::audit as write_audit;
use crate::{Actor, App, AppError, new_id};

/// Largest accepted file (a few minutes of phone video).
pub const MAX_EVIDENCE_BYTES: usize = 50 * 1024 * 1024;

/// Media types accepted as evidence.
pub const MEDIA_TYPES: [&str; 8] = [
    "image/jpeg",
    "image/png",
    "audio/mpeg",
    "audio/wav",
    "audio/mp4",
    "video/mp4",
    "video/quicktime",
    "application/pdf",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub event_id: Option<String>,
    pub sm3: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub file_name: String,
    pub uploaded_by: String,
    pub created_at: i64,
}

/// An upload.
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    pub file_name: String,
    pub media_type: String,
    pub event_id: Option<String>,
    pub bytes: Vec<u8>,
}

fn row(r: &sqlx::any::AnyRow) -> Result<EvidenceRow, AppError> {
    use sqlx::Row;
    let e = |e: sqlx::Error| AppError::Store(e.into());
    Ok(EvidenceRow {
        court_code: r.try_get("court_code").map_err(e)?,
        id: r.try_get("id").map_err(e)?,
        case_id: r.try_get("case_id").map_err(e)?,
        event_id: r.try_get("event_id").map_err(e)?,
        sm3: r.try_get("sm3").map_err(e)?,
        size_bytes: r.try_get("size_bytes").map_err(e)?,
        media_type: r.try_get("media_type").map_err(e)?,
        file_name: r.try_get("file_name").map_err(e)?,
        uploaded_by: r.try_get("uploaded_by").map_err(e)?,
        created_at: r.try_get("created_at").map_err(e)?,
    })
}

const COLS: &str = "court_code, id, case_id, event_id, sm3, size_bytes, media_type, file_name, uploaded_by, created_at";

impl App {
    fn evidence_path(&self, sm3: &str) -> PathBuf {
        let prefix = sm3.get(..2).unwrap_or("00");
        self.evidence_dir.join(prefix).join(sm3)
    }

    /// Store a file for a case (optionally linked to one of its events) and audit its digest.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        case_id: &str,
        input: EvidenceInput,
        now_ms: i64,
    ) -> Result<EvidenceRow, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        actor.require(Permission::RecordEvents)?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能为本院案件上传证据"));
        }
        let name = input.file_name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\', '\0']) {
            return Err(AppError::invalid(
                "file_name",
                "file_name",
                "文件名不能为空、不超过 200 字，且不含路径分隔符",
            ));
        }
        let media = input.media_type.trim().to_ascii_lowercase();
        if !MEDIA_TYPES.contains(&media.as_str()) {
            return Err(AppError::invalid(
                "media_type",
                "media_type",
                format!("文件类型应为以下之一：{}", MEDIA_TYPES.join("、")),
            ));
        }
        if input.bytes.is_empty() || input.bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(AppError::invalid(
                "file_size",
                "body",
                format!(
                    "文件大小应在 1 字节至 {} MiB 之间",
                    MAX_EVIDENCE_BYTES / 1024 / 1024
                ),
            ));
        }
        if let Some(ev) = input.event_id.as_deref().filter(|e| !e.is_empty()) {
            let events =
                zhixing_store::deadlines::events_of(&mut conn, &case.court_code, &case.id).await?;
            if !events.iter().any(|e| e.id == ev) {
                return Err(AppError::invalid(
                    "unknown_event",
                    "event_id",
                    "该流程节点记录不属于本案",
                ));
            }
        }
        drop(conn);
        let sm3 = sm3_hex(&input.bytes);
        let path = self.evidence_path(&sm3);
        // Content-addressed: an identical file is already there. Write to a temporary name and
        // rename, so a crash never leaves a partial file under a digest name.
        if !path.exists() {
            let dir = path
                .parent()
                .ok_or_else(|| AppError::Internal("evidence path".into()))?;
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?;
            let tmp = dir.join(format!(".{sm3}.{}.tmp", new_id()));
            std::fs::write(&tmp, &input.bytes)
                .map_err(|e| AppError::Internal(format!("{}: {e}", tmp.display())))?;
            std::fs::rename(&tmp, &path)
                .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
        }
        let r = EvidenceRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            event_id: input.event_id.filter(|e| !e.is_empty()),
            sm3: sm3.clone(),
            size_bytes: i64::try_from(input.bytes.len()).unwrap_or(i64::MAX),
            media_type: media,
            file_name: name.to_owned(),
            uploaded_by: actor.user_id.clone(),
            created_at: now_ms,
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        batch::run(
            &mut tx,
            vec![
                Stmt::new(format!(
                    "INSERT INTO evidence_files ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ))
                .text(&r.court_code)
                .text(&r.id)
                .text(&r.case_id)
                .opt(r.event_id.clone())
                .text(&r.sm3)
                .int(r.size_bytes)
                .text(&r.media_type)
                .text(&r.file_name)
                .text(&r.uploaded_by)
                .int(r.created_at),
            ],
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "case.evidence",
            "evidence_file",
            &r.id,
            Some(&case.id),
            None,
            Some(
                serde_json::json!({"sm3": r.sm3, "size_bytes": r.size_bytes, "media_type": r.media_type,
                    "file_name": r.file_name, "event_id": r.event_id})
                .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Evidence of a case, oldest first.
    pub async fn case_evidence(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<EvidenceRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let sql = format!(
            "SELECT {COLS} FROM evidence_files WHERE court_code = $1 AND case_id = $2 ORDER BY created_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.court_code.clone())
            .bind(case.id.clone())
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| AppError::Store(e.into()))?;
        rows.iter().map(row).collect()
    }

    async fn find_evidence(conn: &mut Conn, id: &str) -> Result<Option<EvidenceRow>, AppError> {
        let sql = format!("SELECT {COLS} FROM evidence_files WHERE id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(conn)
            .await
            .map_err(|e| AppError::Store(e.into()))?;
        r.as_ref().map(row).transpose()
    }

    /// Read an evidence file, refusing it (409 `evidence_tampered`) when its bytes no longer hash to
    /// the recorded digest.
    pub async fn evidence_content(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(EvidenceRow, Vec<u8>), AppError> {
        let mut conn = self.db.conn().await?;
        let r = Self::find_evidence(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.visible_case(&mut conn, actor, &r.case_id).await?;
        drop(conn);
        let bytes = std::fs::read(self.evidence_path(&r.sm3)).map_err(|_| AppError::Conflict {
            code: "evidence_missing",
            field: None,
            message: format!("证据文件 {}（SM3 {}）不在存储中", r.file_name, r.sm3),
        })?;
        if sm3_hex(&bytes) != r.sm3 {
            return Err(AppError::Conflict {
                code: "evidence_tampered",
                field: None,
                message: format!(
                    "证据文件 {} 的内容与登记的 SM3 摘要不符：文件已被替换或改动",
                    r.file_name
                ),
            });
        }
        Ok((r, bytes))
    }

    /// Check every evidence file against its digest: (files checked, [(id, reason)]).
    pub async fn verify_evidence(&self) -> Result<(u64, Vec<(String, String)>), AppError> {
        let mut conn = self.db.conn().await?;
        let sql = format!("SELECT {COLS} FROM evidence_files ORDER BY court_code, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| AppError::Store(e.into()))?;
        // The digest each upload's audit record (SM3-chained) says was stored.
        let audited: std::collections::HashMap<String, String> = sqlx::query(
            "SELECT target_id, after_json FROM audit_log WHERE target_kind = 'evidence_file'",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| AppError::Store(e.into()))?
        .iter()
        .filter_map(|r| {
            use sqlx::Row;
            let id: String = r.try_get("target_id").ok()?;
            let after: Option<String> = r.try_get("after_json").ok()?;
            let v: serde_json::Value = serde_json::from_str(&after?).ok()?;
            Some((id, v["sm3"].as_str()?.to_owned()))
        })
        .collect();
        let mut bad = Vec::new();
        let mut n = 0u64;
        for r in rows.iter().map(row) {
            let r = r?;
            n += 1;
            if audited.get(&r.id) != Some(&r.sm3) {
                bad.push((r.id, "登记的摘要与上传时的审计记录不符".to_owned()));
                continue;
            }
            match std::fs::read(self.evidence_path(&r.sm3)) {
                Err(_) => bad.push((r.id, "文件缺失".to_owned())),
                Ok(b) if sm3_hex(&b) != r.sm3 => {
                    bad.push((r.id, "内容与 SM3 摘要不符".to_owned()));
                }
                Ok(_) => {}
            }
        }
        Ok((n, bad))
    }
}
