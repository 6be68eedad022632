//! What `#[require_scope(..)]` means under each scope policy, on real routers with real
//! tokens from a loopback issuer: exact match (the default), the strict engine and the
//! Python-compatible engine. A malformed or unknown scope held in a token is skipped for
//! the check and never changes what the token's other scopes decide.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use common::BOTH_AND_MALFORMED;
use tower::ServiceExt;
use usso::scope::ScopeEngine;
use usso::testing::TestIssuer;
use usso::{UserData, UssoAuth, require_scope};

#[require_scope("read:posts")]
async fn read(_user: UserData) -> &'static str {
    "read"
}

#[require_scope("write:posts")]
async fn write(_user: UserData) -> &'static str {
    "write"
}

#[require_scope("delete:posts")]
async fn delete(_user: UserData) -> &'static str {
    "delete"
}

fn app(auth: UssoAuth) -> Router {
    Router::new()
        .route("/read", get(read))
        .route("/write", get(write))
        .route("/delete", get(delete))
        .with_state(auth)
}

/// The status of `/read`, `/write` and `/delete` for a token holding `scopes`, as `R W D`
/// with `+` for 200 and `-` for 403.
async fn decisions(app: &Router, issuer: &TestIssuer, scopes: &[&str]) -> String {
    let token = issuer.token().scopes(scopes.iter().copied()).mint();
    let mut out = String::new();
    for route in ["/read", "/write", "/delete"] {
        let req = Request::get(route)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let status = app.clone().oneshot(req).await.unwrap().status();
        out.push(match status {
            StatusCode::OK => '+',
            StatusCode::FORBIDDEN => '-',
            other => panic!("{route} with {scopes:?}: unexpected {other}"),
        });
    }
    out
}

const BOTH: &[&str] = &["read:posts", "write:posts"];
const ADMIN: &[&str] = &["admin:posts"];
const READ_ONLY: &[&str] = &["read:posts"];
const MALFORMED_ONLY: &[&str] = &["write:*", "read:posts?user", "bad scope"];

async fn table(auth: UssoAuth, issuer: &TestIssuer) -> Vec<String> {
    let app = app(auth);
    let mut out = Vec::new();
    for scopes in [BOTH, BOTH_AND_MALFORMED, ADMIN, READ_ONLY, MALFORMED_ONLY] {
        out.push(decisions(&app, issuer, scopes).await);
    }
    out
}

#[tokio::test]
async fn exact_match_is_the_default() {
    let issuer = TestIssuer::start().await;
    let got = table(issuer.auth(), &issuer).await;
    // Exactly the held strings: `admin:posts` grants nothing else.
    assert_eq!(got, ["++-", "++-", "---", "+--", "---"]);
}

#[tokio::test]
async fn strict_engine_orders_the_ladder_and_keeps_other_actions_exact() {
    let issuer = TestIssuer::start().await;
    let got = table(
        issuer.auth().with_scope_engine(ScopeEngine::strict()),
        &issuer,
    )
    .await;
    // `write` is off the ladder: only `write:posts` itself grants it, never `admin:posts`.
    // The malformed scopes change nothing for the others, and grant nothing themselves.
    assert_eq!(got, ["++-", "++-", "+-+", "+--", "---"]);
}

#[tokio::test]
async fn compatible_engine_takes_pythons_decision_which_widens() {
    let issuer = TestIssuer::start().await;
    let got = table(
        issuer.auth().with_scope_engine(ScopeEngine::compatible()),
        &issuer,
    )
    .await;
    // Python counts `write` as `read`: `read:posts` alone satisfies `write:posts`, and
    // `write:*` is read on everything (so the malformed-only token reads and "writes").
    assert_eq!(got, ["++-", "++-", "+++", "++-", "++-"]);
}
