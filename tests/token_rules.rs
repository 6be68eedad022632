//! The token-type, required-claim and opt-out rules, with real tokens from a
//! real `TestIssuer` (JWKS over 127.0.0.1), through `verify_token` and
//! through a real axum router.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use usso::testing::TestIssuer;
use usso::{AuthError, ConfigError, JwtConfigBuilder, UserData, UssoAuth};

/// Every `token_type` a USSO server issues (`usso.user.TokenType`).
const TYPES: [&str; 5] = ["access", "refresh", "secure", "one_time", "temporary"];

fn build(builder: JwtConfigBuilder) -> UssoAuth {
    UssoAuth::new(builder.build().unwrap()).unwrap()
}

fn type_error(expected: &[&str], provided: Option<&str>) -> AuthError {
    AuthError::InvalidTokenType {
        expected: expected.iter().map(|s| (*s).to_owned()).collect(),
        provided: provided.map(str::to_owned),
    }
}

async fn me(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

/// `GET /me` through a real router; returns the status, the
/// `WWW-Authenticate` header and the JSON body.
async fn get_me(auth: &UssoAuth, token: &str) -> (StatusCode, String, Value) {
    let app = Router::new().route("/me", get(me)).with_state(auth.clone());
    let res = app
        .oneshot(
            Request::get("/me")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, challenge, body)
}

#[tokio::test]
async fn by_default_only_access_tokens_and_untyped_tokens_pass() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    for t in TYPES {
        let token = issuer.token().token_type(t).mint();
        let result = auth.verify_token(&token).await;
        if t == "access" {
            assert!(result.is_ok(), "{t}: {result:?}");
        } else {
            assert_eq!(result, Err(type_error(&["access"], Some(t))), "{t}");
        }
    }
    // Agent tokens carry no `token_type`: accepted unless it is required.
    let untyped = issuer.token().without("token_type").mint();
    assert!(auth.verify_token(&untyped).await.is_ok());
    // A non-string type is a malformed claim, not a type mismatch.
    let numeric = issuer.token().claim("token_type", 7).mint();
    assert_eq!(
        auth.verify_token(&numeric).await.unwrap_err().code(),
        "token_invalid"
    );
}

#[tokio::test]
async fn token_types_accepts_exactly_the_listed_types() {
    let issuer = TestIssuer::start().await;
    for wanted in TYPES {
        let auth = build(issuer.config_builder().token_types([wanted]));
        for t in TYPES {
            let token = issuer.token().token_type(t).mint();
            let result = auth.verify_token(&token).await;
            if t == wanted {
                assert_eq!(result.unwrap().token_type.as_deref(), Some(t));
            } else {
                assert_eq!(result, Err(type_error(&[wanted], Some(t))), "{wanted}/{t}");
            }
        }
    }
    let several = build(issuer.config_builder().token_types(["access", "secure"]));
    for t in TYPES {
        let token = issuer.token().token_type(t).mint();
        let ok = several.verify_token(&token).await.is_ok();
        assert_eq!(ok, t == "access" || t == "secure", "{t}");
    }
    // Types compare exactly: `Access` is not `access`.
    let token = issuer.token().token_type("Access").mint();
    assert_eq!(
        several.verify_token(&token).await,
        Err(type_error(&["access", "secure"], Some("Access")))
    );
}

#[tokio::test]
async fn require_token_type_rejects_untyped_tokens() {
    let issuer = TestIssuer::start().await;
    let strict = build(issuer.config_builder().require_token_type(true));
    let untyped = issuer.token().without("token_type").mint();
    assert_eq!(
        strict.verify_token(&untyped).await,
        Err(type_error(&["access"], None))
    );
    let null = issuer.token().claim("token_type", Value::Null).mint();
    assert_eq!(
        strict.verify_token(&null).await,
        Err(type_error(&["access"], None))
    );
    assert!(strict.verify_token(&issuer.token().mint()).await.is_ok());
    let refresh = issuer.token().token_type("refresh").mint();
    assert_eq!(
        strict.verify_token(&refresh).await,
        Err(type_error(&["access"], Some("refresh")))
    );
    // Off (the default), the same untyped token passes.
    assert!(issuer.auth().verify_token(&untyped).await.is_ok());
}

#[tokio::test]
async fn a_refresh_token_is_a_401_invalid_token_through_the_router() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let refresh = issuer.token().token_type("refresh").mint();
    let (status, challenge, body) = get_me(&auth, &refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(body["error"], "invalid_token_type");
    assert_eq!(
        body["detail"],
        "the token type is not accepted here (expected: access, provided: refresh)"
    );
    let (status, _, _) = get_me(&auth, &issuer.token().mint()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_hostile_token_type_is_truncated_and_escaped() {
    let issuer = TestIssuer::start().await;
    let long = format!("x\n\"{}", "y".repeat(200));
    let token = issuer.token().token_type(long).mint();
    let err = issuer.auth().verify_token(&token).await.unwrap_err();
    let AuthError::InvalidTokenType {
        provided: Some(p), ..
    } = &err
    else {
        panic!("{err:?}");
    };
    // Kept as sent (truncated to 32 characters), shown escaped.
    assert_eq!(p.chars().count(), 32, "{p:?}");
    assert!(p.starts_with("x\n\""), "{p:?}");
    for shown in [
        err.to_string(),
        usso::ErrorFormat::python_detail(&err).into_owned(),
    ] {
        assert!(!shown.contains('\n'), "{shown:?}");
        assert!(shown.contains("x\\n\""), "{shown:?}");
    }
}

#[tokio::test]
async fn require_claims_names_the_first_missing_claim() {
    let issuer = TestIssuer::start().await;
    let auth = build(
        issuer
            .config_builder()
            .require_claims(["sub", "session_id"]),
    );
    let full = issuer.token().claim("session_id", "s-1").mint();
    let user = auth.verify_token(&full).await.unwrap();
    assert_eq!(user.session_id.as_deref(), Some("s-1"));

    let missing = |claim: &str| AuthError::MissingClaim {
        claim: claim.to_owned(),
    };
    let no_session = issuer.token().mint();
    assert_eq!(
        auth.verify_token(&no_session).await,
        Err(missing("session_id"))
    );
    let null_session = issuer.token().claim("session_id", Value::Null).mint();
    assert_eq!(
        auth.verify_token(&null_session).await,
        Err(missing("session_id"))
    );
    let no_sub = issuer
        .token()
        .without("sub")
        .claim("session_id", "s")
        .mint();
    assert_eq!(auth.verify_token(&no_sub).await, Err(missing("sub")));
    // Any claim, custom ones included; an empty list value is present.
    let custom = build(issuer.config_builder().require_claims(["org"]));
    let with_org = issuer.token().claim("org", json!([])).mint();
    assert!(custom.verify_token(&with_org).await.is_ok());
    assert_eq!(
        custom.verify_token(&issuer.token().mint()).await,
        Err(missing("org"))
    );
    // A signature failure is reported before any claim rule.
    let other = TestIssuer::start().await;
    let foreign = other.token().claim("org", "o").mint();
    let err = custom.verify_token(&foreign).await.unwrap_err();
    assert_ne!(err.code(), "missing_claim");

    let (status, challenge, body) = get_me(&auth, &no_session).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(body["error"], "missing_claim");
    assert_eq!(body["detail"], "the token has no `session_id` claim");
}

#[test]
fn an_empty_required_claim_is_a_config_error() {
    let err = JwtConfigBuilder::default()
        .key(usso::Key::hmac_secret(b"0123456789abcdef0123456789abcdef"))
        .algorithm(usso::Algorithm::HS256)
        .require_claims(["sub", " "])
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::InvalidSetting {
                setting: "require_claims",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn verify_nbf_false_accepts_a_token_not_valid_yet() {
    let issuer = TestIssuer::start().await;
    let early = issuer.token().not_yet_valid().mint();
    assert_eq!(
        issuer.auth().verify_token(&early).await,
        Err(AuthError::TokenNotYetValid)
    );
    let relaxed = build(issuer.config_builder().verify_nbf(false));
    let user = relaxed.verify_token(&early).await.unwrap();
    assert!(user.nbf.unwrap() > user.iat.unwrap());
    let (status, _, _) = get_me(&relaxed, &early).await;
    assert_eq!(status, StatusCode::OK);
    // Only `nbf` is relaxed: expiry still holds.
    let expired = issuer.token().expired().mint();
    assert_eq!(
        relaxed.verify_token(&expired).await,
        Err(AuthError::TokenExpired)
    );
}

#[tokio::test]
async fn verify_aud_false_accepts_any_audience() {
    let issuer = TestIssuer::start().await;
    let elsewhere = issuer.token().audience("another-app").mint();
    let no_aud = issuer.token().without("aud").mint();
    for token in [&elsewhere, &no_aud] {
        assert_eq!(
            issuer.auth().verify_token(token).await,
            Err(AuthError::InvalidAudience)
        );
    }
    // With the audience still configured, and with none at all (a JWKS
    // config may omit it only by opting out explicitly).
    let relaxed = [
        build(issuer.config_builder().verify_aud(false)),
        build(
            usso::JwtConfig::builder()
                .jwks_url(issuer.jwks_url())
                .issuer(issuer.issuer())
                .verify_aud(false),
        ),
    ];
    for auth in &relaxed {
        for token in [&elsewhere, &no_aud] {
            assert!(auth.verify_token(token).await.is_ok());
        }
        let (status, _, _) = get_me(auth, &elsewhere).await;
        assert_eq!(status, StatusCode::OK);
        // The issuer is still checked.
        let foreign = issuer.token().issuer("https://evil.example").mint();
        assert_eq!(
            auth.verify_token(&foreign).await,
            Err(AuthError::InvalidIssuer)
        );
    }
    let err = usso::JwtConfig::builder()
        .jwks_url(issuer.jwks_url())
        .issuer(issuer.issuer())
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ConfigError::InvalidSetting {
            setting: "audience",
            ..
        }
    ));
}
