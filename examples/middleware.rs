//! The Python SDK docs' "Django Integration" in axum: middleware, per-view guards and
//! class-based views.
//!
//! ```text
//! cargo run --example middleware
//! ```
//!
//! | Django (Python SDK docs) | usso |
//! |---|---|
//! | `USSOAuthMiddleware` in `MIDDLEWARE` | `.layer(UssoLayer::required(auth))`, or `UssoLayer::optional(auth)` where a token is optional |
//! | `USSO_CONFIG = {...}` | `JwtConfig::from_env()` (`USSO_JWKS_URL`, `USSO_ISSUER`, `USSO_AUDIENCE`) |
//! | `request.usso_user` | `Extension(user): Extension<UserData>` (or `Option<Extension<UserData>>`) |
//! | `@require_auth` / `@require_scope('write:posts')` | `#[require_auth]` / `#[require_scope("write:posts")]` |
//! | `class ProtectedView(USSOAuthMixin, View): required_scopes = ['read:data']` | `impl Policy for ProtectedView` + `Authorized<UserData, ProtectedView>` |
//!
//! Under the layer, the guards and extractors reuse the claims it verified:
//! each request's token is verified once. Starts an embedded dev issuer,
//! prints tokens and `curl` lines with the status each returns, and listens
//! on `USSO_EXAMPLE_ADDR` (default `127.0.0.1:8004`).

#[allow(dead_code, unreachable_pub)]
#[path = "support/startup.rs"]
mod startup;

#[allow(dead_code, unreachable_pub)]
#[path = "support/demo.rs"]
mod demo;

pub use demo::Try;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};
use usso::testing::TestIssuer;
use usso::{Authorized, Policy, Requirement, UserData, UssoAuth, UssoLayer, require_scope};

/// A public page: the optional layer sets `request.usso_user` only when a
/// (valid) token was sent.
async fn home(user: Option<Extension<UserData>>) -> Json<Value> {
    let name = user.and_then(|Extension(u)| u.sub);
    Json(json!({"hello": name.unwrap_or_else(|| "anonymous".into())}))
}

/// `@require_auth def protected_view(request)`: behind the required layer,
/// `request.usso_user` is always there.
async fn protected_view(Extension(user): Extension<UserData>) -> Json<Value> {
    Json(json!({"user_id": user.sub, "roles": user.roles}))
}

/// `@require_scope('write:posts') def create_post(request)`.
#[require_scope("write:posts")]
async fn create_post(user: UserData) -> (StatusCode, Json<Value>) {
    let body = json!({"message": "Post created", "author": user.sub});
    (StatusCode::CREATED, Json(body))
}

/// `class ProtectedView(USSOAuthMixin, View)` with `required_scopes = ['read:data']`.
#[derive(Debug)]
pub struct ProtectedView;

impl Policy for ProtectedView {
    const REQUIREMENT: Requirement = Requirement::Scope("read:data");
}

impl ProtectedView {
    /// `def get(self, request)`: runs only when the policy holds.
    async fn get(Authorized(user, _): Authorized<UserData, Self>) -> Json<Value> {
        Json(json!({"data": "Protected data", "user": user.sub}))
    }
}

/// The site: `/api/*` requires a token (the middleware), `/` accepts one.
pub fn app(auth: UssoAuth) -> Router {
    let api = Router::new()
        .route("/me", get(protected_view))
        .route("/posts", post(create_post))
        .route("/data", get(ProtectedView::get))
        .layer(UssoLayer::required(auth.clone()));
    let public = Router::new()
        .route("/", get(home))
        .layer(UssoLayer::optional(auth));
    Router::new().nest("/api", api).merge(public)
}

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    Try::new("GET", "/", None, 200),
    Try::new("GET", "/", Some("editor"), 200),
    Try::new("GET", "/", Some("expired"), 401),
    Try::new("GET", "/api/me", None, 401),
    Try::new("GET", "/api/me", Some("viewer"), 200),
    Try::new("POST", "/api/posts", Some("viewer"), 403),
    Try::new("POST", "/api/posts", Some("editor"), 201),
    Try::new("GET", "/api/data", Some("viewer"), 403),
    Try::new("GET", "/api/data", Some("editor"), 200),
];

/// The running demo.
pub type Demo = demo::Demo<TestIssuer>;

/// Starts an embedded issuer and the site on `addr`.
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().audience("your-app").start().await;
    let auth = issuer.auth();
    let mut tokens = BTreeMap::new();
    let editor = issuer
        .token()
        .sub("user:erin")
        .roles(["editor"])
        .scopes(["write:posts", "read:data"])
        .expires_in(demo::DAY);
    tokens.insert("editor", editor.mint());
    let viewer = issuer
        .token()
        .sub("user:victor")
        .roles(["viewer"])
        .scopes(["read:posts"])
        .expires_in(demo::DAY);
    tokens.insert("viewer", viewer.mint());
    tokens.insert("expired", issuer.token().sub("user:old").expired().mint());
    Ok(Demo::start(addr, app(auth), tokens, issuer).await?)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    startup::main("127.0.0.1:8004", |addr| async move {
        start(addr).await?.show("middleware demo", TRIES).await?;
        Ok(())
    })
    .await
}
