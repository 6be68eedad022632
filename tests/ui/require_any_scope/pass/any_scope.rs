use axum::{Router, routing::get};
use usso::{UserData, require_any_scope};

#[require_any_scope("read:posts", "admin:posts", "*:*")]
async fn list_posts(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

fn main() {
    let _app: Router = Router::new().route("/posts", get(list_posts));
}
