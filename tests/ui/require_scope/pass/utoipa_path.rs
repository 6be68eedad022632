// Usso attributes above `#[utoipa::path]`: the operation gets the policy, and
// the handler still routes. A generic handler and a raw identifier too.
use axum::{Router, routing::get};
use usso::openapi::SecurityAddon;
use usso::{UserData, require_auth, require_scope};
use utoipa::OpenApi;

/// Lists posts.
#[require_scope("read:posts")]
#[::utoipa::path(get, path = "/posts", responses((status = 200, description = "The posts")))]
async fn list_posts(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

#[require_auth]
#[utoipa::path(get, path = "/type", description = format!("{}", "generated"))]
async fn r#type() {}

#[derive(OpenApi)]
#[openapi(paths(list_posts, r#type), modifiers(&SecurityAddon))]
struct ApiDoc;

fn main() {
    let _app: Router<usso::UssoAuth> = Router::new()
        .route("/posts", get(list_posts))
        .route("/type", get(r#type));
    let _ = ApiDoc::openapi();
}
