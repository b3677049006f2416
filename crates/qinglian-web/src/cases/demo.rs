//! Demo outcomes: past records of the demo roster as an Excel import at go-live would bring
//! them (2024–2026, every form), so the four-forms page, effect periods and the outcomes list
//! have something true to show.

use chrono::Datelike;
use qinglian_domain::outcome::OutcomeKind;
use qinglian_store::Scope;
use qinglian_store::outcome::{self, NewOutcome};
use sqlx::Row;

use crate::App;
use crate::demo::DemoCity;
use crate::feature::BoxFuture;

/// Outcomes for the demo, if none was imported yet.
pub fn seed<'a>(app: &'a App, _city: &'a DemoCity) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(seed_outcomes(app))
}

/// (person index, kind, months before today, case, term).
const PAST: &[(usize, OutcomeKind, u32, &str, Option<u32>)] = &[
    (2, OutcomeKind::ReminderTalk, 2, "1", None),
    (3, OutcomeKind::Criticism, 5, "2", None),
    (4, OutcomeKind::Admonition, 7, "3", None),
    (5, OutcomeKind::PartyWarning, 9, "4", None),
    (5, OutcomeKind::PublicWarning, 9, "4", None),
    (6, OutcomeKind::PartySeriousWarning, 14, "5", None),
    (7, OutcomeKind::OrgRemoval, 16, "6", None),
    (8, OutcomeKind::PartyPostRemoval, 20, "7", None),
    (9, OutcomeKind::PartyProbation, 23, "8", Some(12)),
    (10, OutcomeKind::PartyExpulsion, 26, "9", None),
    (10, OutcomeKind::ProsecutionReferral, 26, "9", None),
    (11, OutcomeKind::OrderedReview, 1, "10", None),
];

async fn seed_outcomes(app: &App) -> anyhow::Result<()> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM outcome WHERE source = 'import'")
        .fetch_one(app.db.pool())
        .await?
        .try_get(0)?;
    if n > 0 {
        return Ok(());
    }
    let people: Vec<String> = sqlx::query(
        "SELECT p.id_number FROM person p JOIN org o ON o.id = p.org_id WHERE o.kind <> 'village' ORDER BY p.id LIMIT 12",
    )
    .fetch_all(app.db.pool())
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let everything = Scope::new(vec!["/".into()]);
    let today = app.today();
    let mut tx = app.db.begin().await?;
    for (who, kind, months, case, term) in PAST {
        let Some(id_number) = people.get(*who) else { continue };
        let on = today.checked_sub_months(chrono::Months::new(*months)).unwrap_or(today);
        let year = on.year();
        let case_ref = format!("示纪案〔{year}〕{case}号");
        let o = NewOutcome {
            id_number: id_number.clone(),
            kind: *kind,
            decided_on: on,
            effective_on: on,
            term_months: *term,
            case_ref,
            clue_id: None,
            source: "import",
            note: "上线前历史数据".into(),
        };
        outcome::record(&mut tx, &everything, &o, None).await?;
    }
    tx.commit().await?;
    Ok(())
}
