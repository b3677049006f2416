//! The notices of report handling as official documents (.docx, GB/T 9704 layout through
//! `qinglian_office::docx`): 受理告知书, 不予受理告知书, 转办函, 交办函, 延期告知书, 答复意见书 —
//! one function per document, filled from the report and the step that produced it.
//!
//! A notice to the reporter is addressed 「反映人：」 unless the user holds an approved identity
//! disclosure in force; then the name is filled in and the generation is audited as a use of
//! the identity. The document number is 「<机关简称><类别>〔年〕<编号>号」 with the report's number
//! (a per-year document register is a later step).

use axum::extract::{Path, State};
use chrono::NaiveDate;
use qinglian_domain::report::ReportState;
use qinglian_office::docx::{OfficialDocument, chinese_date};
use qinglian_store::report::{self, Message, Report, ReportId};

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};

/// A kind of notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// 受理告知书.
    Accept,
    /// 不予受理告知书.
    Decline,
    /// 转办函.
    Transfer,
    /// 交办函.
    Assign,
    /// 延期告知书.
    Extend,
    /// 答复意见书 (petitions).
    Reply,
    /// 办理结果告知书 (accusations: the result told within 15 working days, RULES.md §2).
    Result,
}

impl Notice {
    /// Every notice.
    pub const ALL: &'static [Notice] = &[
        Notice::Accept,
        Notice::Decline,
        Notice::Transfer,
        Notice::Assign,
        Notice::Extend,
        Notice::Reply,
        Notice::Result,
    ];
    /// URL code.
    pub fn code(self) -> &'static str {
        match self {
            Notice::Accept => "accept",
            Notice::Decline => "decline",
            Notice::Transfer => "transfer",
            Notice::Assign => "assign",
            Notice::Extend => "extend",
            Notice::Reply => "reply",
            Notice::Result => "result",
        }
    }
    /// Title.
    pub fn title(self) -> &'static str {
        match self {
            Notice::Accept => "受理告知书",
            Notice::Decline => "不予受理告知书",
            Notice::Transfer => "转办函",
            Notice::Assign => "交办函",
            Notice::Extend => "延期办理告知书",
            Notice::Reply => "答复意见书",
            Notice::Result => "办理结果告知书",
        }
    }
    /// The 类别 of its number.
    fn abbrev(self) -> &'static str {
        match self {
            Notice::Accept => "信受",
            Notice::Decline => "信不",
            Notice::Transfer => "信转",
            Notice::Assign => "信交",
            Notice::Extend => "信延",
            Notice::Reply => "信复",
            Notice::Result => "信结",
        }
    }
    /// Parses a URL code.
    pub fn parse(code: &str) -> Option<Notice> {
        Notice::ALL.iter().copied().find(|n| n.code() == code)
    }
    /// The action whose history event this notice records.
    fn action(self) -> &'static str {
        match self {
            Notice::Accept => "accept",
            Notice::Decline => "decline",
            Notice::Transfer => "transfer",
            Notice::Assign => "assign",
            Notice::Extend => "extend",
            Notice::Reply | Notice::Result => "reply",
        }
    }
    /// The kind of document in the register (`report.<action>`): a notice keeps its number.
    pub fn register_kind(self) -> String {
        format!("report.{}", self.action())
    }
}

/// The notices a report has, by the steps it went through.
pub async fn available(app: &App, r: &Report) -> Result<Vec<Notice>, AppError> {
    let events = qinglian_store::workflow::history(&app.db, r.kind().workflow().name, r.id).await?;
    Ok(Notice::ALL
        .iter()
        .copied()
        .filter(|n| events.iter().any(|e| e.action == n.action()))
        // An accusation's reply tells the result (办理结果告知书); a petition's answers it.
        .filter(|n| match n {
            Notice::Reply => r.kind().is_petition(),
            Notice::Result => !r.kind().is_petition(),
            _ => true,
        })
        // An anonymous reporter is told nothing by letter (the portal shows the replies).
        .filter(|n| r.named || matches!(n, Notice::Transfer | Notice::Assign))
        .collect())
}

fn step_text(messages: &[Message], kind: &str) -> String {
    messages
        .iter()
        .rev()
        .find(|m| m.kind == kind)
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// The document of one notice.
pub fn build(
    notice: Notice,
    r: &Report,
    messages: &[Message],
    reporter_name: Option<&str>,
    number: Option<qinglian_store::document::Number>,
    today: NaiveDate,
) -> OfficialDocument {
    let addressee = match notice {
        Notice::Assign => format!("{}：", r.handler_org_name.as_deref().unwrap_or("承办单位")),
        Notice::Transfer => "有关单位：".to_string(),
        _ => match reporter_name {
            Some(n) => format!("{n}同志："),
            None => "反映人：".to_string(),
        },
    };
    let received = NaiveDate::parse_from_str(&r.received_on, "%Y-%m-%d")
        .map(chinese_date)
        .unwrap_or_else(|_| r.received_on.clone());
    // 「反映王海“拨付补贴拖延”的问题」: the title without its own leading 反映.
    let matter = r.title.trim().trim_start_matches("反映").to_string();
    let about = if r.subject.name.is_empty() || matter.contains(&r.subject.name) {
        format!("“{matter}”")
    } else {
        format!("{}“{matter}”", r.subject.name)
    };
    let reply = step_text(messages, report::message::REPLY);
    let note = step_text(messages, report::message::NOTE);
    let body: Vec<String> = match notice {
        Notice::Accept => vec![
            format!("您于{received}反映{about}的问题已收悉。"),
            "经审查，该问题属于本机关受理范围，我们已依规依纪受理，将认真办理，并在办结后告知处理结果。".into(),
            "感谢您对纪检监察工作的信任和支持。".into(),
        ],
        Notice::Decline => vec![
            format!("您于{received}反映{about}的问题已收悉。"),
            format!(
                "经审查，{}",
                if reply.is_empty() {
                    "该问题不属于本机关受理范围。".to_string()
                } else {
                    reply
                }
            ),
            "特此告知。".into(),
        ],
        Notice::Transfer => vec![
            format!(
                "本机关于{received}收到反映{about}的信访事项（信访件 #{}），经审查，属于你单位职责范围，现转你单位依法处理。",
                r.id.0
            ),
            if note.is_empty() {
                "请依规处理，并按规定告知信访人。".into()
            } else {
                note
            },
        ],
        Notice::Assign => vec![
            format!(
                "本机关于{received}收到反映{about}的问题（信访件 #{}），现交你单位办理。",
                r.id.0
            ),
            if note.is_empty() {
                "请认真核实办理。".into()
            } else {
                note
            },
            match r.due.as_ref().and_then(|d| d.due_date.as_deref()) {
                Some(due) => format!(
                    "请于{}前将办理结果书面报告本机关。",
                    NaiveDate::parse_from_str(due, "%Y-%m-%d")
                        .map(chinese_date)
                        .unwrap_or_else(|_| due.to_string())
                ),
                // The limit waits for next year's calendar (待定), or a petition's handling
                // limit runs on: no number of days is promised that the table does not set.
                _ if r.kind().is_petition() || r.due.is_some() => {
                    "请在规定期限内办结，并将办理结果书面报告本机关。".into()
                }
                None => "请于15个工作日内将办理结果书面报告本机关。".into(),
            },
        ],
        Notice::Extend => vec![
            format!("您于{received}反映{about}的事项，因情况复杂，不能在规定期限内办结。"),
            format!("延期理由：{reply}"),
            "依据《信访工作条例》，办理期限延长不超过30日。特此告知。".into(),
        ],
        Notice::Reply => vec![format!("您于{received}反映{about}的问题，现答复如下："), reply],
        Notice::Result => vec![
            format!("您于{received}反映{about}的问题，经办理，现将处理结果告知如下："),
            reply,
            "感谢您对纪检监察工作的信任和支持。".into(),
        ],
    };
    let prefix = format!(
        "{}{}",
        crate::services::commission::short_name(&r.org_name),
        notice.abbrev()
    );
    OfficialDocument {
        issuer: format!("{}信访室", r.org_name),
        // The register's number of the year; reports handled before the register existed keep
        // the number they were shown with (the report's own).
        number: Some(match number {
            Some(n) => n.display(&prefix),
            None => format!("{prefix}〔{}〕{}号", today.format("%Y"), r.id.0),
        }),
        title: notice.title().into(),
        addressee: Some(addressee),
        body,
        signature: format!("{}信访室", r.org_name),
        date: today,
        note: matches!(
            notice,
            Notice::Accept | Notice::Decline | Notice::Extend | Notice::Reply | Notice::Result
        )
        .then(|| "（凭查询码可在信访举报平台查询办理情况）".to_string()),
    }
}

/// `GET /reports/{id}/documents/{notice}.docx`.
pub async fn download(State(app): State<App>, ctx: Ctx, Path((id, file)): Path<(ReportId, String)>) -> PageResult {
    if !ctx.principal.can(PERM_READ) && !ctx.principal.can(PERM_UNIT) {
        return Err(AppError::Forbidden.into());
    }
    let notice = file
        .strip_suffix(".docx")
        .and_then(Notice::parse)
        .ok_or(AppError::NotFound("文书"))?;
    let r = report::get(&app.db, &app.keys, ctx.scope(), id).await?;
    if !available(&app, &r).await?.contains(&notice) || (!ctx.principal.can(PERM_READ) && notice != Notice::Assign) {
        return Err(AppError::NotFound("文书").into());
    }
    if r.state() == ReportState::Forwarded {
        return Err(AppError::NotFound("文书").into());
    }
    let messages = report::messages(&app.db, &app.keys, id, false).await?;
    // The reporter's name only under an approved disclosure in force (and audited as such).
    let name = if r.named
        && !matches!(notice, Notice::Assign | Notice::Transfer)
        && let Some(d) = report::active_disclosure(&app.db, id, ctx.principal.user.id).await?
    {
        let who = report::reporter(&app.db, &app.keys, id).await?;
        crate::services::audit::read(
            &app,
            &ctx,
            qinglian_store::audit::Event::success(
                "report.identity_read",
                report::OBJECT_TYPE,
                id,
                format!("生成{}时使用举报人姓名（依据身份披露申请 #{}）", notice.title(), d.id.0),
            ),
        )
        .await?;
        who.map(|w| w.name)
    } else {
        None
    };
    let number =
        qinglian_store::document::find(&app.db, &notice.register_kind(), report::OBJECT_TYPE, &id.to_string()).await?;
    let doc = build(notice, &r, &messages, name.as_deref(), number, app.today());
    let bytes = doc.to_docx().map_err(|e| AppError::Internal(e.into()))?;
    crate::services::audit::read(
        &app,
        &ctx,
        qinglian_store::audit::Event::success(
            "report.document",
            report::OBJECT_TYPE,
            id,
            format!("生成{}", notice.title()),
        ),
    )
    .await?;
    Ok(crate::ui::xlsx::download(
        &format!("{}-信访件{}.docx", notice.title(), id.0),
        DOCX,
        bytes,
    ))
}

/// The MIME type of .docx.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
