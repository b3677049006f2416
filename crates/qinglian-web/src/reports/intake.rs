//! What a report carries when it comes in — from the portal, the public API, the staff's
//! register form or the hotline's API — and the one check of it: every field named in
//! Chinese when it is wrong, the ID number checked by GB 11643, every length limited.

use qinglian_domain::id_number::IdNumber;
use qinglian_domain::report::Kind;
use qinglian_domain::text::Limit;
use qinglian_store::report::{Reporter, Subject};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;

/// The reporter of a named report.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReporterInput {
    /// 姓名.
    #[serde(default)]
    pub name: String,
    /// 身份证号 (GB 11643).
    #[serde(default)]
    pub id_number: String,
    /// 联系电话.
    #[serde(default)]
    pub phone: String,
    /// 通讯地址.
    #[serde(default)]
    pub address: String,
}

/// Who or what the report is about.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SubjectInput {
    /// 被反映人姓名 (or an organisation's name).
    #[serde(default)]
    pub name: String,
    /// 单位.
    #[serde(default)]
    pub org: String,
    /// 职务.
    #[serde(default)]
    pub post: String,
    /// 级别 (e.g. 县处级, 乡科级, 一般干部).
    #[serde(default)]
    pub level: String,
}

/// A report as typed or posted, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Intake {
    /// Kind.
    pub kind: Kind,
    /// 实名.
    pub named: bool,
    /// The reporter (named reports).
    pub reporter: ReporterInput,
    /// The subject.
    pub subject: SubjectInput,
    /// 问题类别.
    pub category: String,
    /// Title.
    pub title: String,
    /// The matter.
    pub content: String,
    /// When it happened.
    pub happened_on: String,
    /// Where.
    pub place: String,
}

/// The fields every report form has (the portal's and the staff register's), as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IntakeFields {
    /// "1" = 实名.
    #[serde(default)]
    pub named: String,
    #[serde(default)]
    reporter_name: String,
    #[serde(default)]
    reporter_id_number: String,
    #[serde(default)]
    reporter_phone: String,
    #[serde(default)]
    reporter_address: String,
    #[serde(default)]
    subject_name: String,
    #[serde(default)]
    subject_org: String,
    #[serde(default)]
    subject_post: String,
    #[serde(default)]
    subject_level: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    happened_on: String,
    #[serde(default)]
    place: String,
}

impl IntakeFields {
    /// The report of `kind` these fields describe.
    pub fn intake(&self, kind: Kind) -> Intake {
        Intake {
            kind,
            named: self.named == "1",
            reporter: ReporterInput {
                name: self.reporter_name.clone(),
                id_number: self.reporter_id_number.clone(),
                phone: self.reporter_phone.clone(),
                address: self.reporter_address.clone(),
            },
            subject: SubjectInput {
                name: self.subject_name.clone(),
                org: self.subject_org.clone(),
                post: self.subject_post.clone(),
                level: self.subject_level.clone(),
            },
            category: self.category.clone(),
            title: self.title.clone(),
            content: self.content.clone(),
            happened_on: self.happened_on.clone(),
            place: self.place.clone(),
        }
    }

    /// Everything typed, to refill the form after an error (the ID number too: the page goes
    /// back to the browser it came from, over the same connection).
    pub fn typed(&self) -> Vec<(&'static str, String)> {
        vec![
            ("named", self.named.clone()),
            ("reporter.name", self.reporter_name.clone()),
            ("reporter.id_number", self.reporter_id_number.clone()),
            ("reporter.phone", self.reporter_phone.clone()),
            ("reporter.address", self.reporter_address.clone()),
            ("subject.name", self.subject_name.clone()),
            ("subject.org", self.subject_org.clone()),
            ("subject.post", self.subject_post.clone()),
            ("subject.level", self.subject_level.clone()),
            ("category", self.category.clone()),
            ("title", self.title.clone()),
            ("content", self.content.clone()),
            ("happened_on", self.happened_on.clone()),
            ("place", self.place.clone()),
        ]
    }

    /// The subject's name as typed (duplicate detection).
    pub fn subject_name(&self) -> &str {
        &self.subject_name
    }
}

/// A report as the JSON API receives it (the public endpoint and the staff's register).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportBody {
    /// 实名 (the reporter is then required); absent = anonymous.
    #[serde(default)]
    pub named: bool,
    /// The reporter of a named report (ignored when `named` is false).
    #[serde(default)]
    pub reporter: Option<ReporterInput>,
    /// Who or what it is about (required for accusations and rewarded reports).
    #[serde(default)]
    pub subject: Option<SubjectInput>,
    /// 问题类别 (one of the portal's categories), optional.
    #[serde(default)]
    pub category: String,
    /// Title.
    pub title: String,
    /// The matter (at least 10 characters).
    pub content: String,
    /// When it happened, optional.
    #[serde(default)]
    pub happened_on: String,
    /// Where, optional.
    #[serde(default)]
    pub place: String,
}

impl ReportBody {
    /// The report of `kind` this body describes.
    pub fn intake(self, kind: Kind) -> Intake {
        Intake {
            kind,
            named: self.named,
            reporter: self.reporter.unwrap_or_default(),
            subject: self.subject.unwrap_or_default(),
            category: self.category,
            title: self.title,
            content: self.content,
            happened_on: self.happened_on,
            place: self.place,
        }
    }
}

/// A checked report.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The reporter, for a named report (ID number canonical).
    pub reporter: Option<Reporter>,
    /// The subject.
    pub subject: Subject,
    /// Category.
    pub category: String,
    /// Title.
    pub title: String,
    /// Content.
    pub content: String,
    /// When.
    pub happened_on: String,
    /// Where.
    pub place: String,
}

/// Levels a subject may have (干部管理权限), for the forms' choices and statistics.
pub const LEVELS: &[&str] = &["县处级", "乡科级", "一般干部", "村（社区）干部", "其他人员"];

/// Categories of problems reported (问题类别), for the forms' choices and statistics.
pub const CATEGORIES: &[&str] = &[
    "违反政治纪律",
    "违反组织纪律",
    "违反廉洁纪律",
    "违反群众纪律",
    "违反工作纪律",
    "违反生活纪律",
    "贪污贿赂",
    "滥用职权",
    "玩忽职守",
    "损害营商环境",
    "其他",
];

fn limit(errors: &mut Vec<(&'static str, String)>, field: &'static str, label: &str, value: &str, l: Limit) {
    if let Err((f, m)) = qinglian_domain::text::check(field, label, value, l) {
        errors.push((f, m));
    }
}

/// Checks everything at once: every wrong field is named, not only the first.
pub fn check(i: &Intake) -> Result<Checked, AppError> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let reporter = if i.named {
        let r = &i.reporter;
        if r.name.trim().is_empty() {
            errors.push(("reporter.name", "实名举报请填写姓名".into()));
        }
        limit(&mut errors, "reporter.name", "姓名", &r.name, Limit::PersonName);
        let id = match IdNumber::parse(r.id_number.trim()) {
            Ok(id) => id.as_str().to_string(),
            Err(e) => {
                errors.push(("reporter.id_number", e.to_string()));
                String::new()
            }
        };
        let phone = r.phone.trim();
        if phone.is_empty() {
            errors.push(("reporter.phone", "实名举报请填写联系电话，以便告知办理结果".into()));
        } else if !phone.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') || phone.len() < 7 {
            errors.push((
                "reporter.phone",
                "联系电话应为数字，例如13912345678或0371-12345678".into(),
            ));
        }
        limit(&mut errors, "reporter.phone", "联系电话", phone, Limit::Phone);
        limit(&mut errors, "reporter.address", "通讯地址", &r.address, Limit::Address);
        Some(Reporter {
            name: r.name.trim().to_string(),
            id_number: id,
            phone: phone.to_string(),
            address: r.address.trim().to_string(),
        })
    } else {
        None
    };
    let s = &i.subject;
    if i.kind != Kind::ServiceRequest && i.kind != Kind::Suggestion && s.name.trim().is_empty() {
        errors.push(("subject.name", "请填写被反映人姓名或单位名称".into()));
    }
    limit(&mut errors, "subject.name", "被反映人", &s.name, Limit::OrgName);
    limit(&mut errors, "subject.org", "被反映人单位", &s.org, Limit::OrgName);
    limit(&mut errors, "subject.post", "职务", &s.post, Limit::Post);
    if !s.level.trim().is_empty() && !LEVELS.contains(&s.level.trim()) {
        errors.push(("subject.level", format!("级别应为{}之一", LEVELS.join("、"))));
    }
    if !i.category.trim().is_empty() && !CATEGORIES.contains(&i.category.trim()) {
        errors.push(("category", format!("问题类别应为{}之一", CATEGORIES.join("、"))));
    }
    if i.title.trim().is_empty() {
        errors.push(("title", "请填写标题（一句话概括反映的问题）".into()));
    }
    limit(&mut errors, "title", "标题", &i.title, Limit::Title);
    if i.content.trim().chars().count() < 10 {
        errors.push((
            "content",
            "请写明反映的具体问题（至少10个字）：何人、何时、何地、何事".into(),
        ));
    }
    limit(&mut errors, "content", "反映内容", &i.content, Limit::Content);
    limit(&mut errors, "happened_on", "发生时间", &i.happened_on, Limit::Title);
    limit(&mut errors, "place", "发生地点", &i.place, Limit::Address);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Checked {
        reporter,
        subject: Subject {
            name: s.name.trim().to_string(),
            org: s.org.trim().to_string(),
            post: s.post.trim().to_string(),
            level: s.level.trim().to_string(),
        },
        category: i.category.trim().to_string(),
        title: i.title.trim().to_string(),
        content: i.content.trim().to_string(),
        happened_on: i.happened_on.trim().to_string(),
        place: i.place.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Intake {
        Intake {
            kind: Kind::Accusation,
            named: true,
            reporter: ReporterInput {
                name: "李明".into(),
                id_number: "11010519491231002X".into(),
                phone: "13912345678".into(),
                address: "".into(),
            },
            subject: SubjectInput {
                name: "张三".into(),
                ..Default::default()
            },
            title: "反映张三收受好处费".into(),
            content: "张三在低保审批中收受好处费三千元。".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_named_report_needs_a_valid_id_number_and_every_error_is_named() {
        assert!(check(&base()).is_ok());
        let mut bad = base();
        bad.reporter.id_number = "110105194912310021".into();
        bad.reporter.phone = "电话".into();
        bad.content = "太短".into();
        let Err(AppError::Invalid(errors)) = check(&bad) else {
            panic!("refused")
        };
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["reporter.id_number", "reporter.phone", "content"]);
        assert!(errors[0].1.contains("校验"), "{}", errors[0].1);
    }

    #[test]
    fn an_anonymous_report_keeps_no_reporter_even_if_one_was_typed() {
        let mut a = base();
        a.named = false;
        a.reporter.id_number = "garbage".into();
        let c = check(&a).unwrap();
        assert!(c.reporter.is_none());
    }

    #[test]
    fn an_accusation_needs_a_subject_but_a_service_request_does_not() {
        let mut a = base();
        a.subject.name = " ".into();
        assert!(check(&a).is_err());
        a.kind = Kind::ServiceRequest;
        assert!(check(&a).is_ok());
    }
}
