// `#[tracing::instrument]` stacked below and above the guard.
use axum::{Json, Router, routing::post};
use usso::{UserData, require_scope};

#[require_scope("write:posts")]
#[tracing::instrument(skip_all, fields(sub = ?user.sub))]
async fn create_post(user: UserData, Json(body): Json<String>) -> String {
    format!("{:?} wrote {body}", user.sub)
}

#[tracing::instrument]
#[require_scope("write:comments")]
async fn create_comment(user: UserData, body: String) -> String {
    format!("{:?} commented {body}", user.sub)
}

fn main() {
    let _app: Router = Router::new()
        .route("/posts", post(create_post))
        .route("/comments", post(create_comment));
}
