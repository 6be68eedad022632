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

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

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

/// A request the demo prints as a `curl` line: method, path, persona whose
/// token is sent, and the status it returns.
pub type Try = (&'static str, &'static str, Option<&'static str>, u16);

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    ("GET", "/", None, 200),
    ("GET", "/", Some("editor"), 200),
    ("GET", "/", Some("expired"), 401),
    ("GET", "/api/me", None, 401),
    ("GET", "/api/me", Some("viewer"), 200),
    ("POST", "/api/posts", Some("viewer"), 403),
    ("POST", "/api/posts", Some("editor"), 201),
    ("GET", "/api/data", Some("viewer"), 403),
    ("GET", "/api/data", Some("editor"), 200),
];

/// The `curl` line for a request.
pub fn curl(addr: SocketAddr, (method, path, persona, expect): Try) -> String {
    let mut line = format!("curl -s -w ' %{{http_code}}\\n' -X {method} http://{addr}{path}");
    if let Some(persona) = persona {
        let var = format!("{}_TOKEN", persona.to_uppercase());
        line.push_str(&format!(" -H \"Authorization: Bearer ${var}\""));
    }
    format!("{line}    # {expect}")
}

/// The running demo.
#[derive(Debug)]
pub struct Demo {
    /// Where the site listens.
    pub addr: SocketAddr,
    /// Persona (`editor`, `viewer`, `expired`) → token.
    pub tokens: BTreeMap<&'static str, String>,
    /// The embedded issuer, kept alive.
    pub issuer: TestIssuer,
    /// The server task.
    pub server: tokio::task::JoinHandle<()>,
}

/// Starts an embedded issuer and the site on `addr`.
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().audience("your-app").start().await;
    let auth = UssoAuth::new(issuer.config_builder().build()?)?;
    let day = Duration::from_secs(24 * 3600);
    let mut tokens = BTreeMap::new();
    let editor = issuer
        .token()
        .sub("user:erin")
        .roles(["editor"])
        .scopes(["write:posts", "read:data"])
        .expires_in(day);
    tokens.insert("editor", editor.mint());
    let viewer = issuer
        .token()
        .sub("user:victor")
        .roles(["viewer"])
        .scopes(["read:posts"])
        .expires_in(day);
    tokens.insert("viewer", viewer.mint());
    tokens.insert("expired", issuer.token().sub("user:old").expired().mint());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let router = app(auth);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(Demo {
        addr,
        tokens,
        issuer,
        server,
    })
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let addr = match startup::addr_or_exit("127.0.0.1:8004") {
        Ok(addr) => addr,
        Err(code) => return code,
    };
    startup::exit(run(addr).await, addr)
}

#[allow(dead_code)]
async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let demo = start(addr).await?;
    println!("middleware demo listening on http://{}", demo.addr);
    println!("\nTokens (valid 24 h, except EXPIRED_TOKEN):");
    for (name, token) in &demo.tokens {
        println!("export {}_TOKEN={token}", name.to_uppercase());
    }
    println!("\nTry it (each line prints the status shown after #):");
    for try_ in TRIES {
        println!("{}", curl(demo.addr, *try_));
    }
    println!("\nCtrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
