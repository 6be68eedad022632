use axum::{Router, routing::get};
use usso::{UserData, require_scope, workspace_scoped};

#[workspace_scoped]
#[require_scope("read:invoices")]
async fn invoices(user: UserData) -> String {
    user.workspace_id.unwrap_or_default()
}

#[workspace_scoped]
async fn ping() -> &'static str {
    "pong"
}

fn main() {
    let _app: Router = Router::new()
        .route("/invoices", get(invoices))
        .route("/ping", get(ping));
}
