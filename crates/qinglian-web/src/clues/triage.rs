//! 集体排查 (triage): the case-management office puts the waiting clues on a meeting's agenda,
//! records who chaired and attended, and proposes each clue's disposition with the meeting's
//! opinion — one transaction through the workflow table — then the leader approves each one.
//! The minutes (问题线索集体排查会议纪要) are generated as .docx in the official layout.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use qinglian_domain::clue::{ClueState, Disposition};
use qinglian_domain::text::Limit;
use qinglian_domain::workflow::State as _;
use qinglian_office::docx::OfficialDocument;
use qinglian_store::audit::Event;
use qinglian_store::clue::{self, AgendaItem, Clue, ClueFilter, Meeting, MeetingId, NewMeeting};
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::templates::{Chrome, FormErrors, Typed};
use crate::ui::{page, page_with, redirect};

#[derive(Template)]
#[template(path = "clues/triage.html")]
struct TriagePage {
    chrome: Chrome,
    waiting: Vec<Clue>,
    meetings: Vec<Meeting>,
    dispositions: Vec<(&'static str, &'static str)>,
    today: String,
    errors: FormErrors,
    typed: Typed,
}

async fn triage_page(app: &App, ctx: &Ctx, errors: FormErrors, typed: Typed) -> Result<TriagePage, AppError> {
    let f = ClueFilter {
        status: Some(ClueState::Registered.code().into()),
        ..Default::default()
    };
    let waiting = clue::list_all(
        &app.db,
        &app.keys,
        ctx.scope(),
        restricted(ctx),
        &f,
        "received",
        false,
        500,
    )
    .await?;
    Ok(TriagePage {
        chrome: chrome(app, ctx, "集体排查", "/clues/triage", &[("集体排查", "")]).await,
        waiting,
        meetings: clue::meetings(&app.db, ctx.scope()).await?,
        dispositions: Disposition::ALL.iter().map(|d| (d.code(), d.label())).collect(),
        today: app.today().format("%Y-%m-%d").to_string(),
        errors,
        typed,
    })
}

/// `/clues/triage`: the clues waiting for a disposition, the meeting form, past meetings.
pub async fn form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(PERM_HANDLE)?;
    Ok(page(
        &triage_page(&app, &ctx, FormErrors::default(), Typed::default()).await?,
    ))
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// The meeting, sent: `held_on`, `place`, `host`, `attendees`, and per clue `d_<id>` (the
/// disposition; empty = not on the agenda) and `o_<id>` (the opinion).
pub async fn record(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    ctx.require(PERM_HANDLE)?;
    let result = async {
        for (name, label, limit) in [
            ("place", "会议地点", Limit::Title),
            ("host", "主持人", Limit::Title),
            ("attendees", "参会人员", Limit::Note),
        ] {
            AppError::check_text(name, label, field(&pairs, name), limit)?;
        }
        let held_on = NaiveDate::parse_from_str(field(&pairs, "held_on").trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("held_on", "会议日期应为“年-月-日”格式"))?;
        let mut items = Vec::new();
        for (k, v) in &pairs {
            let Some(id) = k.strip_prefix("d_").and_then(|s| s.parse::<i64>().ok()) else {
                continue;
            };
            if v.trim().is_empty() {
                continue;
            }
            let disposition = Disposition::parse(v.trim()).ok_or_else(|| AppError::invalid("items", "处置方式无效"))?;
            let opinion = field(&pairs, &format!("o_{id}")).to_string();
            AppError::check_text("items", "排查意见", &opinion, Limit::Note)?;
            items.push(AgendaItem {
                clue_id: clue::ClueId(id),
                disposition,
                opinion,
            });
        }
        let m = NewMeeting {
            commission_id: crate::services::commission::of_user(&app, &ctx, "host").await?,
            held_on,
            place: field(&pairs, "place").into(),
            host: field(&pairs, "host").into(),
            attendees: field(&pairs, "attendees").into(),
        };
        let mut tx = app.db.begin().await?;
        let id = clue::triage(
            &mut tx,
            &app.keys,
            ctx.scope(),
            &m,
            &items,
            app.today(),
            &due(&app),
            &ctx.performer(app.mode()),
        )
        .await?;
        crate::services::audit::write(
            &app,
            &ctx,
            &mut tx,
            Event::success(
                "clue.triage",
                "clue_triage_meeting",
                id,
                format!("集体排查问题线索{}件", items.len()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(redirect(&headers, &format!("/clues/triage/{}?ok=triaged", id.0))),
        Err(AppError::Invalid(e)) => Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &triage_page(&app, &ctx, FormErrors::from_pairs(e), Typed::of(pairs.clone())).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "clues/meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    m: Meeting,
}

/// Query of the meeting page.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingQuery {
    ok: Option<String>,
}

/// `/clues/triage/{id}`.
pub async fn meeting(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<MeetingId>,
    Query(q): Query<MeetingQuery>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    let m = clue::meeting(&app.db, &app.keys, ctx.scope(), restricted(&ctx), id).await?;
    let title = format!("集体排查会议（{}）", m.held_on);
    Ok(page(&MeetingPage {
        chrome: chrome(
            &app,
            &ctx,
            &title,
            "/clues/triage",
            &[("集体排查", "/clues/triage"), (&title, "")],
        )
        .await
        .flash_code(q.ok.as_deref()),
        m,
    }))
}

/// The minutes of a meeting.
pub fn minutes(m: &Meeting, commission: &str) -> OfficialDocument {
    let held = NaiveDate::parse_from_str(&m.held_on, "%Y-%m-%d").unwrap_or_default();
    let mut body = vec![format!(
        "{}，{}在{}召开问题线索集体排查会议，{}主持，{}参加。会议对{}件问题线索逐件进行了分析研判，提出处置意见如下：",
        qinglian_office::docx::chinese_date(held),
        commission,
        if m.place.is_empty() { "本机关" } else { &m.place },
        m.host,
        m.attendees,
        m.items.len()
    )];
    const NUMS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    for (i, it) in m.items.iter().enumerate() {
        let n = NUMS.get(i).map_or_else(|| (i + 1).to_string(), |s| s.to_string());
        let opinion = it.opinion.trim_end_matches('。');
        body.push(format!(
            "{n}、关于反映{}“{}”的问题线索（编号{}）。拟{}。{}",
            it.subject,
            super::documents::matter_of(&it.title, ""),
            it.clue_id.0,
            it.disposition_label(),
            if opinion.is_empty() {
                String::new()
            } else {
                format!("{opinion}。")
            }
        ));
    }
    body.push("以上处置意见按规定报批后执行。".into());
    OfficialDocument {
        issuer: commission.to_string(),
        number: None,
        title: "问题线索集体排查会议纪要".into(),
        addressee: None,
        body,
        signature: commission.to_string(),
        date: held,
        note: None,
    }
}

/// `GET /clues/triage/{id}/minutes.docx` (audited).
pub async fn minutes_docx(State(app): State<App>, ctx: Ctx, Path(id): Path<MeetingId>) -> PageResult {
    ctx.require(PERM_READ)?;
    let m = clue::meeting(&app.db, &app.keys, ctx.scope(), restricted(&ctx), id).await?;
    let name = qinglian_store::org::get_unscoped(app.db.pool(), m.commission_id)
        .await?
        .name;
    let bytes = minutes(&m, &name).to_docx().map_err(|e| AppError::Internal(e.into()))?;
    crate::services::audit::read(
        &app,
        &ctx,
        Event::success("clue.document", "clue_triage_meeting", id, "生成集体排查会议纪要"),
    )
    .await?;
    Ok(crate::ui::xlsx::download(
        &format!("集体排查会议纪要（{}）.docx", m.held_on),
        crate::reports::documents::DOCX,
        bytes,
    ))
}
