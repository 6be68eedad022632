//! The Python SDK docs' "Error Handling": your own responses for each kind of
//! authentication failure.
//!
//! ```text
//! cargo run --example error_handling
//! ```
//!
//! The Python SDK docs register one FastAPI exception handler per exception; here one
//! function, given to `auth.on_error(..)`, sees every rejection of the
//! extractors, the layer and the macros and matches on [`AuthError`]:
//!
//! | Python SDK exception handler | `AuthError` | response |
//! |---|---|---|
//! | `TokenExpired` | `TokenExpired` | 401 `{"error": "Token expired", ...}` |
//! | `TokenInvalid` | `TokenInvalid`, `InvalidSignature`, `InvalidAudience`, `InvalidIssuer`, `UnknownKey`, `TokenNotYetValid` | 401 `{"error": "Invalid token", ...}` |
//! | `InsufficientScope` | `InsufficientScope`, `InsufficientRole`, `WorkspaceRequired`, `Forbidden` | 403 `{"error": "Insufficient permissions", ...}` |
//! | (`TokenNotFound`, imported but unhandled) | `TokenNotFound` | 401 `{"error": "Not authenticated", ...}` |
//! | `USSOException` | anything else | its own status (503 keys unavailable, 400 unknown tenant, 500 misconfigured) `{"error": "Authentication error", ...}` |
//!
//! Two deliberate differences from the Python SDK: a missing token is a 401, not
//! the catch-all 500, and the catch-all keeps the error's own status, so an
//! identity-server outage is a retryable 503 with `Retry-After`. Every 401
//! keeps its `WWW-Authenticate` challenge (RFC 6750 requires one).
//!
//! Starts an embedded dev issuer, prints tokens and `curl` lines with the
//! status each returns, and listens on `USSO_EXAMPLE_ADDR` (default `127.0.0.1:8005`).

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
use axum::http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use usso::testing::TestIssuer;
use usso::{AuthError, UserData, UssoAuth, require_scope};

/// The Python SDK's exception handlers, as one function.
pub fn error_response(err: &AuthError) -> Response {
    let (status, title) = match err {
        AuthError::TokenExpired => (StatusCode::UNAUTHORIZED, "Token expired"),
        AuthError::TokenNotFound => (StatusCode::UNAUTHORIZED, "Not authenticated"),
        AuthError::TokenInvalid { .. }
        | AuthError::InvalidSignature
        | AuthError::InvalidAudience
        | AuthError::InvalidIssuer
        | AuthError::UnknownKey { .. }
        | AuthError::TokenNotYetValid => (StatusCode::UNAUTHORIZED, "Invalid token"),
        AuthError::InsufficientScope { .. }
        | AuthError::InsufficientRole { .. }
        | AuthError::WorkspaceRequired
        | AuthError::Forbidden { .. } => (StatusCode::FORBIDDEN, "Insufficient permissions"),
        // `USSOException`: keys unavailable, unknown tenant, misconfiguration.
        _ => (err.status(), "Authentication error"),
    };
    let body = json!({"error": title, "code": err.code(), "detail": err.to_string()});
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"my-api\""),
        );
    }
    if let AuthError::KeysUnavailable { retry_after } = err {
        headers.insert(RETRY_AFTER, HeaderValue::from(retry_after.as_secs().max(1)));
    }
    response
}

async fn me(user: UserData) -> Json<Value> {
    Json(json!({"user_id": user.sub}))
}

#[require_scope("write:posts")]
async fn create_post(user: UserData) -> Json<Value> {
    Json(json!({"message": "Post created", "author": user.sub}))
}

/// The application; `auth` gets the custom error responses here.
pub fn app(auth: UssoAuth) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/posts", post(create_post))
        .with_state(auth.on_error(error_response))
}

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    Try::new("GET", "/me", Some("reader"), 200),
    Try::new("GET", "/me", None, 401).says("Not authenticated"),
    Try::new("GET", "/me", Some("expired"), 401).says("Token expired"),
    Try::new("GET", "/me", Some("tampered"), 401).says("Invalid token"),
    Try::new("GET", "/me", Some("other_audience"), 401).says("Invalid token"),
    Try::new("POST", "/posts", Some("reader"), 403).says("Insufficient permissions"),
    Try::new("POST", "/posts", Some("writer"), 200),
];

/// The running demo.
pub type Demo = demo::Demo<TestIssuer>;

/// Starts an embedded issuer and the API on `addr`.
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().audience("your-app").start().await;
    let auth = issuer.auth();
    let mut tokens = BTreeMap::new();
    let reader = issuer
        .token()
        .sub("user:rita")
        .scopes(["read:posts"])
        .expires_in(demo::DAY);
    tokens.insert("reader", reader.mint());
    let writer = issuer
        .token()
        .sub("user:will")
        .scopes(["write:posts"])
        .expires_in(demo::DAY);
    tokens.insert("writer", writer.mint());
    tokens.insert("expired", issuer.token().expired().mint());
    tokens.insert(
        "other_audience",
        issuer
            .token()
            .audience("another-app")
            .expires_in(demo::DAY)
            .mint(),
    );
    // A valid token with the first character of its signature changed.
    let valid = issuer.token().expires_in(demo::DAY).mint();
    let (signed, signature) = valid.rsplit_once('.').ok_or("a JWT has dots")?;
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    tokens.insert("tampered", format!("{signed}.{flipped}{}", &signature[1..]));
    Ok(Demo::start(addr, app(auth), tokens, issuer).await?)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    startup::main("127.0.0.1:8005", |addr| async move {
        start(addr)
            .await?
            .show("error-handling demo", TRIES)
            .await?;
        Ok(())
    })
    .await
}
