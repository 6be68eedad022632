//! Logout that holds on every replica: a fleet of this service shares its
//! revocations through Redis.
//!
//! ```text
//! cargo run --example logout --features usso/redis
//! ```
//!
//! * `POST /logout` revokes the caller's session (the Python SDK's
//!   session, `session_id`): every token of it is refused from then on, on
//!   every replica, even one the verified-token cache holds.
//! * `POST /logout/everywhere` revokes every token of the caller issued
//!   until now ("log out of all devices").
//! * `GET /me` shows who is calling; `GET /ready` is 200 once the
//!   revocation list is loaded and in sync (a readiness probe).
//!
//! With `USSO_REDIS_URL` (e.g. `redis://127.0.0.1:6379/`) revocations are
//! shared by every replica started with it; without, they hold in this
//! process only. With `USSO_JWKS_URL`, `USSO_ISSUER` and `USSO_AUDIENCE`
//! it trusts that identity server; without, it starts an embedded dev issuer
//! and prints a token and `curl` lines. `USSO_EXAMPLE_ADDR` sets where it
//! listens (default `127.0.0.1:8009`).

#[allow(dead_code, unreachable_pub)]
#[path = "support/startup.rs"]
mod startup;

#[allow(dead_code, unreachable_pub)]
#[path = "support/demo.rs"]
mod demo;

pub use demo::Try;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use usso::testing::TestIssuer;
use usso::{
    JwtConfig, NumericDate, RevocationError, Revocations, TokenCacheOptions, UserData, UssoAuth,
};

/// The variable naming the Redis server the fleet shares.
pub const REDIS_VAR: &str = "USSO_REDIS_URL";

/// A running replica.
pub type Demo = demo::Demo<Option<TestIssuer>>;

/// Who is calling.
async fn me(user: UserData) -> Json<Value> {
    Json(json!({"sub": user.sub, "session_id": user.session_id}))
}

/// What a revocation call answers: 200 when every replica will refuse the
/// token, 202 when only this one does yet (Redis is unreachable; the write
/// is retried when it is back), 503 when it could not be recorded at all.
fn answer(revoked: Value, result: Result<(), RevocationError>) -> (StatusCode, Json<Value>) {
    match result {
        Ok(()) => (StatusCode::OK, Json(json!({"revoked": revoked}))),
        Err(e @ RevocationError::NotShared { .. }) => (
            StatusCode::ACCEPTED,
            Json(json!({"revoked": revoked, "shared": false, "detail": e.to_string()})),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "revocation_failed", "detail": e.to_string()})),
        ),
    }
}

/// Logout: the caller's session, or, for a token without one, the token.
async fn logout(State(auth): State<UssoAuth>, user: UserData) -> (StatusCode, Json<Value>) {
    let revocations = auth.revocations();
    match (&user.session_id, &user.jti, user.exp) {
        // `None`: for the longest token lifetime, so that tokens of this
        // session refreshed later than this one are refused too.
        (Some(session), _, _) => answer(
            json!({"session_id": session}),
            revocations.revoke_session(session, None).await,
        ),
        (None, Some(jti), Some(exp)) => {
            answer(json!({"jti": jti}), revocations.revoke_jti(jti, exp).await)
        }
        _ => (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "not_revocable", "detail": "the token has neither `session_id` nor `jti` and `exp`"}),
            ),
        ),
    }
}

/// "Log out of all devices": every token of the caller issued until now.
async fn logout_everywhere(
    State(auth): State<UssoAuth>,
    user: UserData,
) -> (StatusCode, Json<Value>) {
    let Some(sub) = user.sub.as_deref() else {
        let detail = "the token has no `sub`";
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "not_revocable", "detail": detail})),
        );
    };
    let result = auth
        .revocations()
        .revoke_subject_before(sub, NumericDate::now())
        .await;
    answer(json!({"sub": sub}), result)
}

/// Ready once the revocation list is loaded and in sync.
async fn ready(State(auth): State<UssoAuth>) -> (StatusCode, Json<Value>) {
    match auth.revocations().sync() {
        None => (
            StatusCode::OK,
            Json(json!({"ready": true, "shared": false})),
        ),
        Some(sync) if sync.connected => (
            StatusCode::OK,
            Json(json!({"ready": true, "shared": true, "pending_writes": sync.pending})),
        ),
        Some(sync) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"ready": false, "pending_writes": sync.pending})),
        ),
    }
}

/// The service's routes.
pub fn router(auth: UssoAuth) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/logout", post(logout))
        .route("/logout/everywhere", post(logout_everywhere))
        .route("/ready", get(ready))
        .with_state(auth)
}

/// The requests the demo prints, in order, with the status each returns.
pub const TRIES: &[Try] = &[
    Try::new("GET", "/me", Some("alice"), 200),
    Try::new("POST", "/logout", Some("alice"), 200),
    Try::new("GET", "/me", Some("alice"), 401).says("token_revoked"),
    Try::new("GET", "/ready", None, 200),
];

/// Starts a replica on `addr`: the environment's identity server (or an
/// embedded dev issuer) and Redis (or revocations of this process only).
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    // Loaded before serving: a replica that starts after a logout refuses
    // that session from its first request.
    let revocations = match std::env::var(REDIS_VAR) {
        Ok(url) if !url.trim().is_empty() => Revocations::redis(url).connect().await?,
        _ => Revocations::default(),
    };
    let from_env = std::env::var("USSO_JWKS_URL").is_ok_and(|v| !v.trim().is_empty());
    let (builder, issuer) = if from_env {
        (JwtConfig::builder_from_env()?, None)
    } else {
        let issuer = TestIssuer::builder().audience("usso-demo").start().await;
        (issuer.config_builder(), Some(issuer))
    };
    let config = builder
        .revocations(revocations)
        // Logout must hold even for a token verified a moment ago.
        .token_cache(TokenCacheOptions::default())
        .build()?;
    let auth = UssoAuth::new(config)?;
    let mut tokens = BTreeMap::new();
    if let Some(issuer) = &issuer {
        let token = issuer
            .token()
            .sub("user:alice")
            .claim("session_id", "s-alice")
            .expires_in(demo::DAY)
            .mint();
        tokens.insert("alice", token);
    }
    Ok(Demo::start(addr, router(auth), tokens, issuer).await?)
}

async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let demo = start(addr).await?;
    let shared = match std::env::var(REDIS_VAR) {
        Ok(url) if !url.trim().is_empty() => "shared through Redis",
        _ => "this process only; set USSO_REDIS_URL to share them",
    };
    println!("revocations: {shared}");
    demo.show("usso logout demo", TRIES).await?;
    Ok(())
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> ExitCode {
    startup::main("127.0.0.1:8009", run).await
}
