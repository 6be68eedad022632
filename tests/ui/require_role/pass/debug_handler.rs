// `#[axum::debug_handler]` below the guard checks the rewritten signature.
use axum::{Router, routing::get};
use usso::{UserData, require_role};

#[require_role("admin")]
#[axum::debug_handler]
async fn list_users(admin: UserData) -> String {
    admin.sub.unwrap_or_default()
}

#[require_role("admin")]
#[axum::debug_handler]
async fn stats() -> &'static str {
    "ok"
}

fn main() {
    let _app: Router = Router::new()
        .route("/users", get(list_users))
        .route("/stats", get(stats));
}
