use axum::{Router, routing::delete};
use usso::{UserData, require_role};

/// Needs both roles.
#[require_role("admin", "auditor")]
pub async fn purge(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

fn main() {
    let _app: Router = Router::new().route("/purge", delete(purge));
}
