//! Server-rendered UI pages.

pub mod account;
pub mod admin;
pub mod audit;
pub mod home;
pub mod import;
pub mod org;
pub mod person;
pub mod security;
pub mod xlsx;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Render a page with 200.
pub fn page<T: Template>(t: &T) -> Response {
    Html(crate::templates::render(t)).into_response()
}

/// Render a page with a status (422 for a form with errors).
pub fn page_with<T: Template>(status: StatusCode, t: &T) -> Response {
    (status, Html(crate::templates::render(t))).into_response()
}

/// Redirect after a POST: htmx requests get `HX-Redirect` (a full navigation), others 303.
pub fn redirect(headers: &HeaderMap, to: &str) -> Response {
    if headers.contains_key("hx-request") {
        let mut r = StatusCode::OK.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            r.headers_mut().insert("hx-redirect", v);
        }
        r
    } else {
        Redirect::to(to).into_response()
    }
}

/// Attach a Set-Cookie header.
pub fn with_cookie(mut r: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Messages shown after a redirect, chosen by a code in `?ok=` (never free text from the URL).
pub fn flash_message(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "已新增。",
        "saved" => "已保存。",
        "registered" => "已登记。",
        "report_accept" => "已受理。",
        "report_decline" => "已作不予受理处理，理由将告知反映人。",
        "report_transfer" => "已转办。",
        "report_forward" => "已报送上级。",
        "report_mark_duplicate" => "已作为重复件处理。",
        "report_assign" => "已交办，并已通知承办单位。",
        "report_report_back" => "办理结果已报告，并已通知信访室。",
        "report_return_back" => "已退回承办单位重办。",
        "report_conclude" => "已办结。",
        "report_extend" => "已延期办理，理由将告知反映人。",
        "report_reply" => "已答复，反映人凭查询码可见。",
        "report_answer_review" => "已答复复查申请。",
        "report_answer_re_review" => "已答复复核申请，办理终结。",
        "disclosure_requested" => "已提交身份披露申请，等待纪委监委负责人审批。",
        "imported" => "导入完成。",
        "outcome_recorded" => "已录入。形态和影响期已按规定自动计算，见下表。",
        "clue_registered" => "问题线索已登记，提出处置意见的期限见下方“期限”。",
        "clue_act" => "已办理。",
        "clue_propose" => "处置意见已提出，并已通知委领导审批。",
        "clue_approve" => "已批准。",
        "clue_return" => "已退回重新研究。",
        "clue_send_letter" => "函询通知书已发出并编号，回复期限已开始计算；请下载函询通知书送达被函询人。",
        "clue_record_explanation" => "书面说明已登记，提出处理意见的期限已开始计算。",
        "clue_record_talk" => "谈话情况已记录，提出处理意见的期限已开始计算。",
        "clue_propose_conclusion" => "处理意见已提出，并已通知委领导审批。",
        "clue_plan_verification" => "初核方案已保存，按方案确定的期限提醒。",
        "clue_propose_filing" => "立案建议已提出，并已通知委领导审批。",
        "clue_linked" => "已关联人员名册。",
        "triaged" => "会议已保存，处置意见已提出并通知委领导审批。",
        "password" => "密码已修改。",
        "totp" => "双因素认证已启用。",
        "totp_off" => "双因素认证已关闭。",
        "disabled" => "账号已停用，其登录会话已全部结束。",
        "enabled" => "账号已启用。",
        "unlocked" => "账号已解锁。",
        "reset" => "密码已重置，用户下次登录须修改密码。",
        "read" => "已全部标记为已读。",
        "dispatched" => "已派发核查，并已通知核查单位。",
        "answered" => "核查结果已反馈，等待复核。",
        "reviewed" => "复核意见已保存。",
        "roster" => "已由平台人员名册生成干部名册数据集的新版本。",
        "user_created" => "用户已创建。请将初始密码当面或通过安全渠道告知本人，并请安全管理员为其授权角色和数据权限。",
        "batch" => "已批量处理所选疑点，派发的核查已通知核查单位。",
        "calendar_resolved" => "已保存该年日历；待定的办理期限已全部计算，并已通知经办人。",
        _ => return None,
    })
}

/// A checkbox value from a form: present means true.
pub fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| s == "true" || s == "on" || s == "1")
}

/// Query-string parameters shared by list pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Search text.
    pub q: Option<String>,
    /// Org filter.
    pub org_id: Option<String>,
    /// Sort column.
    pub sort: Option<String>,
    /// "desc" for descending.
    pub dir: Option<String>,
    /// Page.
    pub page: Option<i64>,
    /// Flash code.
    pub ok: Option<String>,
}

impl ListQuery {
    /// The org filter as an id (empty or junk means none).
    pub fn org(&self) -> Option<i64> {
        self.org_id.as_deref().and_then(|s| s.parse().ok())
    }
}

/// Percent-encode a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The platform's pages (the features add theirs: `feature::routes`).
pub fn routes() -> axum::Router<crate::App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/", get(home::home))
        .route("/login", get(account::login_form).post(account::login_submit))
        .route("/login/totp", get(account::totp_form).post(account::totp_submit))
        .route("/logout", post(account::logout))
        .route(
            "/account/password",
            get(account::password_form).post(account::password_submit),
        )
        .route(
            "/account/totp",
            get(account::totp_setup_form).post(account::totp_setup_submit),
        )
        .route("/notifications", get(home::notifications))
        .route("/notifications/read-all", post(home::notifications_read_all))
        .route("/notifications/{id}", get(home::notification_open))
        .route("/deadlines", get(home::deadlines))
        .route("/deadlines/export.xlsx", get(home::deadlines_export))
        .route("/calendar", get(home::calendar))
        .route("/orgs", get(org::list).post(org::create))
        .route("/orgs/new", get(org::new_form))
        .route("/orgs/export.xlsx", get(org::export))
        .route("/orgs/import", get(org::import_form).post(org::import))
        .route("/orgs/import/template.xlsx", get(org::import_template))
        .route("/orgs/{id}", post(org::update))
        .route("/orgs/{id}/edit", get(org::edit_form))
        .route("/orgs/{id}/party-orgs", post(org::party_org_create))
        .route("/downloads/{token}", get(org::download_generated))
        .route("/persons", get(person::list).post(person::create))
        .route("/persons/new", get(person::new_form))
        .route("/persons/export.xlsx", get(person::export))
        .route("/persons/import", get(person::import_form).post(person::import))
        .route("/persons/import/template.xlsx", get(person::import_template))
        .route("/persons/{id}", get(person::detail).post(person::update))
        .route("/persons/{id}/edit", get(person::edit_form))
        .route("/admin/users", get(admin::users).post(admin::user_create))
        .route("/admin/users/new", get(admin::user_new_form))
        .route("/admin/users/export.xlsx", get(admin::users_export))
        .route("/admin/users/{id}/{action}", post(admin::user_action))
        .route("/admin/calendar", get(admin::calendar).post(admin::calendar_save))
        .route("/security/roles", get(security::roles).post(security::role_create))
        .route("/security/roles/{id}", post(security::role_save))
        .route("/security/users", get(security::users))
        .route(
            "/security/users/{id}",
            get(security::user_grant).post(security::user_grant_save),
        )
        .route("/security/users/{id}/api-keys", post(security::api_key_create))
        .route("/security/api-keys/{id}/revoke", post(security::api_key_revoke))
        .route("/security/policy", get(security::policy).post(security::policy_save))
        .route("/audit", get(audit::list))
        .route("/audit/verify", post(audit::verify))
        .route("/audit/export.xlsx", get(audit::export))
        .route("/attachments/{id}", get(crate::services::attachment::download_handler))
}
