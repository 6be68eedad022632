// Without a claims parameter, one is injected first, before the body extractor.
use axum::{Json, Router, routing::post};
use usso::require_auth;

#[require_auth]
async fn echo(Json(body): Json<String>) -> String {
    body
}

fn main() {
    let _app: Router = Router::new().route("/echo", post(echo));
}
