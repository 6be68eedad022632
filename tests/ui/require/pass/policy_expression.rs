use axum::{Router, routing::post};
use usso::{UserData, require};

#[require(all(
    scope("write:posts"),
    any(role("editor"), role("admin")),
    not(role("banned")),
))]
async fn publish(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

#[require(any(scope("admin:*"), all(role("owner"), workspace())))]
async fn settings() -> &'static str {
    "ok"
}

fn main() {
    let _app: Router = Router::new()
        .route("/publish", post(publish))
        .route("/settings", post(settings));
}
