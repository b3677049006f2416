//! Which commission (纪委监委) a staff member works for: the one their org belongs to, or the
//! installation's receiving commission for users outside any (the city's own staff). Reports
//! and clues are registered to it; its offices are told.

use qinglian_store::org::OrgId;

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;

/// The commission an org belongs to: itself or its nearest ancestor of kind commission.
pub async fn of_org(app: &App, org: OrgId) -> Result<Option<OrgId>, AppError> {
    let o = qinglian_store::org::get_unscoped(app.db.pool(), org).await?;
    let ids: Vec<OrgId> = o
        .path
        .split('/')
        .filter_map(|s| s.parse::<i64>().ok().map(OrgId))
        .rev()
        .collect();
    for id in ids {
        let x = qinglian_store::org::get_unscoped(app.db.pool(), id).await?;
        if x.kind == qinglian_store::org::OrgKind::Commission {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The commission of the user of `ctx`; an installation without one is a 422 naming `field`.
pub async fn of_user(app: &App, ctx: &Ctx, field: &'static str) -> Result<OrgId, AppError> {
    let own = match ctx.principal.user.org_id {
        Some(o) => of_org(app, o).await?,
        None => None,
    };
    match own {
        Some(o) => Ok(o),
        None => qinglian_store::org::receiving_commission(&app.db)
            .await?
            .ok_or_else(|| AppError::invalid(field, "尚未设置纪委监委机构，无法登记")),
    }
}

/// The short name a commission's document numbers begin with: 「示例市纪委监委」 → 「示纪」 (the
/// first character of the place and 纪).
pub fn short_name(org: &str) -> String {
    let first = org.chars().next().unwrap_or('纪');
    format!("{first}纪")
}
