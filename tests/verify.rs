//! The verification core through `UssoAuth`: every algorithm, every
//! rejection, and the RFC test vectors.

mod common;

use common::{b64, now};
use std::time::Duration;

use serde_json::{Value, json};
use usso::testing::SigningKey;
use usso::{Algorithm, AuthError, ConfigError, JwtConfig, Key, UserData, UssoAuth};

const ISS: &str = "https://sso.example.com";
const AUD: &str = "my-api";

fn claims() -> Value {
    let now = now();
    json!({
        "sub": "user:abc123", "iss": ISS, "aud": AUD, "iat": now, "nbf": now, "exp": now + 300,
        "jti": "j1", "token_type": "access", "tenant_id": "t1", "workspace_id": "ws1",
        "roles": ["editor"], "scopes": ["read:posts", "write:posts"],
    })
}

fn auth_with(key: Key, alg: Option<Algorithm>) -> UssoAuth {
    let mut b = JwtConfig::builder().key(key).issuer(ISS).audience(AUD);
    if let Some(alg) = alg {
        b = b.algorithm(alg);
    }
    UssoAuth::new(b.build().unwrap()).unwrap()
}

fn static_auth(key: &SigningKey) -> UssoAuth {
    auth_with(Key::pem(key.public_pem().unwrap()), Some(key.algorithm()))
}

async fn verify(auth: &UssoAuth, token: &str) -> Result<UserData, AuthError> {
    auth.verify_token(token).await
}

fn sign(key: &SigningKey, claims: &Value) -> String {
    key.sign_json(claims, None).unwrap()
}

#[tokio::test]
async fn every_algorithm_verifies_with_a_generated_key() {
    for alg in [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let key = SigningKey::generate(alg).unwrap();
        let auth = static_auth(&key);
        let user = verify(&auth, &sign(&key, &claims()))
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(user.sub.as_deref(), Some("user:abc123"), "{alg}");
        assert_eq!(user.scopes, ["read:posts", "write:posts"]);
        assert_eq!(user.workspace_id.as_deref(), Some("ws1"));
    }
}

#[tokio::test]
async fn hmac_algorithms_verify_with_an_explicit_secret() {
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let secret = b"a shared secret that is long enough for HS512: 64 bytes or more!!";
        let key = SigningKey::hmac(alg, secret);
        let auth = auth_with(Key::hmac_secret(secret), Some(alg));
        verify(&auth, &sign(&key, &claims()))
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        // The other HS algorithms are not accepted for a key pinned to this one.
        let other = if alg == Algorithm::HS256 {
            Algorithm::HS512
        } else {
            Algorithm::HS256
        };
        let other_key = SigningKey::hmac(other, secret);
        assert!(matches!(
            verify(&auth, &sign(&other_key, &claims())).await,
            Err(AuthError::TokenInvalid { .. })
        ));
    }
}

#[tokio::test]
async fn rsa_fixture_keys_of_2048_3072_and_4096_bits() {
    for bits in [2048, 3072, 4096] {
        for alg in [Algorithm::RS256, Algorithm::PS512] {
            let key =
                SigningKey::from_pem(alg, &fixture_text(&format!("rsa{bits}.key.pem"))).unwrap();
            let auth = auth_with(
                Key::pem(fixture_text(&format!("rsa{bits}.pub.pem"))),
                Some(alg),
            );
            verify(&auth, &sign(&key, &claims()))
                .await
                .unwrap_or_else(|e| panic!("{bits} {alg}: {e}"));
        }
    }
}

#[tokio::test]
async fn pem_certificate_pkcs1_jwk_and_raw_ed25519_keys() {
    let rsa = SigningKey::from_pem(Algorithm::RS256, &fixture_text("rsa2048.key.pem")).unwrap();
    let token = sign(&rsa, &claims());
    for key in [
        Key::pem(fixture_text("rsa2048.cert.pem")),
        Key::pem(fixture_text("rsa2048.pkcs1.pub.pem")),
        Key::parse(fixture_text("rsa2048.pub.pem")),
    ] {
        verify(&auth_with(key, None), &token).await.unwrap();
    }
    let jwk = SigningKey::generate(Algorithm::ES256).unwrap();
    verify(
        &auth_with(Key::jwk(jwk.jwk().to_string()), None),
        &sign(&jwk, &claims()),
    )
    .await
    .unwrap();

    let ed = SigningKey::from_pem(Algorithm::EdDSA, &fixture_text("ed25519.key.pem")).unwrap();
    let x = ed.jwk()["x"].as_str().unwrap().to_owned();
    let raw = base64_url_decode(&x);
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let std_b64 = base64_std(&raw);
    let token = sign(&ed, &claims());
    for encoded in [x.clone(), hex, std_b64] {
        verify(
            &auth_with(Key::ed25519(encoded.clone()), Some(Algorithm::EdDSA)),
            &token,
        )
        .await
        .unwrap();
        verify(&auth_with(Key::parse(encoded), None), &token)
            .await
            .unwrap();
    }
    verify(
        &auth_with(Key::pem(fixture_text("ed25519.pub.pem")), None),
        &token,
    )
    .await
    .unwrap();
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}
fn base64_std(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn config_errors_are_found_at_build() {
    assert_eq!(
        JwtConfig::builder().build().unwrap_err(),
        ConfigError::NoKeySource
    );
    assert_eq!(
        JwtConfig::builder()
            .jwks_url("https://a/jwks")
            .key(Key::ed25519("x"))
            .build()
            .unwrap_err(),
        ConfigError::BothKeySources
    );
    let bad = [
        (
            Key::pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            None,
        ),
        (Key::ed25519("not base64 !!"), None),
        (Key::pem(fixture_text("rsa2048.key.pem")), None),
        // An HS algorithm with an asymmetric key: the alg-confusion set-up.
        (
            Key::pem(fixture_text("rsa2048.pub.pem")),
            Some(Algorithm::HS256),
        ),
        (
            Key::pem(fixture_text("ed25519.pub.pem")),
            Some(Algorithm::RS256),
        ),
        (Key::hmac_secret(b"secret"), None),
        // Shorter than the hash output (RFC 7518 §3.2).
        (Key::hmac_secret([1u8; 16]), Some(Algorithm::HS256)),
        (Key::hmac_secret([1u8; 40]), Some(Algorithm::HS384)),
        (Key::jwk(r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#), None),
    ];
    for (key, alg) in bad {
        let mut b = JwtConfig::builder().key(key.clone());
        if let Some(alg) = alg {
            b = b.algorithm(alg);
        }
        assert!(
            matches!(b.build(), Err(ConfigError::InvalidKey { .. })),
            "{key:?} {alg:?}"
        );
    }
    assert!(matches!(
        JwtConfig::builder().jwks_url("ftp://x/jwks").build(),
        Err(ConfigError::InvalidUrl { .. })
    ));
    let jwks = || JwtConfig::builder().jwks_url("http://x/jwks");
    assert!(matches!(
        jwks()
            .issuer("i")
            .audience("a")
            .leeway(Duration::from_secs(3600))
            .build(),
        Err(ConfigError::InvalidSetting {
            setting: "leeway",
            ..
        })
    ));
    // A JWKS usually signs for every app of an identity server: audience and
    // issuer are required, or explicitly waived.
    assert!(matches!(
        jwks().issuer("i").build(),
        Err(ConfigError::InvalidSetting {
            setting: "audience",
            ..
        })
    ));
    assert!(matches!(
        jwks().audience("a").build(),
        Err(ConfigError::InvalidSetting {
            setting: "issuer",
            ..
        })
    ));
    assert!(jwks().verify_aud(false).verify_iss(false).build().is_ok());
}

/// Runs `from_env_probe` in a child process with exactly these variables:
/// edition 2024 makes mutating our own environment `unsafe`, which the
/// workspace forbids.
fn from_env_in_child(vars: &[(&str, &str)], expect: &str) {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--ignored", "--exact", "from_env_probe", "--test-threads=1"]);
    for k in ["USSO_JWKS_URL", "USSO_ISSUER", "USSO_AUDIENCE"] {
        cmd.env_remove(k);
    }
    cmd.envs(vars.iter().copied())
        .env("USSO_PROBE_EXPECT", expect);
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child failed for {expect}: {stdout}"
    );
}

#[test]
#[ignore = "run by from_env_names_the_missing_variable in a child process"]
fn from_env_probe() {
    let expect = std::env::var("USSO_PROBE_EXPECT").unwrap();
    match JwtConfig::from_env() {
        Err(ConfigError::MissingEnv { var }) => assert_eq!(expect, format!("missing {var}")),
        Ok(config) => {
            assert_eq!(expect, "ok");
            assert_eq!(config.audiences(), ["app1", "app2"]);
            assert_eq!(config.issuers(), ["http://127.0.0.1:9"]);
            assert_eq!(config.jwks_url(), Some("http://127.0.0.1:9/jwks.json"));
        }
        Err(other) => panic!("unexpected {other}"),
    }
}

#[test]
fn from_env_names_the_missing_variable() {
    let jwks = ("USSO_JWKS_URL", "http://127.0.0.1:9/jwks.json");
    let iss = ("USSO_ISSUER", "http://127.0.0.1:9");
    let aud = ("USSO_AUDIENCE", "app1, app2");
    from_env_in_child(&[], "missing USSO_JWKS_URL");
    from_env_in_child(&[jwks], "missing USSO_ISSUER");
    from_env_in_child(&[jwks, iss], "missing USSO_AUDIENCE");
    from_env_in_child(&[jwks, iss, aud], "ok");
}

/// Each case: the claims or header change, and the error it must produce.
#[tokio::test]
async fn each_failure_has_its_own_variant() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let auth = static_auth(&key);
    let now = now();
    let with = |k: &str, v: Value| {
        let mut c = claims();
        c[k] = v;
        sign(&key, &c)
    };
    let without = |k: &str| {
        let mut c = claims();
        c.as_object_mut().unwrap().remove(k);
        sign(&key, &c)
    };
    assert_eq!(
        verify(&auth, &with("exp", json!(now - 60))).await,
        Err(AuthError::TokenExpired)
    );
    // Within leeway (10 s) is still fine.
    assert!(verify(&auth, &with("exp", json!(now - 2))).await.is_ok());
    assert_eq!(
        verify(&auth, &with("nbf", json!(now + 600))).await,
        Err(AuthError::TokenNotYetValid)
    );
    assert_eq!(
        verify(&auth, &with("aud", json!("other-api"))).await,
        Err(AuthError::InvalidAudience)
    );
    assert_eq!(
        verify(&auth, &with("aud", json!(["x", "y"]))).await,
        Err(AuthError::InvalidAudience)
    );
    assert!(verify(&auth, &with("aud", json!(["x", AUD]))).await.is_ok());
    assert_eq!(
        verify(&auth, &without("aud")).await,
        Err(AuthError::InvalidAudience)
    );
    assert_eq!(
        verify(&auth, &with("iss", json!("https://evil.example"))).await,
        Err(AuthError::InvalidIssuer)
    );
    // The Python SDK accepts a token without `iss` when an issuer is configured; usso does not.
    assert_eq!(
        verify(&auth, &without("iss")).await,
        Err(AuthError::InvalidIssuer)
    );
    assert_invalid(verify(&auth, &without("exp")).await, "exp");
    assert_invalid(
        verify(&auth, &with("iat", json!(now + 3600))).await,
        "future",
    );
    assert_eq!(
        verify(&auth, &with("token_type", json!("refresh"))).await,
        Err(AuthError::InvalidTokenType {
            expected: vec!["access".into()],
            provided: Some("refresh".into()),
        })
    );
    // Wrong claim types are 401 invalid_token with a precise reason, never a panic.
    // The reason names the claim and the type it must have, not serde's internals.
    assert_invalid(
        verify(&auth, &with("roles", json!("admin"))).await,
        "claim `roles` must be a sequence, not a string",
    );
    assert_invalid(
        verify(&auth, &with("exp", json!("tomorrow"))).await,
        "claim `exp` must be",
    );
    assert_invalid(
        verify(&auth, &with("exp", json!(true))).await,
        "claim `exp` must be",
    );
    assert_invalid(
        verify(&auth, &with("sub", json!(["a"]))).await,
        "claim `sub` must be a string, not an array",
    );
    assert_invalid(verify(&auth, &with("aud", json!(7))).await, "aud");

    // A bad signature: one byte of the signature changed.
    let good = sign(&key, &claims());
    let mut bad = good.clone().into_bytes();
    let i = bad.len() - 5;
    bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        verify(&auth, std::str::from_utf8(&bad).unwrap()).await,
        Err(AuthError::InvalidSignature)
    );
    // Another key's signature.
    let other = SigningKey::generate(Algorithm::EdDSA).unwrap();
    assert_eq!(
        verify(&auth, &sign(&other, &claims())).await,
        Err(AuthError::InvalidSignature)
    );
}

fn assert_invalid(result: Result<UserData, AuthError>, needle: &str) {
    match result {
        Err(AuthError::TokenInvalid { reason }) => {
            assert!(
                reason.contains(needle),
                "reason {reason:?} lacks {needle:?}"
            )
        }
        other => panic!("expected TokenInvalid({needle}), got {other:?}"),
    }
}

#[tokio::test]
async fn hostile_tokens_are_rejected_with_reasons() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let auth = static_auth(&key);
    let payload = b64(claims().to_string().as_bytes());
    let good = sign(&key, &claims());
    let sig = good.rsplit('.').next().unwrap();

    for none in ["none", "None", "NONE"] {
        let head = b64(format!(r#"{{"alg":"{none}"}}"#).as_bytes());
        assert_invalid(verify(&auth, &format!("{head}.{payload}.")).await, "none");
        assert_invalid(
            verify(&auth, &format!("{head}.{payload}.{sig}")).await,
            "none",
        );
    }
    let array_header = b64(br#"["EdDSA"]"#);
    assert_invalid(
        verify(&auth, &format!("{array_header}.{payload}.{sig}")).await,
        "JSON object",
    );
    let crit = b64(br#"{"alg":"EdDSA","crit":["exp"],"exp":1}"#);
    assert_invalid(
        verify(&auth, &format!("{crit}.{payload}.{sig}")).await,
        "critical",
    );
    assert_invalid(verify(&auth, "not-a-jwt").await, "three");
    assert_invalid(verify(&auth, "a.b.c.d.e").await, "JWE");
    assert_invalid(verify(&auth, "!!!.e30.sig").await, "base64");
    let not_json = b64(b"{not json");
    assert_invalid(
        verify(&auth, &format!("{not_json}.{payload}.{sig}")).await,
        "header",
    );
    // Payload that isn't JSON, correctly signed.
    let head = good.split('.').next().unwrap();
    let body = b64(b"[1,2,3]");
    let input = format!("{head}.{body}");
    let s = b64(&key.sign_bytes(Algorithm::EdDSA, input.as_bytes()).unwrap());
    assert_invalid(verify(&auth, &format!("{input}.{s}")).await, "JSON object");
    // Oversize token: rejected before decoding.
    let big = format!("{}.{}.{}", "e".repeat(5000), "e".repeat(5000), "e");
    assert_invalid(verify(&auth, &big).await, "larger than");
    // A header claiming a different algorithm than the key's.
    let lying = key.sign_json(
        &claims(),
        Some(&serde_json::from_value(json!({"alg": "ES256"})).unwrap()),
    );
    assert_invalid(verify(&auth, &lying.unwrap()).await, "not allowed");
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_rejected() {
    let pem = fixture_text("rsa2048.pub.pem");
    let der = std::fs::read(format!(
        "{}/tests/fixtures/rsa2048.pub.der",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let auth = auth_with(Key::pem(pem.clone()), Some(Algorithm::RS256));
    for secret in [pem.as_bytes(), &der[..]] {
        let forged = SigningKey::hmac(Algorithm::HS256, secret);
        assert_invalid(
            verify(&auth, &sign(&forged, &claims())).await,
            "not allowed",
        );
    }
    // HS256 against EdDSA and EC keys.
    for alg in [Algorithm::EdDSA, Algorithm::ES256] {
        let key = SigningKey::generate(alg).unwrap();
        let auth = static_auth(&key);
        let forged = SigningKey::hmac(Algorithm::HS256, key.public_pem().unwrap().as_bytes());
        assert_invalid(
            verify(&auth, &sign(&forged, &claims())).await,
            "not allowed",
        );
    }
}

#[tokio::test]
async fn wrong_key_type_is_rejected() {
    let ec = SigningKey::generate(Algorithm::ES256).unwrap();
    let ed = SigningKey::generate(Algorithm::EdDSA).unwrap();
    assert_invalid(
        verify(&static_auth(&ed), &sign(&ec, &claims())).await,
        "not allowed",
    );
}

#[tokio::test]
async fn usso_token_shapes_verify() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let now = now();
    // Lite-server token: plain-string iss/aud, bare UUID sub, nested custom claims.
    let lite_only = |iss: &str, aud: &str| {
        let config = JwtConfig::builder()
            .key(Key::pem(key.public_pem().unwrap()))
            .issuer(iss)
            .audience(aud);
        UssoAuth::new(config.build().unwrap()).unwrap()
    };
    let auth = lite_only("usso-lite", "usso-lite");
    let lite = json!({
        "jti": "x", "token_type": "access", "iss": "usso-lite", "aud": "usso-lite", "iat": now, "nbf": now,
        "exp": now + 60, "sub": "7f2c1c5e-6a4e-4c2b-9a53-2a0f5f3a9d11", "session_id": "s", "roles": ["user"],
        "scopes": [], "amr": ["pwd"], "acr": "1", "claims": {"plan": "pro"}, "user_id": "u1",
        "user_name": "ann", "email": "a@x", "phone": "+1", "username": "ann",
    });
    let user = verify(&auth, &sign(&key, &lite)).await.unwrap();
    assert_eq!(user.user_id(), Some("u1"));
    assert_eq!(user.extra["claims"]["plan"], "pro");
    // Agent token: header alg "ED25519", no sub/roles/token_type, iss = agent id.
    let agent = json!({"scopes": ["read:x"], "aud": "svc", "exp": now + 300, "nbf": now, "iat": now,
        "jti": "j", "tenant_id": "t", "iss": "agent-42"});
    let header = serde_json::from_value(json!({"alg": "ED25519"})).unwrap();
    let token = key.sign_json(&agent, Some(&header)).unwrap();
    let user = verify(&lite_only("agent-42", "svc"), &token).await.unwrap();
    assert_eq!(user.sub, None);
    assert_eq!(user.user_id(), None);
    assert_eq!(user.iss.as_deref(), Some("agent-42"));
    // OAuth2 `scope` string.
    let auth = UssoAuth::new(
        JwtConfig::builder()
            .key(Key::pem(key.public_pem().unwrap()))
            .build()
            .unwrap(),
    )
    .unwrap();
    let oauth = json!({"sub": "s", "exp": now + 60, "scope": "a:b c:d"});
    assert_eq!(
        verify(&auth, &sign(&key, &oauth)).await.unwrap().scopes,
        ["a:b", "c:d"]
    );
}

#[tokio::test]
async fn custom_claims_type() {
    #[derive(Debug, Clone, serde::Deserialize)]
    struct CustomUserData {
        #[serde(flatten)]
        base: UserData,
        company_id: Option<String>,
        #[serde(default)]
        custom_permissions: Vec<String>,
    }
    impl usso::Claims for CustomUserData {
        fn user_data(&self) -> &UserData {
            &self.base
        }
    }
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let auth = static_auth(&key);
    let mut c = claims();
    c["company_id"] = json!("acme");
    c["custom_permissions"] = json!(["x"]);
    let user: CustomUserData = auth.verify_token_as(&sign(&key, &c)).await.unwrap();
    assert_eq!(user.company_id.as_deref(), Some("acme"));
    assert_eq!(user.custom_permissions, ["x"]);
    assert!(user.base.has_role("editor"));
    // Registered-claim rules still apply through the flattened UserData.
    c["exp"] = json!(now() - 100);
    let err = auth
        .verify_token_as::<CustomUserData>(&sign(&key, &c))
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::TokenExpired);
}

/// RFC 8037 A.4: its payload is not JSON, so a correct signature shows up as
/// a claims error, and a wrong one as `InvalidSignature`.
#[tokio::test]
async fn rfc8037_ed25519_vector() {
    let auth = UssoAuth::new(
        JwtConfig::builder()
            .key(Key::jwk(r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#))
            .verify_exp(false)
            .require_exp(false)
            .build()
            .unwrap(),
    )
    .unwrap();
    let jws = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    assert_invalid(verify(&auth, jws).await, "JSON object");
    let tampered = jws.replace(".hgyY", ".hgyZ");
    assert_eq!(
        verify(&auth, &tampered).await,
        Err(AuthError::InvalidSignature)
    );
}

fn vector_auth(jwk: &str) -> UssoAuth {
    UssoAuth::new(
        JwtConfig::builder()
            .key(Key::jwk(jwk))
            .verify_exp(false)
            .issuer("joe")
            .build()
            .unwrap(),
    )
    .unwrap()
}

/// RFC 7515 A.2 (RS256) and A.3 (ES256), with the time checks off.
#[tokio::test]
async fn rfc7515_rs256_and_es256_vectors() {
    let rs = vector_auth(
        r#"{"kty":"RSA","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"}"#,
    );
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    let user = verify(&rs, token).await.unwrap();
    assert_eq!(user.iss.as_deref(), Some("joe"));
    assert_eq!(user.exp, Some(usso::NumericDate::from_secs(1_300_819_380)));
    assert_eq!(user.extra["http://example.com/is_root"], true);

    let es = vector_auth(
        r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
    );
    let token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    let user = verify(&es, token).await.unwrap();
    assert_eq!(user.iss.as_deref(), Some("joe"));
    // And the same vector is expired once the time check is on.
    let strict = UssoAuth::new(
        JwtConfig::builder()
            .key(Key::jwk(r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#))
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(verify(&strict, token).await, Err(AuthError::TokenExpired));
}

#[test]
fn sync_verification_with_a_static_key() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let auth = static_auth(&key);
    let user: UserData = auth.verify_token_sync(&sign(&key, &claims())).unwrap();
    assert_eq!(user.tenant_id.as_deref(), Some("t1"));
}

#[test]
fn errors_have_status_code_and_detail_without_the_token() {
    let cases: [(AuthError, u16, &str); 6] = [
        (AuthError::TokenNotFound, 401, "token_not_found"),
        (AuthError::InvalidSignature, 401, "invalid_signature"),
        (
            AuthError::UnknownKey { kid: "k".into() },
            401,
            "unknown_key",
        ),
        (
            AuthError::InsufficientScope {
                required: vec!["write:posts".into()],
            },
            403,
            "insufficient_scope",
        ),
        (AuthError::WorkspaceRequired, 403, "workspace_required"),
        (
            AuthError::KeysUnavailable {
                retry_after: Duration::from_secs(5),
            },
            503,
            "keys_unavailable",
        ),
    ];
    for (err, status, code) in cases {
        assert_eq!(err.status().as_u16(), status);
        assert_eq!(err.code(), code);
        assert!(!err.to_string().is_empty());
    }
}

#[tokio::test]
async fn typ_header_and_max_age_rules() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let config = || {
        JwtConfig::builder()
            .key(Key::pem(key.public_pem().unwrap()))
            .issuer(ISS)
            .audience(AUD)
    };
    let typed = UssoAuth::new(config().typ("at+jwt").build().unwrap()).unwrap();
    let with_typ = |typ: &str| {
        let header = serde_json::from_value(json!({ "typ": typ })).unwrap();
        key.sign_json(&claims(), Some(&header)).unwrap()
    };
    assert!(verify(&typed, &with_typ("at+jwt")).await.is_ok());
    assert!(
        verify(&typed, &with_typ("application/AT+JWT"))
            .await
            .is_ok()
    );
    assert_invalid(verify(&typed, &with_typ("JWT")).await, "typ");

    let aged = UssoAuth::new(config().max_age(Duration::from_secs(60)).build().unwrap()).unwrap();
    assert!(verify(&aged, &sign(&key, &claims())).await.is_ok());
    let mut old = claims();
    old["iat"] = json!(now() - 3600);
    assert_eq!(
        verify(&aged, &sign(&key, &old)).await,
        Err(AuthError::TokenExpired)
    );
    old.as_object_mut().unwrap().remove("iat");
    assert_invalid(verify(&aged, &sign(&key, &old)).await, "iat");
}

#[tokio::test]
async fn a_claim_repeated_in_the_payload_is_rejected() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let auth = static_auth(&key);
    let exp = now() + 60;
    let payload =
        format!(r#"{{"sub":"user:a","sub":"user:admin","exp":{exp},"iss":"{ISS}","aud":"{AUD}"}}"#);
    let head = b64(br#"{"alg":"EdDSA"}"#);
    let input = format!("{head}.{}", b64(payload.as_bytes()));
    let sig = b64(&key.sign_bytes(Algorithm::EdDSA, input.as_bytes()).unwrap());
    assert_invalid(
        verify(&auth, &format!("{input}.{sig}")).await,
        "more than once",
    );
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(common::fixture(name)).unwrap()
}
