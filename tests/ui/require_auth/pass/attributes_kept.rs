// Docs, `cfg`, visibility and raw identifiers survive; generated items need
// no docs and trip no lints.
#![deny(missing_docs, unreachable_pub, unused)]
//! A crate whose lints are strict.

use axum::{Router, routing::get};
use usso::{UserData, require_auth, require_scope};

mod handlers {
    use super::{UserData, require_auth};

    /// Who am I.
    #[require_auth]
    pub(crate) async fn r#match(user: UserData) -> String {
        user.sub.unwrap_or_default()
    }
}

/// A `cfg` that holds.
#[require_scope("read:debug")]
#[cfg(all())]
async fn debug() -> &'static str {
    "debug"
}

/// Inner attributes of the body are kept.
#[require_auth]
async fn inner_attrs() -> &'static str {
    #![allow(clippy::needless_return)]
    return "ok";
}

fn main() {
    let _app: Router = Router::new()
        .route("/match", get(handlers::r#match))
        .route("/inner", get(inner_attrs))
        .route("/debug", get(debug));
}
