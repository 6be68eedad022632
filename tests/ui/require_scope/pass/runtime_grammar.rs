// The macros accept exactly the scopes `usso::scope::Scope::parse` accepts: actions outside
// the privilege ladder, scopes without an action (OIDC names), any case, `:` in a segment,
// empty segments and globs.
use axum::{Router, routing::get};
use usso::{UserData, require_any_scope, require_scope};

usso::scopes! {
    pub OPENID = "openid";
}

#[require_scope("write:posts", "Read:Posts", "read:media//files", "read:media/file:uid:1")]
async fn strict(user: UserData) -> String {
    format!("{:?}", user.sub)
}

#[require_any_scope(OPENID, "profile", "read:posts?user_id=u*&tenant_id=t-1")]
async fn any(user: UserData) -> String {
    format!("{:?}", user.sub)
}

fn main() {
    let _app: Router = Router::new()
        .route("/strict", get(strict))
        .route("/any", get(any));
}
