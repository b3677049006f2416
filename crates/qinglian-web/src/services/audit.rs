//! Recording an audit event by the request's user: one call, the actor, the crypto mode and the
//! chain taken care of. A write appends its entry in its own transaction (both or neither);
//! a read or an export records its entry on its own.

use qinglian_store::Tx;
use qinglian_store::audit::{self, Event};

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;

/// Append `ev`, done by the request's user, in the write's transaction `tx`.
pub async fn write(app: &App, ctx: &Ctx, tx: &mut Tx, ev: Event<'_>) -> Result<(), AppError> {
    audit::append(tx, app.mode(), &ctx.actor(), &ev).await?;
    Ok(())
}

/// Record `ev`, done by the request's user, on its own (a read, an export).
pub async fn read(app: &App, ctx: &Ctx, ev: Event<'_>) -> Result<(), AppError> {
    audit::record(&app.db, app.mode(), &ctx.actor(), &ev).await?;
    Ok(())
}
