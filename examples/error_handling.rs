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

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

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

/// A request the demo prints as a `curl` line: method, path, persona whose
/// token is sent, the status it returns, and the `error` of its body.
pub type Try = (
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    Option<&'static str>,
);

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    ("GET", "/me", Some("reader"), 200, None),
    ("GET", "/me", None, 401, Some("Not authenticated")),
    ("GET", "/me", Some("expired"), 401, Some("Token expired")),
    ("GET", "/me", Some("tampered"), 401, Some("Invalid token")),
    (
        "GET",
        "/me",
        Some("other_audience"),
        401,
        Some("Invalid token"),
    ),
    (
        "POST",
        "/posts",
        Some("reader"),
        403,
        Some("Insufficient permissions"),
    ),
    ("POST", "/posts", Some("writer"), 200, None),
];

/// The `curl` line for a request.
pub fn curl(addr: SocketAddr, (method, path, persona, expect, _): Try) -> String {
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
    /// Where the API listens.
    pub addr: SocketAddr,
    /// Persona → token.
    pub tokens: BTreeMap<&'static str, String>,
    /// The embedded issuer, kept alive.
    pub issuer: TestIssuer,
    /// The server task.
    pub server: tokio::task::JoinHandle<()>,
}

/// Starts an embedded issuer and the API on `addr`.
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().audience("your-app").start().await;
    let auth = UssoAuth::new(issuer.config_builder().build()?)?;
    let day = Duration::from_secs(24 * 3600);
    let mut tokens = BTreeMap::new();
    let reader = issuer
        .token()
        .sub("user:rita")
        .scopes(["read:posts"])
        .expires_in(day);
    tokens.insert("reader", reader.mint());
    let writer = issuer
        .token()
        .sub("user:will")
        .scopes(["write:posts"])
        .expires_in(day);
    tokens.insert("writer", writer.mint());
    tokens.insert("expired", issuer.token().expired().mint());
    tokens.insert(
        "other_audience",
        issuer
            .token()
            .audience("another-app")
            .expires_in(day)
            .mint(),
    );
    // A valid token with the first character of its signature changed.
    let valid = issuer.token().expires_in(day).mint();
    let (signed, signature) = valid.rsplit_once('.').ok_or("a JWT has dots")?;
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    tokens.insert("tampered", format!("{signed}.{flipped}{}", &signature[1..]));
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
    let addr = match startup::addr_or_exit("127.0.0.1:8005") {
        Ok(addr) => addr,
        Err(code) => return code,
    };
    startup::exit(run(addr).await, addr)
}

#[allow(dead_code)]
async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let demo = start(addr).await?;
    println!("error-handling demo listening on http://{}", demo.addr);
    println!("\nTokens:");
    for (name, token) in &demo.tokens {
        println!("export {}_TOKEN={token}", name.to_uppercase());
    }
    println!("\nTry it (each line prints the body and the status shown after #):");
    for try_ in TRIES {
        println!("{}", curl(demo.addr, *try_));
    }
    println!("\nCtrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
