use axum::{Router, routing::get};
use usso::{UserData, require_auth};

#[require_auth]
async fn me(user: UserData, again: UserData) -> String {
    format!("{:?} {:?}", user.sub, again.sub)
}

fn main() {
    // The handler is still emitted (unguarded), so the router has no second error.
    let _app: Router = Router::new().route("/me", get(me));
}
