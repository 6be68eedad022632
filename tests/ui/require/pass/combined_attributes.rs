// Several usso attributes fold into one policy; others keep their order.
use axum::{Router, routing::get};
use usso::{UserData, require, require_auth, require_role, require_scope, workspace_scoped};

/// Lists the workspace's drafts.
#[require_scope("read:posts")]
#[tracing::instrument(skip_all)]
#[usso::require_any_scope("read:drafts", "admin:drafts")]
#[require_role("editor")]
#[require(not(role("banned")))]
#[workspace_scoped]
#[require_auth]
async fn drafts(user: UserData) -> String {
    user.workspace_id.unwrap_or_default()
}

fn main() {
    let _app: Router = Router::new().route("/drafts", get(drafts));
}
