//! Demo data of reports, seeded once into the demo city: reports by every kind and several
//! channels, in different states — one waiting for acceptance, one assigned to 财政局 (so the
//! `unit1` login has a report to answer), one answered and rated — with receipt codes the demo
//! prints, so the portal's follow page can be tried.

use anyhow::Context;
use chrono::Duration;
use qinglian_domain::report::{Channel, Kind, ReportAction};
use qinglian_store::Scope;
use qinglian_store::audit::Actor;
use qinglian_store::report::{self, NewReport, Reporter, StepInput, Subject};
use qinglian_store::workflow::{Performer, System};

use super::{due, receipt_hash};
use crate::App;
use crate::demo::DemoCity;
use crate::feature::BoxFuture;

/// The receipt code of the demo's answered report (printed at start, for the portal).
pub const DEMO_RECEIPT_REPLIED: &str = "2026120700000013";

/// Reports for the demo, if there are none yet.
pub fn seed<'a>(app: &'a App, city: &'a DemoCity) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(seed_city(app, city))
}

struct Demo {
    kind: Kind,
    channel: Channel,
    named: bool,
    days_ago: i64,
    subject: (&'static str, &'static str, &'static str, &'static str),
    category: &'static str,
    title: &'static str,
    content: &'static str,
    external_id: Option<&'static str>,
    steps: &'static [(ReportAction, &'static str)],
    code: Option<&'static str>,
    /// What the portal publishes of a concluded 我为群众办实事 request.
    public_summary: &'static str,
}

const DEMOS: &[Demo] = &[
    Demo {
        kind: Kind::Accusation,
        channel: Channel::Online,
        named: true,
        days_ago: 2,
        subject: ("刘建军", "示例市住房和城乡建设局", "科长", "乡科级"),
        category: "违反廉洁纪律",
        title: "反映刘建军在项目验收中收受施工方礼金",
        content: "2026年10月，示例市住建局刘建军在某安置房项目验收期间，多次接受施工单位宴请并收受礼金，验收中对质量问题未予指出。",
        external_id: None,
        steps: &[],
        code: None,
        public_summary: "",
    },
    Demo {
        kind: Kind::Accusation,
        channel: Channel::Visit,
        named: true,
        days_ago: 12,
        subject: ("王海", "示例市财政局", "副科长", "乡科级"),
        category: "违反工作纪律",
        title: "反映财政局拨付惠民补贴拖延",
        content: "来访人反映，示例市财政局王海在拨付2026年农机购置补贴时无故拖延三个月，群众多次询问均被推诿。",
        external_id: None,
        steps: &[
            (ReportAction::Accept, "属于受理范围"),
            (ReportAction::Assign, "请财政局核实补贴拨付情况，15个工作日内报告结果"),
        ],
        code: None,
        public_summary: "",
    },
    Demo {
        kind: Kind::ServiceRequest,
        channel: Channel::Hotline,
        named: false,
        days_ago: 30,
        subject: ("示例市民政局", "", "", ""),
        category: "其他",
        title: "小区老年人助餐点长期未开放",
        content: "市民来电反映，示例市东城街道某小区老年人助餐点建成半年一直未开放，希望尽快投入使用。",
        external_id: Some("12345-2026-118807"),
        steps: &[
            (ReportAction::Accept, ""),
            (ReportAction::Conclude, "民政局已协调街道，助餐点于11月起正常开放"),
            (
                ReportAction::Reply,
                "您反映的助餐点问题已办结：该助餐点已于2026年11月起每日中午开放，感谢您的监督。",
            ),
        ],
        code: Some(DEMO_RECEIPT_REPLIED),
        public_summary: "东城街道一小区老年人助餐点建成后未开放。经民政局协调街道，助餐点已于2026年11月起每日中午开放。",
    },
    Demo {
        kind: Kind::Suggestion,
        channel: Channel::Letter,
        named: false,
        days_ago: 20,
        subject: ("", "", "", ""),
        category: "其他",
        title: "建议公开惠民惠农资金发放明细",
        content: "来信建议各乡镇在村务公开栏按季度公开惠民惠农补贴发放明细，方便群众监督。",
        external_id: None,
        steps: &[(ReportAction::Accept, "")],
        code: None,
        public_summary: "",
    },
    Demo {
        kind: Kind::Accusation,
        channel: Channel::Phone,
        named: false,
        days_ago: 8,
        subject: ("某物业公司", "", "", ""),
        category: "其他",
        title: "反映物业公司乱收费",
        content: "来电反映某物业公司收取停车管理费标准过高，属于价格主管部门职责范围。",
        external_id: None,
        steps: &[(
            ReportAction::Transfer,
            "不属于纪检监察机关受理范围，已转市场监管部门办理",
        )],
        code: None,
        public_summary: "",
    },
    Demo {
        kind: Kind::RewardedReport,
        channel: Channel::MayorMailbox,
        named: true,
        days_ago: 4,
        subject: ("赵某", "示例市市场监督管理局", "科员", "一般干部"),
        category: "损害营商环境",
        title: "反映市场监管局工作人员在企业开办中吃拿卡要",
        content: "企业负责人反映，办理食品经营许可时，市场监管局赵某暗示需宴请后才能尽快办结，并拖延材料审核。",
        external_id: None,
        steps: &[],
        code: None,
        public_summary: "",
    },
];

fn demo_reporter(i: usize) -> Reporter {
    let names = ["陈立新", "林秀芳", "黄志明", "何静"];
    let ids = [
        "110105194912310021",
        "11010519491231002X",
        "110105198001010015",
        "110105199003070027",
    ];
    Reporter {
        name: names[i % names.len()].into(),
        id_number: ids[i % ids.len()].into(),
        phone: format!("1391234{:04}", 5600 + i),
        address: "示例市人民路88号".into(),
    }
}

async fn seed_city(app: &App, city: &DemoCity) -> anyhow::Result<()> {
    let existing = report::list(
        &app.db,
        &app.keys,
        &Scope::new(vec!["/".into()]),
        &Default::default(),
        "received",
        true,
        1,
        1,
    )
    .await?;
    if existing.total > 0 {
        return Ok(());
    }
    let finance = *city.units.get("财政局").context("演示单位财政局缺失")?;
    let officer = qinglian_store::user::find_auth(app.db.pool(), "reports")
        .await?
        .map(|u| u.user.id)
        .context("演示用户reports缺失")?;
    let by = Performer {
        user_id: Some(officer),
        actor: Actor::system("demo"),
        mode: app.mode(),
        perms: &System,
    };
    let everything = Scope::new(vec!["/".into()]);
    let today = app.today();
    let due = due(app);
    for (i, d) in DEMOS.iter().enumerate() {
        let received_on = today - Duration::days(d.days_ago);
        let code = match d.code {
            Some(c) => c.to_string(),
            None => super::new_receipt_code(),
        };
        let r = NewReport {
            org_id: city.commission,
            kind: d.kind,
            channel: d.channel,
            external_id: d.external_id.map(str::to_string),
            reporter: d.named.then(|| demo_reporter(i)),
            receipt_hash: Some(receipt_hash(app, &code).await.map_err(|e| anyhow::anyhow!("{e}"))?),
            subject: Subject {
                name: d.subject.0.into(),
                org: d.subject.1.into(),
                post: d.subject.2.into(),
                level: d.subject.3.into(),
            },
            category: d.category.into(),
            title: d.title.into(),
            content: d.content.into(),
            happened_on: String::new(),
            place: String::new(),
            visitors: if d.channel == Channel::Visit { 1 } else { 0 },
            received_on,
            about_principal: false,
            belongs_higher: false,
            duplicate_of: None,
        };
        let mut tx = app.db.begin().await?;
        let created = report::create(
            &mut tx,
            &app.keys,
            &r,
            due(d.kind.first_rule(), received_on),
            Some(officer),
        )
        .await?;
        for (n, (action, text)) in d.steps.iter().enumerate() {
            let input = StepInput {
                text: (*text).into(),
                org_id: (*action == ReportAction::Assign).then_some(finance),
                public_summary: if *action == ReportAction::Reply {
                    d.public_summary.to_string()
                } else {
                    String::new()
                },
                ..StepInput::default()
            };
            let on = (received_on + Duration::days(1 + n as i64 * 3)).min(today);
            report::act(
                &mut tx,
                &app.keys,
                &everything,
                created.id,
                *action,
                &input,
                on,
                &due,
                &by,
            )
            .await?;
        }
        if d.code.is_some() {
            report::rate(&mut tx, created.id, "satisfied").await?;
        }
        tx.commit().await?;
    }
    tracing::info!(
        receipt_code = DEMO_RECEIPT_REPLIED,
        "演示信访件已生成；门户查询可用此查询码"
    );
    Ok(())
}
