//! Revocation in one process: by `jti`, by session (logout), by subject
//! before a time; through a real router, with and without the verified-token
//! cache. (The fleet-wide Redis backend is issue #16's next part.)

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use usso::testing::TestIssuer;
use usso::{
    AuthError, MultiTenant, NumericDate, RevocationError, RevocationOptions, Revocations,
    TokenCacheOptions, UserData, UssoAuth,
};

async fn me(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

async fn call(app: &Router, token: &str) -> (StatusCode, Option<String>, Value) {
    let req = Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        challenge,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn app(auth: UssoAuth) -> Router {
    Router::new().route("/me", get(me)).with_state(auth)
}

fn cached(issuer: &TestIssuer) -> UssoAuth {
    let config = issuer
        .config_builder()
        .token_cache(TokenCacheOptions::default())
        .build()
        .unwrap();
    UssoAuth::new(config).unwrap()
}

#[tokio::test]
async fn a_revoked_jti_is_a_401_token_revoked_and_others_pass() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let router = app(auth.clone());
    let exp = common::now() + 3600;
    let one = issuer.token().claim("jti", "j-1").claim("exp", exp).mint();
    let other = issuer.token().claim("jti", "j-2").mint();
    assert_eq!(call(&router, &one).await.0, StatusCode::OK);
    auth.revocations()
        .revoke_jti("j-1", NumericDate::from_secs(exp))
        .await
        .unwrap();
    let (status, challenge, body) = call(&router, &one).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "token_revoked");
    assert!(challenge.unwrap().contains("error=\"invalid_token\""));
    assert_eq!(call(&router, &other).await.0, StatusCode::OK);
}

#[tokio::test]
async fn logout_holds_even_for_a_cached_token() {
    let issuer = TestIssuer::start().await;
    let auth = cached(&issuer);
    let router = app(auth.clone());
    let token = issuer.token().claim("session_id", "sess-1").mint();
    for _ in 0..3 {
        assert_eq!(call(&router, &token).await.0, StatusCode::OK);
    }
    assert!(
        auth.token_cache_stats().unwrap().hits >= 2,
        "the token is served from the cache"
    );
    auth.revocations()
        .revoke_session("sess-1", None)
        .await
        .unwrap();
    assert_eq!(call(&router, &token).await.2["error"], "token_revoked");
    let stats = auth.token_cache_stats().unwrap();
    assert!(stats.invalidations >= 1, "{stats:?}");
    // And it stays refused.
    assert_eq!(
        auth.verify_token(&token).await,
        Err(AuthError::TokenRevoked)
    );
}

#[tokio::test]
async fn log_out_everywhere_refuses_only_tokens_issued_before() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let now = common::now();
    let old = issuer.token().sub("user:ann").claim("iat", now - 60).mint();
    let other_user = issuer.token().sub("user:bob").claim("iat", now - 60).mint();
    auth.revocations()
        .revoke_subject_before("user:ann", NumericDate::from_secs(now - 30))
        .await
        .unwrap();
    let fresh = issuer.token().sub("user:ann").claim("iat", now).mint();
    assert_eq!(auth.verify_token(&old).await, Err(AuthError::TokenRevoked));
    assert!(auth.verify_token(&fresh).await.is_ok());
    assert!(auth.verify_token(&other_user).await.is_ok());
}

#[tokio::test]
async fn one_set_shared_by_authenticators_and_tenants() {
    let a = TestIssuer::builder().audience("app-a").start().await;
    let b = TestIssuer::builder().audience("app-b").start().await;
    let shared = Revocations::default();
    let with = |issuer: &TestIssuer| {
        UssoAuth::new(
            issuer
                .config_builder()
                .revocations(shared.clone())
                .build()
                .unwrap(),
        )
        .unwrap()
    };
    let (auth_a, auth_b) = (with(&a), with(&b));
    let token_b = b.token().claim("session_id", "s-b").mint();
    auth_a
        .revocations()
        .revoke_session("s-b", None)
        .await
        .unwrap();
    assert_eq!(
        auth_b.verify_token(&token_b).await,
        Err(AuthError::TokenRevoked)
    );
    // Tenants share one set, reached through the authenticator.
    let tenants = MultiTenant::by_header("X-Tenant-ID")
        .tenant("a", a.config())
        .tenant("b", b.config())
        .build()
        .unwrap();
    tenants
        .revocations()
        .revoke_session("s-b", None)
        .await
        .unwrap();
    let req = Request::get("/me")
        .header("authorization", format!("Bearer {token_b}"))
        .header("x-tenant-id", "b")
        .body(Body::empty())
        .unwrap();
    let res = app(tenants).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_ids_are_errors_and_memory_is_bounded() {
    let revocations = Revocations::new(
        RevocationOptions::default()
            .max_entries(200_000)
            .max_token_lifetime(Duration::from_secs(1))
            .leeway(Duration::ZERO),
    );
    assert_eq!(
        revocations
            .revoke_jti("", NumericDate::from_secs(common::now() + 60))
            .await,
        Err(RevocationError::Empty { what: "jti" })
    );
    assert_eq!(
        revocations
            .revoke_session(&"s".repeat(10 * 1024), None)
            .await,
        Err(RevocationError::TooLong { what: "session_id" })
    );
    // 100 000 rules that end within a second and a half.
    let soon = NumericDate::from_millis(NumericDate::now().as_millis() + 1_500);
    for i in 0..100_000 {
        revocations
            .revoke_jti(&format!("j{i}"), soon)
            .await
            .unwrap();
    }
    assert_eq!(revocations.stats().jtis, 100_000);
    let mut user = UserData::new("u");
    user.jti = Some("j7".into());
    assert!(revocations.is_revoked(&user));
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    assert!(
        !revocations.is_revoked(&user),
        "expired rules refuse nothing"
    );
    revocations.purge_expired();
    assert_eq!(revocations.stats(), usso::RevocationStats::default());
}

/// A cache hit skips the rule lookups while no rule was added since the
/// token was last checked; every new rule, for any token, makes the next
/// hit check again.
#[tokio::test]
async fn a_cached_token_is_checked_again_after_every_new_rule() {
    let issuer = TestIssuer::start().await;
    let auth = cached(&issuer);
    let router = app(auth.clone());
    let token = issuer.token().claim("session_id", "s-a").mint();
    for _ in 0..3 {
        assert_eq!(call(&router, &token).await.0, StatusCode::OK);
    }
    auth.revocations()
        .revoke_session("s-b", None)
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            call(&router, &token).await.0,
            StatusCode::OK,
            "another session"
        );
    }
    auth.revocations()
        .revoke_session("s-a", None)
        .await
        .unwrap();
    let (status, _, body) = call(&router, &token).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::UNAUTHORIZED, &Value::from("token_revoked"))
    );
    let stats = auth.token_cache_stats().unwrap();
    assert!(stats.hits >= 5 && stats.entries == 0, "{stats:?}");
}
