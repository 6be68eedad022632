// A `Result` return type is kept as written.
use axum::{Router, http::StatusCode, routing::put};
use usso::{UserData, require_any_role};

#[require_any_role("editor", "admin")]
async fn edit_post(user: UserData, body: String) -> Result<String, (StatusCode, String)> {
    if body.is_empty() {
        return Err((StatusCode::BAD_REQUEST, "empty".to_owned()));
    }
    Ok(format!("{} edited", user.sub.unwrap_or_default()))
}

fn main() {
    let _app: Router = Router::new().route("/posts", put(edit_post));
}
