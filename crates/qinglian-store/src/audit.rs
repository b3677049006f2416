//! The tamper-evident audit log.
//!
//! Each entry stores `hash = H(prev_hash || canonical(entry))` with H = SM3 (国密 mode) or
//! SHA-256 (international mode); the algorithm is recorded per entry, so a mode change never
//! breaks verification. `audit_head` holds the last sequence number and hash: appends update
//! it first (serialising writers), and verification compares the chain's end with it, so a
//! deleted tail is detected too. Entries are appended in the same transaction as the write
//! they record.

use qinglian_crypto::{CryptoMode, chain_hash, digest_by_alg, hash_alg};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{StoreError, StoreResult};
use crate::sql::{Page, Query, fetch_all, fetch_page, like_escape};
use crate::{Db, Tx};

crate::id_type!(
    /// Sequence number of an audit entry (1, 2, …): its id, and its place in the hash chain.
    AuditSeq
);

/// Outcome of an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// It worked.
    Success,
    /// It failed (bad password, invalid input…).
    Failure,
    /// It was refused for lack of permission or scope.
    Denied,
}

impl Outcome {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// Failed logins recorded from one client address since `since` (UTC timestamp text), over
/// every user name: the per-address login throttle counts these.
pub async fn failed_logins_from(db: &crate::Db, ip: &str, since: &str) -> StoreResult<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM audit_log WHERE at >= $1 AND action = 'login' AND outcome = 'failure' AND ip = $2",
    )
    .bind(since)
    .bind(ip)
    .fetch_one(db.pool())
    .await?
    .try_get(0)?)
}

/// Chinese labels of the audit actions (the log shows them; the code stays in a tooltip).
/// Workflow actions (`<workflow>.<action>`) are labelled by their workflow table.
pub const ACTION_LABELS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("login.totp", "动态验证码登录"),
    ("logout", "退出登录"),
    ("access.denied", "越权访问被拒绝"),
    ("audit.export", "导出审计日志"),
    ("audit.purge", "清理过期审计日志"),
    ("audit.verify", "校验审计日志完整性"),
    ("calendar.save", "保存工作日历"),
    ("calendar.pending_resolved", "计算待定期限"),
    ("deadline.export", "导出期限预警"),
    ("demo.seed", "生成演示数据"),
    ("data_supervision.dataset_import", "导入监督数据集"),
    ("data_supervision.findings_export", "导出疑点清单"),
    ("data_supervision.job_cancel", "取消运行任务"),
    ("data_supervision.model_run", "运行比对模型"),
    ("data_supervision.run_queue", "提交模型运行任务"),
    ("data_supervision.import_queue", "提交数据集导入任务"),
    ("data_supervision.model_save", "保存自定义模型"),
    ("data_supervision.roster_publish", "由人员名册生成数据集"),
    ("keys.rotate", "轮换加密密钥"),
    ("org.create", "新增单位"),
    ("org.update", "修改单位"),
    ("org.export", "导出组织机构"),
    ("org.import", "导入组织机构"),
    ("party_org.create", "新增党组织"),
    ("person.create", "新增人员"),
    ("person.update", "修改人员"),
    ("person.export", "导出人员名册"),
    ("person.import", "导入人员名册"),
    ("person.read_sensitive", "查看完整身份证号"),
    ("policy.update", "修改安全策略"),
    ("role.create", "新增角色"),
    ("role.update", "修改角色权限"),
    ("user.admin", "账号维护"),
    ("user.create", "新增用户"),
    ("user.export", "导出用户"),
    ("user.grant", "用户授权"),
    ("user.password", "修改密码"),
    ("user.password_reset", "重置密码"),
    ("user.totp_disable", "关闭双因素认证"),
    ("user.totp_enable", "启用双因素认证"),
    ("user.unlock", "解锁账号"),
    ("data_supervision.finding.dispatch", "疑点：派发核查"),
    ("data_supervision.finding.exclude", "疑点：直接排除"),
    ("data_supervision.finding.answer", "疑点：反馈核查结果"),
    ("data_supervision.finding.accept_true", "疑点：复核认定属实"),
    ("data_supervision.finding.accept_partly", "疑点：复核认定部分属实"),
    ("data_supervision.finding.accept_false", "疑点：复核认定不属实"),
    ("data_supervision.finding.return", "疑点：退回重新核查"),
    ("report.submit", "网上举报平台收到信访件"),
    ("report.register", "登记信访件"),
    ("report.read", "查看信访件"),
    ("report.export", "导出信访件登记簿"),
    ("report.stats_export", "导出信访举报统计"),
    ("report.reward_export", "导出有奖举报奖励"),
    ("report.document", "生成信访文书"),
    ("report.identity_read", "查看举报人身份"),
    ("report.supplement", "举报人补充材料"),
    ("report.rate", "举报人评价答复"),
    ("report.accept", "信访件：受理"),
    ("report.decline", "信访件：不予受理"),
    ("report.transfer", "信访件：转办"),
    ("report.forward", "信访件：报送上级"),
    ("report.object", "信访件：承办单位提出异议"),
    ("report.unduplicate", "信访件：撤销重复件标记"),
    ("report.mark_duplicate", "信访件：作为重复件"),
    ("report.assign", "信访件：交办"),
    ("report.report_back", "信访件：报告办理结果"),
    ("report.return_back", "信访件：退回重办"),
    ("report.conclude", "信访件：办结"),
    ("report.extend", "信访件：延期办理"),
    ("report.reply", "信访件：答复"),
    ("report.request_review", "信访件：举报人申请复查"),
    ("report.answer_review", "信访件：答复复查"),
    ("report.request_re_review", "信访件：举报人申请复核"),
    ("report.answer_re_review", "信访件：答复复核"),
    ("report.disclosure.request", "申请查看举报人身份"),
    ("report.disclosure.approve", "批准身份披露"),
    ("report.disclosure.reject", "不批准身份披露"),
    ("report.reward.propose", "提出有奖举报奖励"),
    ("report.reward.approve", "批准奖励"),
    ("report.reward.reject", "不予奖励"),
    ("report.reward.pay", "记录奖励发放"),
    ("clue.register", "登记问题线索"),
    ("clue.read", "查看问题线索"),
    ("clue.export", "导出问题线索登记表"),
    ("clue.propose_inquiry", "问题线索：拟谈话函询"),
    ("clue.propose_verification", "问题线索：拟初步核实"),
    ("clue.propose_shelve", "问题线索：拟暂存待查"),
    ("clue.propose_close", "问题线索：拟予以了结"),
    ("clue.approve", "问题线索：批准处置意见"),
    ("clue.return", "问题线索：退回重新研究"),
    ("clue.reopen", "问题线索：重新启用"),
    ("clue.send_letter", "问题线索：发函询通知书"),
    ("clue.record_talk", "问题线索：记录谈话函询"),
    ("clue.record_explanation", "问题线索：登记书面说明"),
    ("clue.propose_conclusion", "问题线索：提出处理意见"),
    ("clue.plan_verification", "问题线索：制定初核方案"),
    ("clue.propose_filing", "问题线索：提出立案建议"),
    ("clue.document", "生成线索文书"),
    ("clue.triage", "集体排查问题线索"),
    ("clue.link_person", "问题线索关联人员名册"),
    ("case.transfer", "案件：移送审理"),
    ("case.accept", "案件：受理审理"),
    ("case.extend", "案件：延长审理期限"),
    ("case.return", "案件：退回补充调查"),
    ("case.decide", "案件：作出处分决定"),
    ("case.announce", "案件：宣布处分决定"),
    ("case.report_execution", "案件：报告执行情况并结案"),
    ("case.appeal.decide_review", "申诉：作出复审决定"),
    ("case.appeal.apply_re_review", "申诉：申请复核"),
    ("case.appeal.decide_re_review", "申诉：作出复核决定"),
    ("case.read", "查看案件"),
    ("case.outcome.record", "录入处理处分"),
    ("case.outcome.import", "导入历史处理处分"),
    ("case.outcome.export", "导出处理处分结果"),
    ("case.four_forms_export", "导出四种形态统计"),
    ("attachment.download", "下载附件"),
    ("user.api_key_create", "创建接口密钥"),
    ("user.api_key_revoke", "吊销接口密钥"),
];

/// The Chinese label of an audit action code (the code itself when none is known).
pub fn action_label(code: &str) -> &str {
    ACTION_LABELS.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| *l)
}

/// Chinese labels of the audited object types.
pub fn object_label(object_type: &str) -> &str {
    match object_type {
        "user" => "用户",
        "person" => "人员",
        "org" => "单位",
        "role" => "角色",
        "setting" => "设置",
        "audit_log" => "审计日志",
        "calendar_year" => "工作日历",
        "data_supervision_finding" => "疑点",
        "report" => "信访件",
        "report_disclosure" => "身份披露申请",
        "report_reward" => "奖励",
        "clue" => "问题线索",
        "clue_triage_meeting" => "集体排查会议",
        "outcome" => "处理处分",
        "case_record" => "案件",
        "data_supervision_job" => "运行任务",
        "ds_dataset" => "数据集",
        "deadline" => "期限",
        "path" => "页面",
        other => other,
    }
}

/// Chinese label for a stored outcome code.
pub fn outcome_label(s: &str) -> &'static str {
    match s {
        "success" => "成功",
        "failure" => "失败",
        "denied" => "拒绝",
        _ => "未知",
    }
}

/// Who did it and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// User id, if known.
    pub user_id: Option<crate::user::UserId>,
    /// Username (or the name tried, for failed logins).
    pub username: String,
    /// Role names.
    pub role: String,
    /// Client IP.
    pub ip: String,
}

impl Actor {
    /// The system itself (CLI, jobs).
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            username: what.to_string(),
            role: "系统".into(),
            ip: "local".into(),
        }
    }
}

/// One event to record. `detail` must never contain secrets or reporter identity.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Action code, e.g. "login", "person.create", "person.read_sensitive".
    pub action: &'a str,
    /// Object type, e.g. "person".
    pub object_type: &'a str,
    /// Object id.
    pub object_id: String,
    /// Outcome.
    pub outcome: Outcome,
    /// Free text (no secrets).
    pub detail: String,
}

impl<'a> Event<'a> {
    /// A successful action on one object (`object_id` empty for an action on many).
    pub fn success(
        action: &'a str,
        object_type: &'a str,
        object_id: impl ToString,
        detail: impl Into<String>,
    ) -> Event<'a> {
        Event {
            action,
            object_type,
            object_id: object_id.to_string(),
            outcome: Outcome::Success,
            detail: detail.into(),
        }
    }
}

/// A stored entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Sequence number (1, 2, …).
    pub seq: AuditSeq,
    /// Time (stored timestamp, UTC).
    pub at: String,
    /// User id.
    pub user_id: Option<crate::user::UserId>,
    /// Username.
    pub username: String,
    /// Role names.
    pub role: String,
    /// Client IP.
    pub ip: String,
    /// Action code.
    pub action: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Outcome code.
    pub outcome: String,
    /// Detail.
    pub detail: String,
    /// Hash algorithm.
    pub hash_alg: String,
    /// Previous entry's hash (hex).
    pub prev_hash: String,
    /// This entry's hash (hex).
    pub hash: String,
}

impl Entry {
    /// The first 12 characters of the hash, for lists (never panics on a tampered value).
    pub fn short_hash(&self) -> &str {
        self.hash.get(..12).unwrap_or(&self.hash)
    }
}

/// The bytes that are hashed: every field but the hashes, unambiguously separated.
fn canonical(e: &Entry) -> Vec<u8> {
    let fields = [
        e.seq.to_string(),
        e.at.clone(),
        e.user_id.map(|u| u.to_string()).unwrap_or_default(),
        e.username.clone(),
        e.role.clone(),
        e.ip.clone(),
        e.action.clone(),
        e.object_type.clone(),
        e.object_id.clone(),
        e.outcome.clone(),
        e.detail.clone(),
        e.hash_alg.clone(),
    ];
    let mut out = Vec::new();
    for f in fields {
        // Length-prefixed so that no field content can shift a boundary.
        out.extend_from_slice(&(f.len() as u64).to_be_bytes());
        out.extend_from_slice(f.as_bytes());
    }
    out
}

/// Append an entry inside the caller's transaction.
pub async fn append(tx: &mut Tx, mode: CryptoMode, actor: &Actor, ev: &Event<'_>) -> StoreResult<AuditSeq> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: AuditSeq = head.try_get(0)?;
    let prev_hash: String = head.try_get(1)?;
    let mut e = Entry {
        seq,
        at: crate::time::now(),
        user_id: actor.user_id,
        username: actor.username.clone(),
        role: actor.role.clone(),
        ip: actor.ip.clone(),
        action: ev.action.to_string(),
        object_type: ev.object_type.to_string(),
        object_id: ev.object_id.clone(),
        outcome: ev.outcome.as_str().to_string(),
        detail: ev.detail.clone(),
        hash_alg: hash_alg(mode).to_string(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = hex::encode(chain_hash(mode, e.prev_hash.as_bytes(), &canonical(&e)));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, user_id, username, role, ip, action, object_type, object_id, outcome, detail, hash_alg, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(e.seq)
    .bind(&e.at)
    .bind(e.user_id)
    .bind(&e.username)
    .bind(&e.role)
    .bind(&e.ip)
    .bind(&e.action)
    .bind(&e.object_type)
    .bind(&e.object_id)
    .bind(&e.outcome)
    .bind(&e.detail)
    .bind(&e.hash_alg)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&e.hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

/// Append an entry in a transaction of its own (logins, reads, refusals).
pub async fn record(db: &Db, mode: CryptoMode, actor: &Actor, ev: &Event<'_>) -> StoreResult<AuditSeq> {
    let mut tx = db.begin().await?;
    let seq = append(&mut tx, mode, actor, ev).await?;
    tx.commit().await?;
    Ok(seq)
}

const COLS: &str =
    "seq, at, user_id, username, role, ip, action, object_type, object_id, outcome, detail, hash_alg, prev_hash, hash";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Entry> {
    Ok(Entry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        role: r.try_get("role")?,
        ip: r.try_get("ip")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        outcome: r.try_get("outcome")?,
        detail: r.try_get("detail")?,
        hash_alg: r.try_get("hash_alg")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Why verification failed, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    /// Sequence number of the first bad entry (or where one is missing).
    pub seq: AuditSeq,
    /// Chinese explanation.
    pub reason: String,
}

/// Result of a full verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked.
    pub checked: i64,
    /// First failure, if any.
    pub failure: Option<VerifyFailure>,
}

/// Verify the whole chain, streaming in batches.
pub async fn verify(db: &Db) -> StoreResult<VerifyReport> {
    let head = sqlx::query("SELECT seq, hash, anchor_seq, anchor_hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let head_seq: i64 = head.try_get(0)?;
    let head_hash: String = head.try_get(1)?;
    let mut expect_seq: i64 = head.try_get(2)?;
    let mut prev_hash: String = head.try_get(3)?;
    let mut checked = 0;
    let fail = |seq: i64, reason: String, checked| {
        Ok(VerifyReport {
            checked,
            failure: Some(VerifyFailure {
                seq: AuditSeq(seq),
                reason,
            }),
        })
    };
    let anchor_seq = expect_seq;
    // After a purge the chain starts at the anchor; that is only legitimate if the purge
    // itself is on record (its entry names the anchor), else the start was cut off.
    let mut anchor_explained = anchor_seq <= 1;
    let mut after = expect_seq - 1;
    loop {
        // Only up to the head read above: entries committed while we verify are not
        // half-seen, and do not look like a missing tail.
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 1000"
        )))
        .bind(after)
        .bind(head_seq)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = from_row(r)?;
            if e.seq.0 != expect_seq {
                return fail(
                    expect_seq,
                    format!(
                        "第{expect_seq}条记录缺失（下一条为第{}条），日志被删除或顺序被改动",
                        e.seq
                    ),
                    checked,
                );
            }
            if e.prev_hash != prev_hash {
                return fail(
                    e.seq.0,
                    format!(
                        "第{}条记录的前序哈希与第{}条不符，日志被删除、插入或重排",
                        e.seq,
                        e.seq.0 - 1
                    ),
                    checked,
                );
            }
            let Some(_) = digest_by_alg(&e.hash_alg, b"") else {
                return fail(
                    e.seq.0,
                    format!("第{}条记录的哈希算法“{}”无法识别", e.seq, e.hash_alg),
                    checked,
                );
            };
            let mode = if e.hash_alg == "sm3" {
                CryptoMode::Guomi
            } else {
                CryptoMode::International
            };
            let want = hex::encode(chain_hash(mode, e.prev_hash.as_bytes(), &canonical(&e)));
            if want != e.hash {
                return fail(
                    e.seq.0,
                    format!("第{}条记录的内容与哈希不符，记录被篡改", e.seq),
                    checked,
                );
            }
            if e.action == "audit.purge" && e.object_id == format!("<{anchor_seq}") {
                anchor_explained = true;
            }
            prev_hash = e.hash.clone();
            expect_seq += 1;
            after = e.seq.0;
            checked += 1;
        }
    }
    if expect_seq - 1 != head_seq || prev_hash != head_hash {
        return fail(
            expect_seq,
            format!("日志末尾缺失：应有{head_seq}条，实际只到第{}条", expect_seq - 1),
            checked,
        );
    }
    if !anchor_explained {
        return fail(
            anchor_seq,
            format!(
                "日志开头的第1至{}条记录被删除，且没有对应的保存期清理记录",
                anchor_seq - 1
            ),
            checked,
        );
    }
    Ok(VerifyReport { checked, failure: None })
}

/// Filters for the auditor's list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Username contains.
    pub username: Option<String>,
    /// Action prefix.
    pub action: Option<String>,
    /// Outcome code.
    pub outcome: Option<String>,
    /// From date (YYYY-MM-DD, China time).
    pub from: Option<String>,
    /// To date inclusive (YYYY-MM-DD, China time).
    pub to: Option<String>,
}

/// Convert a China-time date to the UTC stored-timestamp bound at its start.
fn cst_day_start(date: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let t = d.and_hms_opt(0, 0, 0)?.and_utc() - chrono::Duration::hours(8);
    Some(crate::time::format(t))
}

fn audit_query(f: &AuditFilter, select: &str) -> StoreResult<Query> {
    let mut q = Query::new(&format!("SELECT {select} FROM audit_log WHERE 1 = 1"));
    if let Some(u) = f.username.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND LOWER(username) LIKE ");
        q.bind_text(format!("%{}%", like_escape(&u.to_lowercase())));
        q.push(" ESCAPE '\\'");
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND action LIKE ");
        q.bind_text(format!("{}%", like_escape(a)));
        q.push(" ESCAPE '\\'");
    }
    if let Some(o) = f.outcome.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND outcome = ");
        q.bind_text(o);
    }
    if let Some(d) = f.from.as_deref().filter(|s| !s.is_empty()) {
        let t = cst_day_start(d).ok_or_else(|| StoreError::invalid("from", "起始日期格式应为YYYY-MM-DD"))?;
        q.push(" AND at >= ");
        q.bind_text(t);
    }
    if let Some(d) = f.to.as_deref().filter(|s| !s.is_empty()) {
        let next = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| StoreError::invalid("to", "截止日期格式应为YYYY-MM-DD"))?
            .succ_opt()
            .ok_or_else(|| StoreError::invalid("to", "截止日期无效"))?;
        q.push(" AND at < ");
        q.bind_text(cst_day_start(&next.format("%Y-%m-%d").to_string()).unwrap_or_default());
    }
    Ok(q)
}

/// One page of entries, newest first.
pub async fn list(db: &Db, f: &AuditFilter, page: i64, per_page: i64) -> StoreResult<Page<Entry>> {
    let (count, rows) = (audit_query(f, "COUNT(*)")?, audit_query(f, COLS)?);
    fetch_page(db, count, rows, " ORDER BY seq DESC", page, per_page, from_row).await
}

/// Every entry matching the filter, oldest first, capped at `limit` (for export).
pub async fn list_all(db: &Db, f: &AuditFilter, limit: i64) -> StoreResult<Vec<Entry>> {
    fetch_all(db, audit_query(f, COLS)?, " ORDER BY seq", limit, from_row).await
}

/// Delete entries older than `before` (stored timestamp). Refuses to touch anything younger
/// than the retention period; keeps the chain verifiable by moving the anchor.
pub async fn purge(db: &Db, mode: CryptoMode, actor: &Actor, before: &str, retention_days: i64) -> StoreResult<i64> {
    let limit = crate::time::format(chrono::Utc::now() - chrono::Duration::days(retention_days));
    if before > limit.as_str() {
        return Err(StoreError::invalid(
            "before",
            format!("审计日志保存期为{retention_days}天，保存期内的记录任何人都不能删除"),
        ));
    }
    let mut tx = db.begin().await?;
    let first_kept = sqlx::query("SELECT seq, prev_hash FROM audit_log WHERE at >= $1 ORDER BY seq LIMIT 1")
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(first_kept) = first_kept else {
        return Err(StoreError::invalid("before", "不能删除全部审计日志"));
    };
    let seq: AuditSeq = first_kept.try_get(0)?;
    let prev: String = first_kept.try_get(1)?;
    let n = sqlx::query("DELETE FROM audit_log WHERE seq < $1")
        .bind(seq)
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64;
    sqlx::query("UPDATE audit_head SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&prev)
        .execute(&mut *tx)
        .await?;
    append(
        &mut tx,
        mode,
        actor,
        &Event {
            action: "audit.purge",
            object_type: "audit_log",
            object_id: format!("<{seq}"),
            outcome: Outcome::Success,
            detail: format!("删除保存期外的审计日志{n}条"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod label_tests {
    use qinglian_domain::workflow::{Action, State, Workflow};

    use super::ACTION_LABELS;

    fn labelled<S: State, A: Action>(w: &Workflow<S, A>) -> Vec<String> {
        w.transitions
            .iter()
            .map(|t| format!("{}.{}", w.name, t.action.code()))
            .filter(|code| !ACTION_LABELS.iter().any(|(c, _)| c == code))
            .collect()
    }

    /// Every workflow action appears in the audit log with a Chinese label (the audit entry of
    /// `workflow::apply` is `<workflow>.<action>`).
    #[test]
    fn every_workflow_action_has_a_chinese_label() {
        let mut missing = Vec::new();
        missing.extend(labelled(&qinglian_domain::report::ACCUSATION));
        missing.extend(labelled(&qinglian_domain::report::PETITION));
        missing.extend(labelled(&qinglian_domain::report::DISCLOSURE));
        missing.extend(labelled(&qinglian_domain::report::REWARD));
        missing.extend(labelled(&qinglian_domain::data_supervision::FINDING_WORKFLOW));
        missing.extend(labelled(&qinglian_domain::clue::CLUE_WORKFLOW));
        missing.extend(labelled(&qinglian_domain::case::CASE_WORKFLOW));
        missing.extend(labelled(&qinglian_domain::case::APPEAL_WORKFLOW));
        missing.sort();
        missing.dedup();
        assert_eq!(missing, Vec::<String>::new());
    }
}
