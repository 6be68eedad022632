//! The `metrics` feature's counters, read back from metrics-util's
//! `DebuggingRecorder`: each outcome increments exactly the counters it
//! should, with bounded labels. Real tokens from a real loopback issuer;
//! the axum paths over real routers.
//!
//! Each test installs its own recorder for its own thread
//! (`set_default_local_recorder`) and runs on a current-thread runtime, so
//! everything usso does for it (spawned JWKS fetches and refreshes too)
//! records there, and tests run in parallel without sharing counts.

// The Prometheus example, driven below.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/prometheus.rs"]
mod prometheus;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use tower::ServiceExt;
use usso::metrics as names;
use usso::testing::TestIssuer;
use usso::{
    ApiKeyFuture, ApiKeyVerifier, ApiKeys, AuthError, JwksOptions, TokenCacheOptions, UserData,
    UssoAuth, UssoLayer,
};

/// Counter values by `name{label=value,…}` (labels sorted). A snapshot
/// resets the recorder's counters: take one per check.
fn counters(snapshotter: &Snapshotter) -> BTreeMap<String, u64> {
    by_name(snapshotter.snapshot().into_vec())
}

type Entry = (
    metrics_util::CompositeKey,
    Option<metrics::Unit>,
    Option<metrics::SharedString>,
    DebugValue,
);

fn by_name(entries: Vec<Entry>) -> BTreeMap<String, u64> {
    entries
        .into_iter()
        .filter_map(|(key, _, _, value)| {
            let DebugValue::Counter(n) = value else {
                return None;
            };
            let key = key.key();
            let mut labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            labels.sort();
            let name = if labels.is_empty() {
                key.name().to_owned()
            } else {
                format!("{}{{{}}}", key.name(), labels.join(","))
            };
            Some((name, n))
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn expect(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

const OK: &str = "usso_verifications_total{outcome=success,reason=ok}";

fn failure(code: &str) -> String {
    format!("usso_verifications_total{{outcome=failure,reason={code}}}")
}

fn bearer(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

async fn status(app: &Router, request: Request<Body>) -> StatusCode {
    app.clone().oneshot(request).await.unwrap().status()
}

async fn me(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

#[tokio::test]
async fn a_valid_token_counts_one_success_and_one_jwks_fetch() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();

    auth.verify_token(&issuer.token().mint()).await.unwrap();
    assert_eq!(
        counters(&snapshotter),
        expect(&[(OK, 1), ("usso_jwks_fetches_total", 1)])
    );
}

#[tokio::test]
async fn an_expired_token_counts_a_failure_with_its_code() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();

    let err = auth
        .verify_token(&issuer.token().expired().mint())
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::TokenExpired);
    assert_eq!(
        counters(&snapshotter),
        expect(&[
            (&failure("token_expired"), 1),
            ("usso_jwks_fetches_total", 1)
        ])
    );
}

#[tokio::test]
async fn a_bad_signature_counts_invalid_signature() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();

    // Alice's header and claims under the signature of Bob's token: same
    // key, same length, wrong bytes.
    let alice = issuer.token().sub("alice").mint();
    let bob = issuer.token().sub("bob").mint();
    let forged = format!(
        "{}.{}",
        alice.rsplit_once('.').unwrap().0,
        bob.rsplit_once('.').unwrap().1
    );
    assert_eq!(
        auth.verify_token(&forged).await.unwrap_err(),
        AuthError::InvalidSignature
    );
    auth.verify_token(&alice).await.unwrap();
    assert_eq!(
        counters(&snapshotter),
        expect(&[
            (&failure("invalid_signature"), 1),
            (OK, 1),
            ("usso_jwks_fetches_total", 1)
        ])
    );
}

#[tokio::test]
async fn a_request_without_a_token_counts_token_not_found_once() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let app = Router::new()
        .route("/me", get(me))
        .with_state(issuer.auth());

    let request = Request::get("/me").body(Body::empty()).unwrap();
    assert_eq!(status(&app, request).await, StatusCode::UNAUTHORIZED);
    // No key was needed, so nothing was fetched.
    assert_eq!(
        counters(&snapshotter),
        expect(&[(&failure("token_not_found"), 1)])
    );
}

#[tokio::test]
async fn layer_and_extractor_count_one_verification_per_request() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let app = Router::new()
        .route("/me", get(me))
        .layer(UssoLayer::required(auth.clone()))
        .with_state(auth);

    for _ in 0..3 {
        let request = bearer("/me", &issuer.token().mint());
        assert_eq!(status(&app, request).await, StatusCode::OK);
    }
    let request = bearer("/me", &issuer.token().expired().mint());
    assert_eq!(status(&app, request).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        counters(&snapshotter),
        expect(&[
            (OK, 3),
            (&failure("token_expired"), 1),
            ("usso_jwks_fetches_total", 1)
        ])
    );
}

#[tokio::test]
async fn revocations_count_rules_and_refused_tokens() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let token = issuer.token().claim("session_id", "s-1").mint();
    auth.verify_token(&token).await.unwrap();

    auth.revocations()
        .revoke_session("s-1", None)
        .await
        .unwrap();
    auth.revocations()
        .revoke_subject_before("user:gone", usso::NumericDate::now())
        .await
        .unwrap();
    // A refused rule (empty id) records nothing.
    assert!(auth.revocations().revoke_session("", None).await.is_err());
    assert_eq!(
        auth.verify_token(&token).await.unwrap_err(),
        AuthError::TokenRevoked
    );
    assert_eq!(
        counters(&snapshotter),
        expect(&[
            (OK, 1),
            (&failure("token_revoked"), 1),
            ("usso_jwks_fetches_total", 1),
            ("usso_revocations_total{kind=session}", 1),
            ("usso_revocations_total{kind=sub}", 1),
            ("usso_revoked_tokens_refused_total", 1),
        ])
    );
}

#[tokio::test]
async fn a_failing_jwks_counts_the_failure_and_its_reason() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    issuer.fail_with(500);
    let auth = issuer.auth();

    let err = auth.verify_token(&issuer.token().mint()).await.unwrap_err();
    assert!(matches!(err, AuthError::KeysUnavailable { .. }), "{err:?}");
    let mut seen = counters(&snapshotter);
    // The background retry may have run too: every fetch failed.
    let fetches = seen.remove("usso_jwks_fetches_total").unwrap_or(0);
    assert!(fetches >= 1);
    assert_eq!(
        seen,
        expect(&[
            (&failure("keys_unavailable"), 1),
            ("usso_jwks_fetch_failures_total{reason=status}", fetches),
        ])
    );
}

#[tokio::test]
async fn an_unknown_kid_counts_a_kid_miss_and_one_refetch() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    auth.verify_token(&issuer.token().mint()).await.unwrap();

    let err = auth
        .verify_token(&issuer.token().kid("not-published").mint())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::UnknownKey { .. }), "{err:?}");
    let seen = counters(&snapshotter);
    assert_eq!(
        seen,
        expect(&[
            (OK, 1),
            (&failure("unknown_key"), 1),
            ("usso_jwks_fetches_total", 2),
            ("usso_jwks_kid_misses_total", 1),
        ])
    );
    // The kid itself is attacker input and never a label.
    assert!(!format!("{seen:?}").contains("not-published"));
}

#[tokio::test]
async fn a_failing_refresh_counts_stale_serves() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let ttl = Duration::from_secs(1);
    let config = issuer
        .config_builder()
        .jwks_options(
            JwksOptions::default()
                .default_ttl(ttl)
                .min_ttl(ttl)
                .max_stale(Duration::from_secs(600))
                .retry_initial(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let auth = UssoAuth::new(config).unwrap();
    let token = issuer.token().mint();
    auth.verify_token(&token).await.unwrap();
    issuer.fail_with(503);

    // Past the set's lifetime (refreshes fail meanwhile), its keys are
    // still served, and each such answer is a stale serve.
    tokio::time::sleep(ttl + Duration::from_millis(300)).await;
    auth.verify_token(&token).await.unwrap();
    let seen = counters(&snapshotter);
    assert_eq!(seen.get(OK), Some(&2), "{seen:#?}");
    assert!(
        seen.get("usso_jwks_stale_serves_total")
            .is_some_and(|n| *n >= 1),
        "{seen:#?}"
    );
    let failures = seen
        .get("usso_jwks_fetch_failures_total{reason=status}")
        .copied()
        .unwrap_or(0);
    assert!(failures >= 1, "{seen:#?}");
    // Every fetch after the first one failed (one more may be in flight
    // as the snapshot is taken: counted as started, not yet as failed).
    let fetches = seen["usso_jwks_fetches_total"];
    assert!(
        fetches == failures + 1 || fetches == failures + 2,
        "{seen:#?}"
    );
}

#[tokio::test]
async fn the_token_cache_counts_misses_and_hits() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config_builder()
        .token_cache(TokenCacheOptions::default())
        .build()
        .unwrap();
    let auth = UssoAuth::new(config).unwrap();
    let token = issuer.token().mint();

    for _ in 0..3 {
        auth.verify_token(&token).await.unwrap();
    }
    assert_eq!(
        counters(&snapshotter),
        expect(&[
            (OK, 3),
            ("usso_jwks_fetches_total", 1),
            ("usso_token_cache_misses_total", 1),
            ("usso_token_cache_hits_total", 2),
        ])
    );
    // The counters agree with the cache's own statistics.
    let stats = auth.token_cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (2, 1));
}

struct StaticKeys;

impl ApiKeyVerifier for StaticKeys {
    fn verify<'a>(&'a self, api_key: &'a str) -> ApiKeyFuture<'a> {
        Box::pin(async move {
            match api_key {
                "k-good" => Ok(UserData::new("service:reports")),
                _ => Err(AuthError::TokenInvalid {
                    reason: "unknown API key".into(),
                }),
            }
        })
    }
}

#[tokio::test]
async fn api_key_checks_count_by_outcome() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth().with_api_keys(ApiKeys::new(StaticKeys));
    let app = Router::new().route("/me", get(me)).with_state(auth);

    let with_key = |key: &str| {
        Request::get("/me")
            .header("x-api-key", key)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(status(&app, with_key("k-good")).await, StatusCode::OK);
    assert_eq!(status(&app, with_key("k-good")).await, StatusCode::OK);
    assert_eq!(
        status(&app, with_key("k-bad")).await,
        StatusCode::UNAUTHORIZED
    );
    let seen = counters(&snapshotter);
    assert_eq!(
        seen,
        expect(&[
            (OK, 2),
            (&failure("token_invalid"), 1),
            ("usso_api_key_checks_total{outcome=success,reason=ok}", 2),
            (
                "usso_api_key_checks_total{outcome=failure,reason=token_invalid}",
                1
            ),
        ])
    );
    assert!(!format!("{seen:?}").contains("k-"));
}

#[tokio::test]
async fn labels_hold_no_request_data() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let tokens = [
        issuer.token().sub("user:secret-subject").mint(),
        issuer
            .token()
            .issuer("https://attacker.example")
            .sub("user:secret-subject")
            .mint(),
        issuer.token().kid("attacker-kid").mint(),
        "not.a.token".to_owned(),
    ];
    for token in &tokens {
        let _ = auth.verify_token(token).await;
    }
    let allowed_keys = ["outcome", "reason", "kind"];
    let entries = snapshotter.snapshot().into_vec();
    for (key, _, _, _) in &entries {
        let key = key.key();
        assert!(names::ALL.contains(&key.name()), "{}", key.name());
        for label in key.labels() {
            assert!(allowed_keys.contains(&label.key()), "{label:?}");
            assert!(
                label
                    .value()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{label:?}"
            );
        }
    }
    let seen = by_name(entries);
    assert_eq!(seen.get(&failure("invalid_issuer")), Some(&1), "{seen:#?}");
    assert_eq!(seen.get(&failure("token_invalid")), Some(&1), "{seen:#?}");
}

#[tokio::test]
async fn the_prometheus_example_renders_usso_counters() {
    let (recorder, handle) = prometheus::recorder();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let issuer = TestIssuer::start().await;
    let app = prometheus::app(prometheus::audited(issuer.auth()), handle);

    let token = issuer.token().sub("user:erin").mint();
    assert_eq!(status(&app, bearer("/me", &token)).await, StatusCode::OK);
    assert_eq!(status(&app, bearer("/me", &token)).await, StatusCode::OK);
    let anonymous = Request::get("/me").body(Body::empty()).unwrap();
    assert_eq!(status(&app, anonymous).await, StatusCode::UNAUTHORIZED);

    let response = app
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        r#"usso_verifications_total{outcome="success",reason="ok"} 2"#,
        r#"usso_verifications_total{outcome="failure",reason="token_not_found"} 1"#,
        "usso_jwks_fetches_total 1",
    ] {
        assert!(lines.contains(&expected), "{expected} not in:\n{text}");
    }
    assert!(!text.contains("user:erin") && !text.contains(&token));
}
