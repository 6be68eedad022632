//! The attack catalogue: each test is one attack, through the real axum
//! stack, that usso must turn away (peers.md §5's failures of other JWT
//! libraries, the Python SDK's bugs, and what hostile-client passes found).
//! SECURITY.md names the test behind each guarantee.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::routing::get;
use common::{Captured, b64, fixture, now};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use usso::testing::{Rotation, SigningKey, TestIssuer};
use usso::{Algorithm, JwksOptions, JwtConfig, Key, UserData, UssoAuth};

async fn me(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

fn router(auth: UssoAuth) -> Router {
    Router::new().route("/me", get(me)).with_state(auth)
}

async fn call(app: &Router, authorization: Option<HeaderValue>) -> (StatusCode, Value) {
    let mut req = Request::get("/me");
    if let Some(v) = authorization {
        req = req.header("authorization", v);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn with_token(app: &Router, token: &str) -> (StatusCode, Value) {
    call(
        app,
        Some(HeaderValue::from_str(&format!("Bearer {token}")).unwrap()),
    )
    .await
}

#[tokio::test]
async fn alg_none_in_any_case_with_and_without_signature() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    let good = issuer.token().mint();
    let payload = good.split('.').nth(1).unwrap();
    let sig = good.rsplit('.').next().unwrap();
    for alg in ["none", "None", "NONE"] {
        let head = b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes());
        for token in [
            format!("{head}.{payload}."),
            format!("{head}.{payload}.{sig}"),
        ] {
            let (status, body) = with_token(&app, &token).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{alg}");
            assert_eq!(body["error"], "token_invalid");
        }
    }
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_pem_or_der() {
    let pem = fixture("rsa2048.pub.pem");
    let der = fixture("rsa2048.pub.der");
    let config = JwtConfig::builder()
        .key(Key::pem(String::from_utf8(pem.clone()).unwrap()))
        .build()
        .unwrap();
    let app = router(UssoAuth::new(config).unwrap());
    let claims = json!({"sub": "attacker", "exp": now() + 60});
    for secret in [&pem[..], &der[..]] {
        let forged = SigningKey::hmac(Algorithm::HS256, secret)
            .sign_json(&claims, None)
            .unwrap();
        assert_eq!(with_token(&app, &forged).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn hs256_against_eddsa_and_ec_keys_from_a_jwks() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    for alg in [Algorithm::EdDSA, Algorithm::ES256] {
        let key = issuer.key(alg).unwrap();
        // The forger uses the published JWK's bytes as the HMAC secret and names the real kid.
        let secret = key.jwk().to_string();
        let forger = SigningKey::hmac(Algorithm::HS256, secret.as_bytes()).with_kid(key.kid());
        let claims = issuer.token().claims();
        let forged = forger.sign_json(&claims, None).unwrap();
        let (status, body) = with_token(&app, &forged).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("token_invalid"))
        );
    }
}

#[tokio::test]
async fn jwk_alg_differs_from_header_alg() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    // Signed by the RS256 key (its JWK says alg RS256) but the header says PS256.
    let token = issuer.token().alg(Algorithm::PS256).mint();
    let (status, body) = with_token(&app, &token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_invalid"))
    );
    assert!(body["detail"].as_str().unwrap().contains("not allowed"));
}

fn fast_options() -> JwksOptions {
    JwksOptions::default().miss_cooldown(Duration::from_secs(30))
}

#[tokio::test]
async fn unknown_kid_is_401_never_500_and_refetches_are_bounded() {
    let issuer = TestIssuer::start().await;
    let auth = UssoAuth::new(
        issuer
            .config_builder()
            .jwks_options(fast_options())
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = router(auth);
    assert_eq!(
        with_token(&app, &issuer.token().mint()).await.0,
        StatusCode::OK
    );
    for i in 0..100 {
        let (status, body) =
            with_token(&app, &issuer.token().kid(format!("random-{i}")).mint()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unknown_key"))
        );
    }
    assert!(
        issuer.fetch_count() <= 2,
        "fetches: {}",
        issuer.fetch_count()
    );
}

#[tokio::test]
async fn one_unsupported_jwk_does_not_break_the_others() {
    let issuer = TestIssuer::start().await;
    issuer.publish_raw_jwk(json!({"kty": "XYZ", "kid": "weird"}));
    issuer.publish_raw_jwk(json!({"kty": "RSA", "kid": "short", "n": "AQAB", "e": "AQAB"}));
    issuer.publish_raw_jwk(json!({"kty": "oct", "kid": "secret", "k": "c2VjcmV0"}));
    issuer.publish_raw_jwk(json!("not even an object"));
    let app = router(issuer.auth());
    for alg in [Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256] {
        assert_eq!(
            with_token(&app, &issuer.token().alg(alg).mint()).await.0,
            StatusCode::OK,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn a_key_removed_from_the_jwks_is_rejected_after_refresh() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let app = router(auth.clone());
    let old = issuer.token().mint();
    assert_eq!(with_token(&app, &old).await.0, StatusCode::OK);
    issuer.rotate(Rotation::RemoveOld);
    auth.jwks_store().unwrap().refresh_now().await.unwrap();
    assert_eq!(with_token(&app, &old).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        with_token(&app, &issuer.token().mint()).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn jwks_down_after_a_good_fetch_keeps_serving() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let app = router(auth.clone());
    let token = issuer.token().mint();
    assert_eq!(with_token(&app, &token).await.0, StatusCode::OK);
    issuer.fail_with(503);
    let _ = auth.jwks_store().unwrap().refresh_now().await;
    assert_eq!(with_token(&app, &token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn cold_start_with_the_jwks_down_is_503_not_500() {
    let issuer = TestIssuer::start().await;
    issuer.fail_with(500);
    let app = router(issuer.auth());
    let (status, body) = with_token(&app, &issuer.token().mint()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("keys_unavailable"))
    );
}

#[tokio::test]
async fn malformed_authorization_headers() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    let token = issuer.token().mint();
    let huge = format!("Bearer {}", "a".repeat(1024 * 1024));
    let values: Vec<HeaderValue> = vec![
        HeaderValue::from_static("Bearer"),
        HeaderValue::from_static("Bearer "),
        HeaderValue::from_str(&format!("Bearer  {token}  x")).unwrap(),
        HeaderValue::from_static("Basic dXNlcjpwYXNz"),
        HeaderValue::from_bytes(b"Bearer \xff\xfe.\xfa.\xfb").unwrap(),
        HeaderValue::from_str(&huge).unwrap(),
        HeaderValue::from_static("Bearer ..."),
        HeaderValue::from_static("Bearer a.b"),
    ];
    for v in values {
        let shown = String::from_utf8_lossy(&v.as_bytes()[..v.len().min(40)]).to_string();
        let (status, _) = tokio::time::timeout(Duration::from_secs(10), call(&app, Some(v)))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{shown}");
    }
}

#[tokio::test]
async fn claims_of_the_wrong_type_are_401() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    for (claim, value) in [
        ("roles", json!("admin")),
        ("exp", json!(1.5)),
        ("exp", json!("9999999999")),
        ("sub", json!(["a", "b"])),
        ("scopes", json!({"a": 1})),
        ("aud", json!(42)),
    ] {
        let (status, body) =
            with_token(&app, &issuer.token().claim(claim, value.clone()).mint()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{claim}={value}");
        assert!(body["detail"].as_str().unwrap().contains(claim), "{body}");
    }
}

#[tokio::test]
async fn array_aud_with_and_without_the_expected_audience() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    let ok = issuer
        .token()
        .claim("aud", json!(["other", issuer.audience()]))
        .mint();
    assert_eq!(with_token(&app, &ok).await.0, StatusCode::OK);
    let bad = issuer
        .token()
        .claim("aud", json!(["other", "another"]))
        .mint();
    assert_eq!(with_token(&app, &bad).await.1["error"], "invalid_audience");
}

#[tokio::test]
async fn missing_exp_is_401_by_default() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    let (status, body) = with_token(&app, &issuer.token().without("exp").mint()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["detail"].as_str().unwrap().contains("exp"));
}

#[tokio::test]
async fn missing_iss_when_an_issuer_is_configured() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    let (status, body) = with_token(&app, &issuer.token().without("iss").mint()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_issuer"))
    );
}

#[tokio::test]
async fn jku_x5u_and_jwk_headers_are_never_fetched() {
    let issuer = TestIssuer::start().await;
    let attacker = TestIssuer::start().await;
    let app = router(issuer.auth());
    let evil = format!("{}/evil-keys", attacker.base_url());
    let forged = attacker
        .token()
        .issuer(issuer.issuer())
        .audience(issuer.audience())
        .header("jku", evil.clone())
        .header("x5u", evil.clone())
        .header("jwk", attacker.key(Algorithm::EdDSA).unwrap().jwk())
        .mint();
    assert_eq!(with_token(&app, &forged).await.0, StatusCode::UNAUTHORIZED);
    assert!(attacker.requests().is_empty(), "{:?}", attacker.requests());
    assert!(issuer.requests().iter().all(|r| !r.contains("evil")));
}

#[tokio::test]
async fn token_data_never_reaches_the_jwks_server() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    with_token(&app, &issuer.token().mint()).await;
    with_token(&app, &issuer.token().kid("kid-with?query&x=1").mint()).await;
    with_token(&app, &issuer.token().kid("../../etc/passwd").mint()).await;
    let requests = issuer.requests();
    assert!(!requests.is_empty());
    for r in requests {
        assert_eq!(
            r, "/.well-known/jwks.json",
            "a JWKS request carried more than the configured URL"
        );
    }
}

#[test]
fn tokens_never_appear_in_logs() {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(captured.subscriber());
    // `tracing` caches per call site whether anyone listens; a call site
    // another test's thread reached while this subscriber was being
    // installed may be cached as unheard. Recompute before the requests, so
    // that the assertion below sees every event.
    tracing::callsite::rebuild_interest_cache();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tokens = runtime.block_on(async {
        let issuer = TestIssuer::start().await;
        let app = router(issuer.auth());
        let good = issuer.token().mint();
        let expired = issuer.token().expired().mint();
        let unknown = issuer.token().kid("nope").mint();
        assert_eq!(with_token(&app, &good).await.0, StatusCode::OK);
        assert_eq!(with_token(&app, &expired).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(with_token(&app, &unknown).await.0, StatusCode::UNAUTHORIZED);
        issuer.fail_with(500);
        let _ = UssoAuth::new(issuer.config())
            .unwrap()
            .verify_token(&good)
            .await;
        vec![good, expired, unknown]
    });
    let logs = captured.text();
    assert!(
        logs.contains("usso"),
        "the test must capture usso's own events: {logs}"
    );
    for token in tokens {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!logs.contains(&token), "a token was logged");
        assert!(!logs.contains(signature), "a signature was logged");
        assert!(
            !logs.contains(token.split('.').nth(1).unwrap()),
            "a payload was logged"
        );
    }
}

#[tokio::test]
async fn a_key_used_before_the_jwks_publishes_it_is_accepted_after_the_cooldown() {
    let issuer = TestIssuer::start().await;
    let options = JwksOptions::default().miss_cooldown(Duration::from_millis(500));
    let auth = UssoAuth::new(
        issuer
            .config_builder()
            .jwks_options(options)
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = router(auth);
    assert_eq!(
        with_token(&app, &issuer.token().mint()).await.0,
        StatusCode::OK
    );
    // The issuer starts signing with a new key before its JWKS lists it.
    issuer.rotate(Rotation::KeepOld);
    issuer.set_published(Algorithm::EdDSA, false);
    let early = issuer.token().mint();
    let (status, body) = with_token(&app, &early).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unknown_key"))
    );
    // Published now; once the cooldown has passed the same token is accepted
    // (jwt-authorizer-style "unknown until the next scheduled refresh" would
    // refuse it for minutes).
    issuer.set_published(Algorithm::EdDSA, true);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(with_token(&app, &early).await.0, StatusCode::OK);
}

/// The eight small-order points of edwards25519, canonically encoded: the
/// identity, the point of order 2, two of order 4 and four of order 8.
const SMALL_ORDER_KEYS: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
];

/// Non-canonical encodings of small-order points: `y ≥ p`, or `x = 0` with
/// the sign bit set.
const NON_CANONICAL_KEYS: [&str; 4] = [
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
];

fn hex32(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// A token "signed" with `R = identity, S = 0`, which RFC 8032's check
/// accepts whenever `[k]A` is the identity: always for the identity key,
/// for about one message in `order(A)` for the others. Returns the token and
/// whether a lax Ed25519 verifier (aws-lc-rs, as used by jsonwebtoken)
/// accepts it, so each test proves its forgery is real.
fn forge_small_order(key: &[u8; 32], kid: &str, audience: &str, jti: u32) -> (String, bool) {
    use aws_lc_rs::signature::{ED25519, UnparsedPublicKey};
    let header = b64(json!({"alg": "EdDSA", "typ": "JWT", "kid": kid})
        .to_string()
        .as_bytes());
    let payload = b64(json!({
        "sub": "user:forged",
        "aud": audience,
        "iat": 1_700_000_000,
        "exp": 4_000_000_000u64,
        "jti": format!("forged-{jti}"),
        "roles": ["admin"],
    })
    .to_string()
    .as_bytes());
    let mut signature = [0u8; 64];
    signature[0] = 1;
    let message = format!("{header}.{payload}");
    let lax = UnparsedPublicKey::new(&ED25519, key)
        .verify(message.as_bytes(), &signature)
        .is_ok();
    (format!("{message}.{}", b64(&signature)), lax)
}

#[tokio::test]
async fn ed25519_small_order_keys_in_a_jwks_forge_nothing() {
    let issuer = TestIssuer::start().await;
    for (i, hex) in SMALL_ORDER_KEYS.iter().enumerate() {
        issuer.publish_raw_jwk(json!({
            "kty": "OKP", "crv": "Ed25519", "kid": format!("weak-{i}"), "x": b64(&hex32(hex)),
        }));
    }
    let auth = issuer.auth();
    let extractor = router(auth.clone());
    let layered = Router::new()
        .route("/me", get(me))
        .layer(usso::UssoLayer::required(auth));
    for (i, hex) in SMALL_ORDER_KEYS.iter().enumerate() {
        let key = hex32(hex);
        let kid = format!("weak-{i}");
        let mut real_forgeries = 0;
        for jti in 0..64 {
            let (token, lax) = forge_small_order(&key, &kid, issuer.audience(), jti);
            real_forgeries += usize::from(lax);
            for app in [&extractor, &layered] {
                let (status, body) = with_token(app, &token).await;
                assert_eq!(
                    (status, body["error"].as_str()),
                    (StatusCode::UNAUTHORIZED, Some("unknown_key")),
                    "key {hex}, forgery {jti}"
                );
            }
        }
        assert!(
            real_forgeries > 0,
            "no forgery against {hex} passes a lax verifier: the test proves nothing"
        );
    }
    // The honest key in the same set still works.
    assert_eq!(
        with_token(&extractor, &issuer.token().mint()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        with_token(&layered, &issuer.token().mint()).await.0,
        StatusCode::OK
    );
}

#[test]
fn ed25519_weak_static_keys_are_configuration_errors() {
    for hex in SMALL_ORDER_KEYS.iter().chain(&NON_CANONICAL_KEYS) {
        let x = b64(&hex32(hex));
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": x}).to_string();
        for key in [
            Key::ed25519(x.clone()),
            Key::jwk(jwk),
            Key::parse(x.clone()),
        ] {
            let err = JwtConfig::builder()
                .key(key)
                .issuer("https://issuer.example")
                .audience("app")
                .build()
                .expect_err(hex);
            let text = err.to_string();
            assert!(text.contains("Ed25519"), "{hex}: {text}");
        }
    }
    for hex in SMALL_ORDER_KEYS {
        let err = JwtConfig::builder()
            .key(Key::ed25519(b64(&hex32(hex))))
            .issuer("https://issuer.example")
            .audience("app")
            .build()
            .unwrap_err();
        // Canonical small-order points are named as such; the non-canonical
        // encodings may fail earlier (not on the curve, or not canonical).
        assert!(err.to_string().contains("small-order"), "{hex}: {err}");
    }
}

#[test]
fn a_hostile_kid_reaches_neither_the_body_nor_the_log_raw() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let hostile = ['\r', '\n', '\u{1b}', '\u{7}', '\0', '\u{202e}'];
    let body = runtime.block_on(async {
        let issuer = TestIssuer::start().await;
        let app = router(issuer.auth());
        let kid = "k\r\nINFO usso: forged line\u{1b}[2J\u{7}\0\u{202e}";
        // `tracing` caches per call site whether anyone listens; a call site
        // another test's thread first reached while this subscriber was being
        // installed may have been cached as unheard. Recompute, now that no
        // registration can be in flight for this test's own call sites.
        tracing::callsite::rebuild_interest_cache();
        let (status, body) = with_token(&app, &issuer.token().kid(kid).mint()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "unknown_key");
        body
    });
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("\\r\\nINFO usso: forged line\\u{1b}[2J\\u{7}\\u{0}\\u{202e}"),
        "{detail}"
    );
    let logs = captured.text();
    assert!(
        logs.contains("unknown_key"),
        "the rejection was not logged: {logs}"
    );
    for c in hostile {
        assert!(!detail.contains(c), "raw {c:?} in the body: {detail}");
        if c != '\n' {
            assert!(!logs.contains(c), "raw {c:?} in the log: {logs}");
        }
    }
    assert!(
        !logs
            .lines()
            .any(|l| l.contains("forged line") && !l.contains("unknown_key")),
        "a log line was forged: {logs}"
    );
}

#[tokio::test]
async fn alg_is_spelled_exactly_except_the_usso_ed25519_alias() {
    let issuer = TestIssuer::builder()
        .algorithms([Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256])
        .start()
        .await;
    let app = router(issuer.auth());
    for (alg, spelled) in [
        (Algorithm::EdDSA, "eddsa"),
        (Algorithm::EdDSA, "EDDSA"),
        (Algorithm::EdDSA, "Ed25519"),
        (Algorithm::EdDSA, "ed25519"),
        (Algorithm::RS256, "rs256"),
        (Algorithm::ES256, "Es256"),
    ] {
        let token = issuer.token().alg(alg).header("alg", spelled).mint();
        let (status, body) = with_token(&app, &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{spelled}");
        assert_eq!(body["error"], "token_invalid", "{spelled}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("unsupported algorithm"),
            "{spelled}: {body}"
        );
    }
    // The alias USSO agent tokens carry, and the registered names.
    let agent = issuer.token().header("alg", "ED25519").mint();
    assert_eq!(with_token(&app, &agent).await.0, StatusCode::OK);
    for alg in [Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256] {
        let token = issuer.token().alg(alg).mint();
        assert_eq!(with_token(&app, &token).await.0, StatusCode::OK, "{alg}");
    }
}

#[tokio::test]
async fn crit_must_be_a_non_empty_array_and_is_never_understood() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    // Signed by hand: the kit's `header(name, null)` removes a parameter.
    let key = issuer.key(Algorithm::EdDSA).unwrap();
    let claims = b64(issuer.token().claims().to_string().as_bytes());
    for crit in [Value::Null, json!([]), json!("exp"), json!({}), json!([1])] {
        let header = json!({"alg": "EdDSA", "kid": key.kid(), "crit": crit});
        let input = format!("{}.{claims}", b64(header.to_string().as_bytes()));
        let signature = key.sign_bytes(Algorithm::EdDSA, input.as_bytes()).unwrap();
        let token = format!("{input}.{}", b64(&signature));
        let (status, body) = with_token(&app, &token).await;
        assert_eq!(
            (status, body["detail"].as_str()),
            (
                StatusCode::UNAUTHORIZED,
                Some("the token is invalid: the header `crit` must be a non-empty array of names")
            ),
            "{crit}"
        );
    }
    let token = issuer.token().header("crit", json!(["b64"])).mint();
    let (status, body) = with_token(&app, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["detail"].as_str().unwrap().contains("`b64`"), "{body}");
}

#[tokio::test]
async fn fractional_numeric_dates_as_pyjwt_emits_them() {
    let issuer = TestIssuer::start().await;
    let app = router(issuer.auth());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    // Well clear of the 10 s default leeway on either side.
    let ok = issuer
        .token()
        .claim("iat", now - 0.5)
        .claim("nbf", now - 0.5)
        .claim("exp", now + 60.25)
        .mint();
    assert_eq!(with_token(&app, &ok).await.0, StatusCode::OK);
    let expired = issuer.token().claim("exp", now - 30.75).mint();
    let (status, body) = with_token(&app, &expired).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_expired"))
    );
    let early = issuer.token().claim("nbf", now + 30.75).mint();
    let (status, body) = with_token(&app, &early).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_not_yet_valid"))
    );
    // Not a number at all is still a clear 401 naming the claim.
    let text = issuer.token().claim("exp", "tomorrow").mint();
    let (status, body) = with_token(&app, &text).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["detail"].as_str().unwrap().contains("exp"), "{body}");
}

/// A server that answers `/jwks` with `jwks` and redirects the rest:
/// `/to?url=…` to that URL, `/hops/n` to `/hops/n-1` (and `/hops/0` to `/jwks`).
async fn redirector(jwks: Value) -> (String, tokio::task::JoinHandle<()>) {
    use axum::extract::{Path, Query};
    use axum::response::Redirect;
    use std::collections::HashMap;
    let app = Router::new()
        .route("/jwks", get(move || async move { axum::Json(jwks) }))
        .route(
            "/to",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                Redirect::temporary(&q["url"])
            }),
        )
        .route(
            "/hops/{n}",
            get(|Path(n): Path<u32>| async move {
                if n == 0 {
                    Redirect::temporary("/jwks")
                } else {
                    Redirect::temporary(&format!("/hops/{}", n - 1))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, task)
}

#[tokio::test]
async fn jwks_redirects_stay_on_their_origin_for_at_most_three_hops() {
    let issuer = TestIssuer::start().await;
    let (a, server_a) = redirector(issuer.jwks()).await;
    let (b, server_b) = redirector(issuer.jwks()).await;
    let token = issuer.token().mint();
    let check = |url: String, options: JwksOptions| {
        let config = issuer
            .config_builder()
            .jwks_url(url)
            .jwks_options(options)
            .build()
            .unwrap();
        let token = token.clone();
        async move {
            let auth = UssoAuth::new(config).unwrap();
            let prefetch = auth.jwks_store().unwrap().prefetch().await;
            let (status, body) = with_token(&router(auth), &token).await;
            (prefetch.map(drop).map_err(|e| e.to_string()), status, body)
        }
    };
    let default = JwksOptions::default;
    // Same origin: followed, up to three hops.
    for url in [format!("{a}/to?url=/jwks"), format!("{a}/hops/2")] {
        let (prefetch, status, _) = check(url.clone(), default()).await;
        assert_eq!((prefetch, status), (Ok(()), StatusCode::OK), "{url}");
    }
    // A fourth hop is refused, on the same origin too.
    let (prefetch, status, body) = check(format!("{a}/hops/3"), default()).await;
    assert!(prefetch.unwrap_err().contains("more than 3 JWKS redirects"));
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("keys_unavailable"))
    );
    // Another port is another origin: refused, and the reason names it.
    let cross = format!("{a}/to?url={b}/jwks");
    let (prefetch, status, _) = check(cross.clone(), default()).await;
    let reason = prefetch.unwrap_err();
    assert!(
        reason.contains(&format!("cross-origin JWKS redirect to {b}")),
        "{reason}"
    );
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // Allowed on request.
    let (prefetch, status, _) = check(cross, default().cross_origin_redirects(true)).await;
    assert_eq!((prefetch, status), (Ok(()), StatusCode::OK));
    // An application's own client follows anything; usso still refuses an
    // answer from another origin.
    let config = issuer
        .config_builder()
        .jwks_url(format!("{a}/to?url={b}/jwks"))
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let auth = UssoAuth::new(config).unwrap();
    let reason = auth
        .jwks_store()
        .unwrap()
        .prefetch()
        .await
        .unwrap_err()
        .to_string();
    assert!(reason.contains("cross-origin"), "{reason}");
    server_a.abort();
    server_b.abort();
}

#[tokio::test]
async fn cookie_csrf_origin_rules_and_cookie_tossing() {
    use axum::routing::post;
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let extractor: Router = Router::new()
        .route("/act", post(me))
        .with_state(auth.clone());
    let layered: Router = Router::new()
        .route("/act", post(me))
        .layer(usso::UssoLayer::required(auth));
    let token = issuer.token().mint();
    let cookie = format!("usso-access-token={token}");
    // (method, path, extra headers, status)
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], StatusCode);
    let cases: &[Case<'_>] = &[
        (
            "POST",
            "/act",
            &[("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[("origin", "https://api.example"), ("host", "api.example")],
            StatusCode::OK,
        ),
        (
            "POST",
            "/act",
            &[("origin", "https://API.Example"), ("host", "api.example")],
            StatusCode::OK,
        ),
        (
            "POST",
            "/act",
            &[
                ("origin", "http://api.example:8080"),
                ("host", "api.example:8080"),
            ],
            StatusCode::OK,
        ),
        (
            "POST",
            "/act",
            &[
                ("origin", "https://api.example:8443"),
                ("host", "api.example"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[
                ("origin", "https://api.example"),
                ("host", "api.example:8443"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[
                ("origin", "https://api.example.evil.com"),
                ("host", "api.example"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[("origin", "https://api.example/x"), ("host", "api.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[("origin", "null"), ("host", "api.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[
                ("origin", "https://api.example"),
                ("origin", "https://api.example"),
                ("host", "api.example"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[
                ("origin", "https://api.example"),
                ("host", "api.example"),
                ("host", "evil.example"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[
                ("sec-fetch-site", "same-origin"),
                ("sec-fetch-site", "same-origin"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/act",
            &[("sec-fetch-site", "same-origin")],
            StatusCode::OK,
        ),
        (
            "POST",
            "/act",
            &[("sec-fetch-site", "same-site")],
            StatusCode::FORBIDDEN,
        ),
        // HTTP/2: the authority and scheme are in the URI.
        (
            "POST",
            "https://api.example/act",
            &[("origin", "https://api.example")],
            StatusCode::OK,
        ),
        (
            "POST",
            "https://api.example/act",
            &[("origin", "http://api.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "https://api.example:8443/act",
            &[("origin", "https://api.example")],
            StatusCode::FORBIDDEN,
        ),
        // No browser headers at all: a non-browser client.
        ("POST", "/act", &[], StatusCode::OK),
    ];
    for (method, uri, headers, expected) in cases {
        for app in [&extractor, &layered] {
            let mut req = Request::builder()
                .method(*method)
                .uri(*uri)
                .header("cookie", &cookie);
            for (name, value) in *headers {
                req = req.header(*name, *value);
            }
            let res = app
                .clone()
                .oneshot(req.body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(res.status(), *expected, "{method} {uri} {headers:?}");
        }
    }
    // The same token in a header is not a browser-attached credential.
    let req = Request::post("/act")
        .header("authorization", format!("Bearer {token}"))
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        extractor.clone().oneshot(req).await.unwrap().status(),
        StatusCode::OK
    );
    // Cookie tossing: the token cookie twice, in one header or two, even on GET.
    let tossed = [
        vec![format!("usso-access-token=planted; {cookie}")],
        vec![cookie.clone(), "usso-access-token=planted".to_owned()],
    ];
    for cookies in tossed {
        for app in [&extractor, &layered] {
            let mut req = Request::get("/act")
                .method("POST")
                .header("sec-fetch-site", "same-origin");
            for c in &cookies {
                req = req.header("cookie", c);
            }
            let res = app
                .clone()
                .oneshot(req.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = res.status();
            let body: Value =
                serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes())
                    .unwrap();
            assert_eq!(
                (status, body["detail"].as_str()),
                (
                    StatusCode::UNAUTHORIZED,
                    Some(
                        "the token is invalid: the `usso-access-token` cookie is sent more than once"
                    )
                ),
                "{cookies:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_oidc_id_token_passes_by_default_and_one_setting_closes_it() {
    let issuer = TestIssuer::start().await;
    // An OIDC ID token: same issuer, same keys, the app's client id as `aud`,
    // no USSO `token_type`, `typ` JWT.
    let id_token = issuer
        .token()
        .without("token_type")
        .claim("nonce", "n-0S6_WzA2Mj")
        .claim("auth_time", now())
        .mint();
    // The interoperable default accepts it (documented in SECURITY.md).
    assert_eq!(
        with_token(&router(issuer.auth()), &id_token).await.0,
        StatusCode::OK
    );
    let strict = |b: usso::JwtConfigBuilder| router(UssoAuth::new(b.build().unwrap()).unwrap());
    for (app, code) in [
        (
            strict(issuer.config_builder().require_token_type(true)),
            "invalid_token_type",
        ),
        (
            strict(issuer.config_builder().typ("at+jwt")),
            "token_invalid",
        ),
    ] {
        let (status, body) = with_token(&app, &id_token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(code))
        );
    }
    // An access token still passes `require_token_type(true)`.
    let access = issuer.token().token_type("access").mint();
    assert_eq!(
        with_token(
            &strict(issuer.config_builder().require_token_type(true)),
            &access
        )
        .await
        .0,
        StatusCode::OK
    );
}
