//! `FleetConfig` / `UssoAuth::from_env`: a Python usso fleet's environment
//! (`JWT_CONFIGS`, `JWT_CONFIG`, `USSO_BASE_URL`, `USSO_*`) and its JSON
//! `AuthConfig` shape, checked with real signed tokens and real JWKS
//! servers on 127.0.0.1. Variables are passed as maps (`from_vars`): the
//! process environment is shared by every test thread.

mod common;

use common::now;
use std::collections::HashMap;

use http::HeaderMap;
use serde_json::{Value, json};
use usso::testing::{SigningKey, TestIssuer};
use usso::{Algorithm, AuthError, ConfigError, ConfigSource, FleetConfig, UserData, UssoAuth};

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

fn fleet(pairs: &[(&str, &str)]) -> Result<FleetConfig, ConfigError> {
    FleetConfig::from_vars(vars(pairs))
}

fn fleet_auth(pairs: &[(&str, &str)]) -> UssoAuth {
    fleet(pairs).unwrap().build().unwrap()
}

fn claims(iss: &str, aud: &str) -> Value {
    let now = now();
    json!({"sub": "user:1", "iss": iss, "aud": aud, "iat": now, "nbf": now, "exp": now + 300,
           "token_type": "access"})
}

fn sign(key: &SigningKey, claims: &Value) -> String {
    key.sign_json(claims, None).unwrap()
}

fn jwks_config(issuer: &TestIssuer) -> Value {
    json!({"jwks_url": issuer.jwks_url(), "issuer": issuer.issuer(), "audience": issuer.audience()})
}

#[tokio::test]
async fn the_first_set_variable_wins_in_the_packages_order() {
    let a = TestIssuer::builder().audience("svc").start().await;
    let b = TestIssuer::builder().audience("svc").start().await;
    let list = json!([jwks_config(&a)]).to_string();
    let one = jwks_config(&b).to_string();
    let base = a.base_url().to_owned();
    let all = [
        ("JWT_CONFIGS", list.as_str()),
        ("JWT_CONFIG", one.as_str()),
        ("USSO_BASE_URL", base.as_str()),
        ("USSO_ISSUER", a.issuer()),
        ("USSO_AUDIENCE", "svc"),
        ("USSO_JWKS_URL", "http://127.0.0.1:9/jwks.json"),
    ];
    let expected = [
        ConfigSource::JwtConfigs,
        ConfigSource::JwtConfig,
        ConfigSource::UssoBaseUrl,
        ConfigSource::UssoVars,
    ];
    for (skip, want) in expected.into_iter().enumerate() {
        let set: Vec<_> = all.iter().copied().skip(skip).collect();
        assert_eq!(fleet(&set).unwrap().source(), want, "{set:?}");
    }
    // A blank variable counts as unset, as in the package (`if value:`).
    let blank = [("JWT_CONFIGS", "  "), ("JWT_CONFIG", one.as_str())];
    assert_eq!(fleet(&blank).unwrap().source(), ConfigSource::JwtConfig);

    // What won is what verifies: JWT_CONFIGS trusts `a`, JWT_CONFIG `b`.
    let from_list = fleet_auth(&all);
    assert!(from_list.verify_token(&a.token().mint()).await.is_ok());
    assert!(from_list.verify_token(&b.token().mint()).await.is_err());
    let from_one = fleet_auth(&all[1..]);
    assert!(from_one.verify_token(&b.token().mint()).await.is_ok());
    assert!(from_one.verify_token(&a.token().mint()).await.is_err());
}

#[tokio::test]
async fn usso_base_url_reads_the_servers_jwks_with_issuer_and_audience_required() {
    let issuer = TestIssuer::builder().audience("svc").start().await;
    let base = format!("{}/", issuer.base_url());
    let env = [
        ("USSO_BASE_URL", base.as_str()),
        ("USSO_ISSUER", issuer.issuer()),
        ("USSO_AUDIENCE", "other, svc"),
    ];
    let auth = fleet_auth(&env);
    assert_eq!(
        auth.jwks_store().unwrap().url(),
        format!("{}/.well-known/jwks.json", issuer.base_url())
    );
    assert!(auth.verify_token(&issuer.token().mint()).await.is_ok());
    let wrong_aud = issuer.token().audience("third").mint();
    assert_eq!(
        auth.verify_token(&wrong_aud).await,
        Err(AuthError::InvalidAudience)
    );
    // The package's `?domain=` mode (no issuer, no audience) is refused, as
    // is a base URL with a query.
    for env in [
        vec![("USSO_BASE_URL", base.as_str())],
        vec![("USSO_BASE_URL", base.as_str()), ("USSO_ISSUER", "x")],
        vec![
            ("USSO_BASE_URL", "https://sso.example.com?domain=a.example"),
            ("USSO_ISSUER", "x"),
            ("USSO_AUDIENCE", "y"),
        ],
    ] {
        match fleet(&env) {
            Err(ConfigError::Unsafe { reason }) => {
                assert!(reason.contains("USSO_BASE_URL"), "{reason}");
                assert!(reason.contains("domain"), "{reason}");
            }
            other => panic!("{env:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn usso_vars_as_before() {
    let issuer = TestIssuer::builder().audience("svc").start().await;
    let jwks = issuer.jwks_url();
    let env = [
        ("USSO_JWKS_URL", jwks.as_str()),
        ("USSO_ISSUER", issuer.issuer()),
        ("USSO_AUDIENCE", "svc"),
    ];
    assert!(
        fleet_auth(&env)
            .verify_token(&issuer.token().mint())
            .await
            .is_ok()
    );
    assert_eq!(
        fleet(&env[..2]).unwrap_err(),
        ConfigError::MissingEnv {
            var: "USSO_AUDIENCE"
        }
    );
}

#[test]
fn nothing_set_is_refused_instead_of_trusting_the_public_jwks() {
    match fleet(&[]) {
        Err(ConfigError::Unsafe { reason }) => {
            assert!(reason.contains("sso.usso.io"), "{reason}");
            assert!(reason.contains("JWT_CONFIG"), "{reason}");
            assert!(reason.contains("USSO_JWKS_URL"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn static_keys_pem_jwk_and_hmac_when_the_config_says_so() {
    let ed = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let pem = ed.public_pem().unwrap();
    let token = sign(&ed, &claims("svc-a", "api"));
    for config in [
        json!({"key": pem, "issuer": "svc-a", "audience": "api"}),
        json!({"key": pem, "type": "EdDSA"}),
        json!({"key": pem, "type": "ED25519"}),
        json!({"key": pem, "type": "eddsa"}),
        json!({"key": ed.jwk(), "issuer": ["x", "svc-a"]}),
    ] {
        let auth = fleet_auth(&[("JWT_CONFIG", &config.to_string())]);
        let user = auth.verify_token(&token).await.unwrap();
        assert_eq!(user.sub.as_deref(), Some("user:1"), "{config}");
    }
    let other = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let auth = fleet_auth(&[("JWT_CONFIG", &json!({"key": pem}).to_string())]);
    assert_eq!(
        auth.verify_token(&sign(&other, &claims("svc-a", "api")))
            .await,
        Err(AuthError::InvalidSignature)
    );
    // A type that doesn't fit the key, or a key that isn't one, is named.
    for (config, named) in [
        (json!({"key": pem, "type": "RS256"}), "type"),
        (
            json!({"key": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"}),
            "key",
        ),
        (json!({"key": {"kty": "OKP", "crv": "Ed25519"}}), "key"),
        (json!({"key": "short", "type": "HS256"}), "key"),
    ] {
        match fleet(&[("JWT_CONFIG", &config.to_string())]) {
            Err(ConfigError::InvalidField { field, .. }) => assert_eq!(field, named, "{config}"),
            other => panic!("{config}: {other:?}"),
        }
    }

    // A non-PEM string is an HMAC secret only with an HS* type.
    let secret = "a-shared-secret-that-is-long-enough-for-hs256";
    let hs = SigningKey::hmac(Algorithm::HS256, secret.as_bytes());
    let config = json!({"key": secret, "type": "HS256", "audience": "api"});
    let auth = fleet_auth(&[("JWT_CONFIG", &config.to_string())]);
    assert!(
        auth.verify_token(&sign(&hs, &claims("any", "api")))
            .await
            .is_ok()
    );
    match fleet(&[("JWT_CONFIG", &json!({"key": secret}).to_string())]) {
        Err(ConfigError::InvalidField { field, reason, .. }) => {
            assert_eq!(field, "key");
            assert!(reason.contains("HS256"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_fields_malformed_json_and_wrong_types_are_named() {
    let unknown = |json: Value| match fleet(&[("JWT_CONFIGS", &json.to_string())]) {
        Err(ConfigError::UnknownField { origin, field, .. }) => {
            assert_eq!(origin, "JWT_CONFIGS");
            field
        }
        other => panic!("{json}: {other:?}"),
    };
    let key = json!({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQ"});
    assert_eq!(
        unknown(json!([{"key": key, "type": "HS256", "isuer": "x"}])),
        "[0].isuer"
    );
    assert_eq!(
        unknown(
            json!([{"key": key, "type": "HS256"}, {"key": key, "type": "HS256", "jwt_header": {"cookie": "c"}}])
        ),
        "[1].jwt_header.cookie"
    );
    assert_eq!(
        unknown(
            json!([{"key": key, "type": "HS256", "api_key_header": {"verify_endpoint": "http://127.0.0.1:1/v", "url": "x"}}])
        ),
        "[0].api_key_header.url"
    );

    let malformed = "{\n  \"jwks_url\": \"https://sso.example.com/jwks\",\n  \"issuer\": \"x\" \"audience\": \"y\"\n}";
    match fleet(&[("JWT_CONFIG", malformed)]) {
        Err(ConfigError::InvalidJson {
            origin,
            line,
            column,
            ..
        }) => {
            assert_eq!((origin.as_str(), line, column), ("JWT_CONFIG", 3, 17));
        }
        other => panic!("{other:?}"),
    }
    let err = fleet(&[("JWT_CONFIG", malformed)]).unwrap_err().to_string();
    assert!(err.contains("line 3, column 17"), "{err}");

    let wrong = |config: &str, var: &str| match fleet(&[(var, config)]) {
        Err(ConfigError::InvalidField { field, .. }) => field,
        other => panic!("{config}: {other:?}"),
    };
    let jwks = r#""jwks_url": "https://sso.example.com/jwks", "issuer": "i", "audience": "a""#;
    let cases = [
        (format!(r#"{{{jwks}, "maximum_age": "60"}}"#), "maximum_age"),
        (format!(r#"{{{jwks}, "maximum_age": -1}}"#), "maximum_age"),
        (
            r#"{"jwks_url": 7, "issuer": "i", "audience": "a"}"#.into(),
            "jwks_url",
        ),
        (
            r#"{"jwks_url": "https://s.example/j", "issuer": 5, "audience": "a"}"#.into(),
            "issuer",
        ),
        (
            r#"{"jwks_url": "https://s.example/j", "issuer": ["i", 1], "audience": "a"}"#.into(),
            "issuer",
        ),
        (
            r#"{"jwks_url": "https://s.example/j", "issuer": "i", "audience": ""}"#.into(),
            "audience",
        ),
        (format!(r#"{{{jwks}, "type": "RS1"}}"#), "type"),
        (
            format!(r#"{{{jwks}, "jwt_header": "Authorization"}}"#),
            "jwt_header",
        ),
        (
            format!(r#"{{{jwks}, "jwt_header": {{"header_name": "bad header"}}}}"#),
            "jwt_header.header_name",
        ),
        (
            format!(r#"{{{jwks}, "jwt_header": {{"header_name": null, "cookie_name": null}}}}"#),
            "jwt_header",
        ),
        (format!(r#"{{{jwks}, "jwt_header": null}}"#), "jwt_header"),
        (format!(r#"{{{jwks}, "key": 3}}"#), "key"),
        (
            format!(r#"{{{jwks}, "static_api_keys": ["k1"]}}"#),
            "static_api_keys",
        ),
        (
            format!(r#"{{{jwks}, "api_key_header": {{}}}}"#),
            "api_key_header.verify_endpoint",
        ),
        (
            format!(
                r#"{{{jwks}, "api_key_header": {{"cookie_name": "k", "verify_endpoint": "https://s.example/v"}}}}"#
            ),
            "api_key_header.cookie_name",
        ),
    ];
    for (config, field) in &cases {
        assert_eq!(wrong(config, "JWT_CONFIG"), *field, "{config}");
    }
    let list = format!(r#"[{{{jwks}}}, {{{jwks}, "maximum_age": 1.5}}]"#);
    assert_eq!(wrong(&list, "JWT_CONFIGS"), "[1].maximum_age");
    assert_eq!(wrong("[1]", "JWT_CONFIGS"), "[0]");
    // As in the package, either variable takes an object or a list (whose
    // items may be JSON text); anything else is named by variable.
    let one = format!("{{{jwks}}}");
    let list = format!("[{one}, {}]", serde_json::to_string(&one).unwrap());
    assert_eq!(fleet(&[("JWT_CONFIGS", &one)]).unwrap().len(), 1);
    assert_eq!(fleet(&[("JWT_CONFIG", &list)]).unwrap().len(), 2);
    assert_eq!(
        wrong(r#"["{\"jwks_url\": 5}"]"#, "JWT_CONFIGS"),
        "[0].jwks_url"
    );
    assert_eq!(wrong(r#"["not json"]"#, "JWT_CONFIGS"), "[0]");
    assert_eq!(wrong("[]", "JWT_CONFIG"), "");
    assert!(matches!(
        fleet(&[("JWT_CONFIG", "\"a string\"")]),
        Err(ConfigError::InvalidEnv {
            var: "JWT_CONFIG",
            ..
        })
    ));
}

#[test]
fn a_jwks_config_must_name_issuer_and_audience() {
    let field = |config: Value| match fleet(&[("JWT_CONFIG", &config.to_string())]) {
        Err(ConfigError::InvalidField { field, reason, .. }) => (field, reason),
        other => panic!("{config}: {other:?}"),
    };
    let url = "https://sso.example.com/.well-known/jwks.json";
    let (f, reason) = field(json!({"jwks_url": url}));
    assert_eq!(f, "issuer");
    assert!(reason.contains("Python package"), "{reason}");
    assert_eq!(field(json!({"jwks_url": url, "issuer": "i"})).0, "audience");
    assert_eq!(
        field(json!({"jwks_url": url, "issuer": "i", "audience": []})).0,
        "audience"
    );
    assert_eq!(field(json!({})).0, "jwks_url");
    assert_eq!(
        field(json!({"jwks_url": url, "key": "-----BEGIN PUBLIC KEY-----"})).0,
        "key"
    );
}

#[tokio::test]
async fn maximum_age_rejects_old_tokens() {
    let ed = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let config = json!({"key": ed.public_pem().unwrap(), "maximum_age": 600});
    let auth = fleet_auth(&[("JWT_CONFIG", &config.to_string())]);
    let mut old = claims("i", "a");
    old["iat"] = json!(now() - 3600);
    assert_eq!(
        auth.verify_token(&sign(&ed, &old)).await,
        Err(AuthError::TokenExpired)
    );
    assert!(
        auth.verify_token(&sign(&ed, &claims("i", "a")))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn jwt_header_picks_the_token_sources() {
    let ed = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let token = sign(&ed, &claims("i", "a"));
    let pem = ed.public_pem().unwrap();
    let find = async |auth: &UssoAuth, header: (&str, String)| {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::HeaderName::from_bytes(header.0.as_bytes()).unwrap(),
            header.1.parse().unwrap(),
        );
        auth.authenticate::<UserData>(&get_with(&headers)).await
    };
    // The package's default: Authorization (Bearer stripped), then the
    // `usso-access-token` cookie.
    let default = fleet_auth(&[("JWT_CONFIG", &json!({"key": pem}).to_string())]);
    assert!(
        find(&default, ("authorization", format!("Bearer {token}")))
            .await
            .is_ok()
    );
    assert!(
        find(&default, ("cookie", format!("usso-access-token={token}")))
            .await
            .is_ok()
    );

    let custom =
        json!({"key": pem, "jwt_header": {"header_name": "X-Access-Token", "cookie_name": "tok"}});
    let custom = fleet_auth(&[("JWT_CONFIG", &custom.to_string())]);
    assert!(
        find(&custom, ("x-access-token", token.clone()))
            .await
            .is_ok()
    );
    assert!(
        find(&custom, ("cookie", format!("tok={token}")))
            .await
            .is_ok()
    );
    assert_eq!(
        find(&custom, ("authorization", format!("Bearer {token}"))).await,
        Err(AuthError::TokenNotFound)
    );
    // The docs' spelling: `type` names the header, `prefix` its scheme;
    // `cookie_name: null` turns the cookie off.
    let docs = json!({"key": pem, "jwt_header": {"type": "X-Auth", "prefix": "Token", "cookie_name": null}});
    let docs = fleet_auth(&[("JWT_CONFIG", &docs.to_string())]);
    assert!(
        find(&docs, ("x-auth", format!("Token {token}")))
            .await
            .is_ok()
    );
    assert_eq!(
        find(&docs, ("cookie", format!("usso-access-token={token}"))).await,
        Err(AuthError::TokenNotFound)
    );
}

#[tokio::test]
async fn api_key_header_turns_api_keys_on_with_the_configured_endpoint() {
    let ed = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let pem = ed.public_pem().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("x-key", "k-123".parse().unwrap());
    // Without api_key_header: no API keys at all.
    let plain = fleet_auth(&[("JWT_CONFIG", &json!({"key": pem}).to_string())]);
    assert_eq!(
        plain.authenticate::<UserData>(&get_with(&headers)).await,
        Err(AuthError::TokenNotFound)
    );
    // With it, the key goes to the endpoint: here a closed port, so the
    // check fails, but not as "no credential".
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/verify", listener.local_addr().unwrap());
    drop(listener);
    let config =
        json!({"key": pem, "api_key_header": {"header_name": "X-Key", "verify_endpoint": closed}});
    let keyed = fleet_auth(&[("JWT_CONFIG", &config.to_string())]);
    let result = keyed.authenticate::<UserData>(&get_with(&headers)).await;
    assert!(
        matches!(&result, Err(e) if *e != AuthError::TokenNotFound),
        "{result:?}"
    );
    // USSO_BASE_URL supplies the package's default endpoint path.
    let config = json!({"key": pem, "api_key_header": {}});
    let env = [
        ("JWT_CONFIG", config.to_string()),
        ("USSO_BASE_URL", "https://sso.example.com".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(fleet(&env).unwrap().build().is_ok());
}

#[tokio::test]
async fn several_configs_are_bound_to_their_issuers() {
    let a = TestIssuer::builder().audience("svc").start().await;
    let b = TestIssuer::builder().audience("svc").start().await;
    let loose = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let configs = json!([
        jwks_config(&a),
        jwks_config(&b),
        {"key": loose.public_pem().unwrap(), "audience": "svc"},
    ]);
    let fleet = fleet(&[("JWT_CONFIGS", &configs.to_string())]).unwrap();
    assert_eq!(fleet.len(), 3);
    let auth = fleet.build().unwrap();
    // Each issuer's tokens, with its own keys.
    assert!(auth.verify_token(&a.token().mint()).await.is_ok());
    assert!(auth.verify_token(&b.token().mint()).await.is_ok());
    // `b`'s keys can't vouch for `a`'s issuer (the Python package, trying
    // every config in turn, accepts this token).
    let b_as_a = b.token().issuer(a.issuer()).mint();
    let err = auth.verify_token(&b_as_a).await.unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::UnknownKey { .. } | AuthError::InvalidSignature
        ),
        "{err:?}"
    );
    // Nor can the issuer-less static key.
    let loose_as_a = sign(&loose, &claims(a.issuer(), "svc"));
    assert!(auth.verify_token(&loose_as_a).await.is_err());
    // For issuers no config names, the issuer-less configs are tried.
    let loose_own = sign(&loose, &claims("https://elsewhere.example", "svc"));
    assert!(auth.verify_token(&loose_own).await.is_ok());
    let mut no_iss = claims("x", "svc");
    no_iss.as_object_mut().unwrap().remove("iss");
    assert!(auth.verify_token(&sign(&loose, &no_iss)).await.is_ok());
    // …and their rules still hold (audience), reporting the last error.
    assert_eq!(
        auth.verify_token(&sign(&loose, &claims("x", "other")))
            .await,
        Err(AuthError::InvalidAudience)
    );
    // Without issuer-less configs an unknown issuer is refused outright.
    let bound_only = json!([jwks_config(&a), jwks_config(&b)]);
    let bound_only = self::fleet_auth(&[("JWT_CONFIGS", &bound_only.to_string())]);
    assert_eq!(
        bound_only.verify_token(&loose_own).await,
        Err(AuthError::InvalidIssuer)
    );
    // Requests go through the same routing.
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {}", b.token().mint()).parse().unwrap(),
    );
    assert!(
        auth.authenticate::<UserData>(&get_with(&headers))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn one_issuer_in_two_configs_accepts_both_keys() {
    // Key rotation with static keys: the old and the new key, one issuer.
    let old = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let new = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let configs = json!([
        {"key": old.public_pem().unwrap(), "issuer": "svc"},
        {"key": new.public_pem().unwrap(), "issuer": "svc"},
    ]);
    let auth = fleet_auth(&[("JWT_CONFIGS", &configs.to_string())]);
    for key in [&old, &new] {
        assert!(
            auth.verify_token(&sign(key, &claims("svc", "a")))
                .await
                .is_ok()
        );
    }
    let stranger = SigningKey::generate(Algorithm::EdDSA).unwrap();
    assert_eq!(
        auth.verify_token(&sign(&stranger, &claims("svc", "a")))
            .await,
        Err(AuthError::InvalidSignature)
    );
}

#[tokio::test]
async fn with_adds_usso_settings_to_every_config() {
    let issuer = TestIssuer::builder().audience("svc").start().await;
    let config = jwks_config(&issuer).to_string();
    let auth = fleet(&[("JWT_CONFIG", &config)])
        .unwrap()
        .with(|c| c.token_cache(usso::TokenCacheOptions::default()))
        .build()
        .unwrap();
    let token = issuer.token().mint();
    for _ in 0..3 {
        assert!(auth.verify_token(&token).await.is_ok());
    }
    assert_eq!(auth.token_cache_stats().unwrap().hits, 2);
}

/// Captures what `tracing` writes while `f` runs.
fn logged<T>(f: impl FnOnce() -> T) -> (T, String) {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    (out, text)
}

#[test]
fn the_winning_variable_is_logged_and_no_secret_is() {
    let secret = "a-shared-secret-that-is-long-enough-for-hs256";
    let config =
        json!([{"key": secret, "type": "HS256"}, {"key": secret, "type": "HS256", "audience": "a"}]).to_string();
    let other =
        json!({"key": "another-secret-that-is-long-enough-xx", "type": "HS256"}).to_string();
    let (read, log) = logged(|| fleet(&[("JWT_CONFIGS", &config), ("JWT_CONFIG", &other)]));
    assert_eq!(read.unwrap().len(), 2);
    assert!(log.contains("INFO"), "{log}");
    assert!(log.contains("read from JWT_CONFIGS"), "{log}");
    assert!(log.contains("configs=2"), "{log}");
    assert!(
        !log.contains(secret) && !log.contains("another-secret"),
        "{log}"
    );

    let (_, log) = logged(|| fleet(&[("JWT_CONFIG", &other)]));
    assert!(log.contains("read from JWT_CONFIG"), "{log}");
    assert!(!log.contains("JWT_CONFIGS"), "{log}");
}

/// A `GET /` request's parts carrying `headers`.
fn get_with(headers: &HeaderMap) -> http::request::Parts {
    let (mut parts, ()) = http::Request::get("/").body(()).unwrap().into_parts();
    parts.headers = headers.clone();
    parts
}

#[tokio::test]
async fn the_packages_own_jwk_spelling_is_read() {
    // What `convert_key_to_jwk` makes of a PEM: OpenSSL curve names, every
    // number left-padded with zeros to 256 bytes.
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let pad = |v: &Value| {
        let bytes = B64.decode(v.as_str().unwrap()).unwrap();
        let mut padded = vec![0u8; 256 - bytes.len()];
        padded.extend_from_slice(&bytes);
        json!(B64.encode(padded))
    };
    for alg in [Algorithm::ES256, Algorithm::RS256] {
        let key = SigningKey::generate(alg).unwrap();
        let jwk = key.jwk();
        let package = if alg == Algorithm::ES256 {
            json!({"kty": "EC", "crv": "secp256r1", "x": pad(&jwk["x"]), "y": pad(&jwk["y"])})
        } else {
            json!({"kty": "RSA", "n": pad(&jwk["n"]), "e": pad(&jwk["e"])})
        };
        let config = json!({"key": package, "type": alg.as_str()});
        let auth = fleet_auth(&[("JWT_CONFIG", &config.to_string())]);
        let token = sign(&key, &claims("i", "a"));
        assert!(auth.verify_token(&token).await.is_ok(), "{alg}");
        let other = SigningKey::generate(alg).unwrap();
        assert_eq!(
            auth.verify_token(&sign(&other, &claims("i", "a"))).await,
            Err(AuthError::InvalidSignature),
            "{alg}"
        );
    }
    // Padding that isn't zeros is not stripped: the key is refused.
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let jwk = key.jwk();
    let mut x = B64.decode(jwk["x"].as_str().unwrap()).unwrap();
    x.insert(0, 1);
    let bad = json!({"key": {"kty": "EC", "crv": "P-256", "x": B64.encode(x), "y": jwk["y"]}, "type": "ES256"});
    assert!(matches!(
        fleet(&[("JWT_CONFIG", &bad.to_string())]),
        Err(ConfigError::InvalidField { field, .. }) if field == "key"
    ));
}
