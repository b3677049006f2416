//! Demo clues, seeded once into the demo city: one carried over from a demo report, and clues
//! from an inspection tour, an audit and routine supervision in different stages — waiting for
//! the triage, proposed and waiting for the leader, an inquiry letter out, and an inquiry
//! concluded with a reminder talk recorded against a roster person.

use anyhow::Context;
use chrono::Duration;
use qinglian_domain::clue::{ClueAction, Conclusion, RULE_PROPOSE, Source};
use qinglian_domain::outcome::OutcomeKind;
use qinglian_store::Scope;
use qinglian_store::audit::Actor;
use qinglian_store::clue::{self, NewClue, StepInput, Subject};
use qinglian_store::workflow::{Performer, System};
use sqlx::Row;

use super::due;
use crate::App;
use crate::demo::DemoCity;
use crate::feature::BoxFuture;

/// Clues for the demo, if there are none yet.
pub fn seed<'a>(app: &'a App, city: &'a DemoCity) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(seed_city(app, city))
}

async fn seed_city(app: &App, city: &DemoCity) -> anyhow::Result<()> {
    let everything = Scope::new(vec!["/".into()]);
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM clue")
        .fetch_one(app.db.pool())
        .await?
        .try_get(0)?;
    if n > 0 {
        return Ok(());
    }
    let officer = qinglian_store::user::find_auth(app.db.pool(), "casemgmt")
        .await?
        .map(|u| u.user.id)
        .context("演示用户casemgmt缺失")?;
    let by = Performer {
        user_id: Some(officer),
        actor: Actor::system("demo"),
        mode: app.mode(),
        perms: &System,
    };
    // Approvals are the leader's, as in life.
    let leader = qinglian_store::user::find_auth(app.db.pool(), "leader")
        .await?
        .map(|u| u.user.id)
        .context("演示用户leader缺失")?;
    let leader_by = Performer {
        user_id: Some(leader),
        actor: Actor::system("demo"),
        mode: app.mode(),
        perms: &System,
    };
    let today = app.today();
    let due = due(app);
    let letter_prefix = format!(
        "{}函",
        crate::services::commission::short_name(
            &qinglian_store::org::get_unscoped(app.db.pool(), city.commission)
                .await?
                .name
        )
    );
    let policy = clue::Policy {
        filing_prefix: format!("{}立", letter_prefix.trim_end_matches('函')),
        letter_prefix,
        principal_approval: app.config.clue.principal_approval,
    };
    // Two people of the roster (a unit's staff, not a village's) for the clues that reach them.
    let people: Vec<(i64, String, String)> = sqlx::query(
        "SELECT p.id, p.name, o.name FROM person p JOIN org o ON o.id = p.org_id \
         WHERE o.kind <> 'village' AND p.principal = 0 ORDER BY p.id LIMIT 2",
    )
    .fetch_all(app.db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let person = |i: usize| people.get(i).cloned();
    // (source, reference, subject, title, matter, days ago, person, steps)
    type Steps = &'static [(ClueAction, &'static str)];
    type Who = Option<(i64, String, String)>;
    type Plan = (
        Source,
        &'static str,
        Subject,
        &'static str,
        &'static str,
        i64,
        Who,
        Steps,
    );
    let plans: Vec<Plan> = vec![
        (
            Source::Inspection,
            "市委第二巡察组移交",
            Subject {
                name: "陈志刚".into(),
                org: "示例市农业农村局".into(),
                post: "副局长".into(),
                level: "县处级".into(),
            },
            "陈志刚违规接受宴请",
            "巡察发现陈志刚2026年多次接受下属单位安排的宴请，费用由下属单位报销。",
            3,
            None,
            &[],
        ),
        (
            Source::Audit,
            "示审报〔2026〕12号",
            Subject {
                name: "赵敏".into(),
                org: "示例市民政局".into(),
                post: "科长".into(),
                level: "乡科级".into(),
            },
            "低保资金发放审核不严",
            "审计发现2025年度低保资金向不符合条件人员发放12.6万元，经办科室审核把关不严。",
            20,
            None,
            &[(ClueAction::ProposeInquiry, "集体排查：问题较具体，拟函询")],
        ),
        (
            Source::RoutineSupervision,
            "日常监督谈话中发现",
            Subject::default(),
            "反映在工程款拨付中吃拿卡要",
            "日常监督中有施工单位反映，该同志在工程款拨付审核环节故意拖延，暗示请托。",
            40,
            person(0),
            &[
                (ClueAction::ProposeInquiry, "集体排查：拟函询"),
                (ClueAction::Approve, ""),
                (ClueAction::SendLetter, ""),
            ],
        ),
        (
            Source::HigherAssigned,
            "省纪委监委交办",
            Subject::default(),
            "反映违规兼职取酬",
            "上级交办：反映该同志在某协会违规兼职并领取报酬。",
            75,
            person(1),
            &[
                (ClueAction::ProposeInquiry, "集体排查：拟函询"),
                (ClueAction::Approve, ""),
                (ClueAction::SendLetter, ""),
                (ClueAction::RecordExplanation, ""),
                (ClueAction::ProposeConclusion, ""),
                (ClueAction::Approve, "同意谈话提醒"),
            ],
        ),
    ];
    for (source, reference, mut subject, title, matter, days_ago, who, steps) in plans {
        let received_on = today - Duration::days(days_ago);
        if let Some((_, name, org)) = &who {
            subject = Subject {
                name: name.clone(),
                org: org.clone(),
                post: String::new(),
                level: String::new(),
            };
        }
        let c = NewClue {
            commission_id: city.commission,
            manager_org_id: None,
            source,
            source_ref: reference.into(),
            report_id: None,
            finding_id: None,
            person_id: who.as_ref().map(|w| qinglian_store::person::PersonId(w.0)),
            subject,
            category: String::new(),
            title: title.into(),
            matter: matter.into(),
            received_on,
        };
        let mut tx = app.db.begin().await?;
        let id = clue::create(
            &mut tx,
            &app.keys,
            &everything,
            &c,
            due(RULE_PROPOSE, received_on),
            Some(officer),
        )
        .await?;
        for (n, (action, note)) in steps.iter().enumerate() {
            let on = (received_on + Duration::days(3 + n as i64 * 5)).min(today);
            let input = StepInput {
                note: (*note).into(),
                text: if *action == ClueAction::RecordExplanation {
                    "本人已辞去协会职务，兼职期间领取的报酬已全部退缴。".into()
                } else {
                    String::new()
                },
                sign_off: if *action == ClueAction::RecordExplanation {
                    "情况属实，同意其说明。".into()
                } else {
                    String::new()
                },
                day: None,
                conclusion: (*action == ClueAction::ProposeConclusion)
                    .then_some(Conclusion::Measure(OutcomeKind::ReminderTalk)),
                team: String::new(),
                due_on: None,
            };
            clue::act(
                &mut tx,
                &app.keys,
                &everything,
                true,
                id,
                *action,
                &input,
                &policy,
                on,
                &due,
                if *action == ClueAction::Approve {
                    &leader_by
                } else {
                    &by
                },
            )
            .await?;
        }
        tx.commit().await?;
    }
    // The first demo report, carried over in one step.
    if let Some(r) = sqlx::query("SELECT MIN(id) FROM report WHERE kind = 'accusation' AND status <> 'duplicate'")
        .fetch_one(app.db.pool())
        .await?
        .try_get::<Option<i64>, _>(0)?
    {
        let c = clue::from_report(&app.db, &app.keys, &everything, qinglian_store::report::ReportId(r)).await?;
        let mut tx = app.db.begin().await?;
        clue::create(
            &mut tx,
            &app.keys,
            &everything,
            &c,
            due(RULE_PROPOSE, c.received_on),
            Some(officer),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
