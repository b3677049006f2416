//! Showing a person: the masking rule (`Person::shown`) and the audit of every full read.

use qinglian_store::audit::Event;
use qinglian_store::permission as perm;
use qinglian_store::person::{Person, Shown, View};

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;

/// A person's ID number and birth date as `ctx` may see them in `view`; a full read of one
/// person is audited (`person.read_sensitive`, `purpose` saying where: 详情, 编辑, API).
/// Exports audit themselves as a whole.
pub async fn show(app: &App, ctx: &Ctx, p: &Person, view: View, purpose: &str) -> Result<Shown, AppError> {
    let shown = p.shown(ctx.principal.can(perm::PERSON_SENSITIVE), view);
    if shown.full && view == View::One {
        crate::services::audit::read(
            app,
            ctx,
            Event::success(
                "person.read_sensitive",
                "person",
                p.id,
                format!("查看完整身份证号（{purpose}）"),
            ),
        )
        .await?;
    }
    Ok(shown)
}
