//! The inquiry letter (函询通知书) in the official layout (GB/T 9704, `qinglian_office::docx`):
//! its number from the document register, the matter, the 15-working-day reply limit with its
//! date on the official calendar, and where the explanation goes (through the principal of the
//! subject's party organisation, or straight to the commission when the subject is that
//! principal).

use axum::extract::{Path, State};
use chrono::NaiveDate;
use qinglian_office::docx::{OfficialDocument, chinese_date};
use qinglian_store::clue::{self, Clue, ClueId, Inquiry};

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};

/// The letter of a clue's inquiry.
pub fn inquiry_letter(
    c: &Clue,
    i: &Inquiry,
    commission: &str,
    reply_due: Option<NaiveDate>,
    principal: bool,
) -> OfficialDocument {
    let sent = NaiveDate::parse_from_str(&i.letter_sent_on, "%Y-%m-%d").unwrap_or_default();
    let due = reply_due
        .map(|d| format!("（即{}前）", chinese_date(d)))
        .unwrap_or_default();
    let route = if principal {
        format!("直接报送{commission}")
    } else {
        format!("经所在党组织主要负责人签署意见后，报送{commission}")
    };
    OfficialDocument {
        issuer: commission.to_string(),
        number: Some(i.letter_number.clone()),
        title: "函询通知书".into(),
        addressee: Some(format!("{}同志：", c.subject.name)),
        body: vec![
            format!(
                "根据问题线索处置工作需要，现就有关反映你{}的问题进行函询。",
                matter_of(&c.title, &c.subject.name)
            ),
            format!(
                "请你本着对组织忠诚老实的态度，自收到本通知书之日起15个工作日内{due}，就上述问题如实作出书面说明，{route}。"
            ),
            "书面说明应当实事求是，不得隐瞒、歪曲事实，不得打听、追查反映人，不得对反映人打击报复。".into(),
        ],
        signature: commission.to_string(),
        date: sent,
        note: Some("本通知书由承办部门送达被函询人本人签收。".into()),
    }
}

/// What a clue's title says the subject did, without 「反映」, the subject's own name and a full
/// stop: 「反映刘建军在验收中收受礼金。」 → 「在验收中收受礼金」.
pub fn matter_of(title: &str, subject: &str) -> String {
    let t = title.trim().trim_start_matches("反映").trim_end_matches('。');
    let t = if subject.is_empty() {
        t
    } else {
        t.trim_start_matches(subject)
    };
    t.trim_start_matches('“').trim_end_matches('”').to_string()
}

/// `GET /clues/{id}/inquiry-letter.docx` (audited).
pub async fn download(State(app): State<App>, ctx: Ctx, Path(id): Path<ClueId>) -> PageResult {
    ctx.require(PERM_READ)?;
    let c = clue::get(&app.db, &app.keys, ctx.scope(), restricted(&ctx), id).await?;
    let i = clue::inquiry(&app.db, &app.keys, id)
        .await?
        .filter(|i| !i.letter_number.is_empty())
        .ok_or(AppError::NotFound("函询通知书"))?;
    let commission = crate::services::commission::of_user(&app, &ctx, "id").await?;
    let name = qinglian_store::org::get_unscoped(app.db.pool(), commission).await?.name;
    let principal = match c.person_id {
        Some(p) => qinglian_store::person::get(&app.db, ctx.scope(), p)
            .await
            .map(|p| p.principal)
            .unwrap_or(false),
        None => false,
    };
    let due = qinglian_store::deadline::due_of_rule(
        &app.db,
        clue::OBJECT_TYPE,
        &id.to_string(),
        qinglian_domain::clue::RULE_LETTER_REPLY,
    )
    .await?;
    let bytes = inquiry_letter(&c, &i, &name, due, principal)
        .to_docx()
        .map_err(|e| AppError::Internal(e.into()))?;
    crate::services::audit::read(
        &app,
        &ctx,
        qinglian_store::audit::Event::success(
            "clue.document",
            clue::OBJECT_TYPE,
            id,
            format!("生成函询通知书{}", i.letter_number),
        ),
    )
    .await?;
    Ok(crate::ui::xlsx::download(
        &format!("函询通知书-问题线索{}.docx", id.0),
        crate::reports::documents::DOCX,
        bytes,
    ))
}
