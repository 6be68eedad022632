// The claims parameter's pattern is kept: `mut`, destructuring, any position.
use axum::{Json, Router, extract::Path, routing::get};
use usso::{UserData, require_scope};

#[require_scope("read:posts", "read:media/files?user_id=me")]
pub async fn by_mut(mut user: UserData) -> String {
    user.roles.push("seen".to_owned());
    user.roles.join(",")
}

#[require_scope("read:posts")]
pub async fn by_destructuring(Path(id): Path<u32>, UserData { sub, .. }: UserData) -> String {
    format!("{}/{id}", sub.unwrap_or_default())
}

#[require_scope("*:*")]
pub(crate) async fn last_is_body(user: usso::UserData, Json(body): Json<String>) -> String {
    format!("{}: {body}", user.sub.unwrap_or_default())
}

fn main() {
    let _app: Router = Router::new()
        .route("/a", get(by_mut))
        .route("/b/{id}", get(by_destructuring))
        .route("/c", get(last_is_body));
}
