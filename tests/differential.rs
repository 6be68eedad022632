//! usso's hand-written verifier against `jsonwebtoken::decode`, side by side
//! on the same keys and the same validation settings.
//!
//! Inputs: the fuzz seeds (with the fuzz keys), and systematic mutations of
//! valid tokens for every algorithm family: header and claim edge cases,
//! every character of the token replaced, base64 padding variants, duplicate
//! keys, big numbers, `aud` arrays. Every case carries a label; the two
//! verifiers must agree on accept/reject for every case, except the labels
//! in [`STRICTER`] (usso refuses what jsonwebtoken accepts, on purpose) and
//! [`ALIAS`] (the one spelling usso accepts for USSO's agent tokens). Each of
//! those must also show its difference at least once, so the list in
//! `SECURITY.md` is exact, not padded.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Once;
use std::time::Duration;

use common::{b64, now};
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Value, json};
use usso::testing::SigningKey;
use usso::{Algorithm, JwtConfig, Key, UserData, UssoAuth};

/// Where usso is deliberately stricter, and why (mirrored in SECURITY.md).
const STRICTER: &[(&str, &str)] = &[
    (
        "crit",
        "usso understands no JWS extension, so any `crit` (RFC 7515 §4.1.11) fails",
    ),
    (
        "iat_in_the_future",
        "a token issued in the future (beyond the leeway) is refused",
    ),
    (
        "claim_types",
        "USSO claims have types: `sub` a string, `roles`/`scopes` lists of strings",
    ),
    (
        "duplicate_claims",
        "a claim appearing twice is ambiguous (first or last wins?), so refused",
    ),
    (
        "token_size",
        "tokens over 8 KiB are refused before any parsing",
    ),
    (
        "small_order_key",
        "an Ed25519 small-order public key is refused at load; with it, anyone can sign",
    ),
    (
        "kid_names_another_key",
        "a key with a `kid` verifies only tokens that name it (or none); jsonwebtoken ignores `kid` when given a key",
    ),
    (
        "iss_array",
        "`iss` is one StringOrURI (RFC 7519 §4.1.1); jsonwebtoken also takes a list",
    ),
    (
        "token_type",
        "a USSO `token_type` other than `access` (a refresh token) is not an access token",
    ),
];

/// The one spelling usso accepts and jsonwebtoken doesn't: `alg: ED25519`,
/// which the Python package's agent tokens carry.
const ALIAS: &str = "alg_ed25519_alias";

const ISSUER: &str = "https://issuer.differential.test";
const AUDIENCE: &str = "differential-api";
const LEEWAY: u64 = 10;

fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
    alg.as_str().parse().unwrap()
}

/// One key, as both verifiers see it.
struct Pair {
    alg: Algorithm,
    signer: SigningKey,
    usso: Option<UssoAuth>,
    jwt: DecodingKey,
    issuer: &'static str,
    audience: &'static str,
}

fn install_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
        );
    });
}

fn decoding_key(alg: Algorithm, jwk: &Value, secret: &[u8]) -> DecodingKey {
    let s = |k: &str| jwk[k].as_str().unwrap();
    match alg {
        Algorithm::EdDSA => DecodingKey::from_ed_components(s("x")).unwrap(),
        Algorithm::ES256 | Algorithm::ES384 => {
            DecodingKey::from_ec_components(s("x"), s("y")).unwrap()
        }
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            DecodingKey::from_secret(secret).unwrap()
        }
        _ => DecodingKey::from_rsa_components(s("n"), s("e")).unwrap(),
    }
}

fn usso_auth(alg: Algorithm, key: Key, issuer: &str, audience: &str) -> Option<UssoAuth> {
    let config = JwtConfig::builder()
        .key(key)
        .algorithm(alg)
        .issuer(issuer)
        .audience(audience)
        .leeway(Duration::from_secs(LEEWAY))
        .build()
        .ok()?;
    UssoAuth::new(config).ok()
}

fn pair(
    alg: Algorithm,
    signer: SigningKey,
    secret: &[u8],
    issuer: &'static str,
    audience: &'static str,
) -> Pair {
    let (usso_key, jwt) = if alg.is_symmetric() {
        (
            Key::hmac_secret(secret),
            DecodingKey::from_secret(secret).unwrap(),
        )
    } else {
        let jwk = signer.jwk();
        (Key::jwk(jwk.to_string()), decoding_key(alg, &jwk, secret))
    };
    Pair {
        alg,
        usso: usso_auth(alg, usso_key, issuer, audience),
        signer,
        jwt,
        issuer,
        audience,
    }
}

impl Pair {
    fn verdicts(&self, token: &str) -> (bool, bool) {
        let usso = self
            .usso
            .as_ref()
            .is_some_and(|auth| auth.verify_token_sync::<UserData>(token).is_ok());
        let mut validation = Validation::new(jwt_alg(self.alg));
        validation.set_issuer(&[self.issuer]);
        validation.set_audience(&[self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY;
        let jwt = jsonwebtoken::decode::<Value>(token, &self.jwt, &validation).is_ok();
        (usso, jwt)
    }

    /// Signs raw header and payload JSON text, as given.
    fn sign_raw(&self, header: &str, payload: &str) -> String {
        let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let signature = self.signer.sign_bytes(self.alg, input.as_bytes()).unwrap();
        format!("{input}.{}", b64(&signature))
    }

    fn header(&self) -> Value {
        json!({"alg": self.alg.as_str(), "typ": "JWT"})
    }

    fn claims(&self) -> Value {
        let now = now();
        json!({
            "iss": self.issuer, "aud": self.audience, "sub": "user:diff",
            "token_type": "access", "iat": now - 5, "nbf": now - 5, "exp": now + 3600,
            "jti": "diff-1", "roles": ["editor"], "scopes": ["read:posts"],
        })
    }

    fn sign(&self, header: &Value, claims: &Value) -> String {
        self.sign_raw(&header.to_string(), &claims.to_string())
    }
}

/// A labelled input.
type Case = (&'static str, String);

fn with(mut value: Value, key: &str, v: Value) -> Value {
    value[key] = v;
    value
}

fn without(mut value: Value, key: &str) -> Value {
    value.as_object_mut().unwrap().remove(key);
    value
}

/// The systematic mutations of one key's valid token.
fn mutations(p: &Pair) -> Vec<Case> {
    let (h, c) = (p.header(), p.claims());
    let now = now();
    let mut cases: Vec<Case> = vec![("valid", p.sign(&h, &c))];
    // Header: every algorithm name (the key's own signature), spelling, kid, typ.
    for alg in Algorithm::ALL {
        cases.push((
            "alg_other",
            p.sign(&with(h.clone(), "alg", alg.as_str().into()), &c),
        ));
        let lower = alg.as_str().to_lowercase();
        cases.push((
            "alg_case",
            p.sign(&with(h.clone(), "alg", lower.into()), &c),
        ));
    }
    for alg in ["none", "None", "", "RS1", "HS256 "] {
        cases.push(("alg_other", p.sign(&with(h.clone(), "alg", alg.into()), &c)));
    }
    cases.push(("alg_other", p.sign(&with(h.clone(), "alg", 256.into()), &c)));
    cases.push(("alg_other", p.sign(&without(h.clone(), "alg"), &c)));
    if p.alg == Algorithm::EdDSA {
        cases.push((ALIAS, p.sign(&with(h.clone(), "alg", "ED25519".into()), &c)));
        cases.push((
            "alg_case",
            p.sign(&with(h.clone(), "alg", "Ed25519".into()), &c),
        ));
    }
    for (name, value) in [
        ("typ", json!("at+jwt")),
        ("typ", json!(7)),
        ("kid", json!(p.signer.kid())),
        ("kid", json!(42)),
        ("cty", json!("JWT")),
        ("jku", json!("https://evil.example/jwks")),
        ("x5u", json!("https://evil.example/cert")),
        ("zip", json!("DEF")),
    ] {
        cases.push(("header_fields", p.sign(&with(h.clone(), name, value), &c)));
    }
    cases.push(("header_fields", p.sign(&without(h.clone(), "typ"), &c)));
    for kid in ["", "k1"] {
        cases.push((
            "kid_names_another_key",
            p.sign(&with(h.clone(), "kid", kid.into()), &c),
        ));
    }
    for crit in [json!(["exp"]), json!([]), Value::Null, json!("b64")] {
        cases.push(("crit", p.sign(&with(h.clone(), "crit", crit), &c)));
    }
    let alg = p.alg.as_str();
    let payload = c.to_string();
    for header in [
        format!(r#"{{"alg":"{alg}","alg":"{alg}"}}"#),
        format!(r#"{{"alg":"{alg}","alg":"none"}}"#),
        format!(r#"["{alg}"]"#),
        "null".to_owned(),
        format!(r#"  {{ "alg" : "{alg}" }}  "#),
        format!(r#"{{"alg":"{alg}"}}garbage"#),
    ] {
        cases.push(("header_json", p.sign_raw(&header, &payload)));
    }
    // Claims: times at and around the leeway, registered-claim types, aud arrays.
    let leeway = LEEWAY as i64;
    for (label, claims) in [
        ("exp", with(c.clone(), "exp", (now - 3600).into())),
        ("exp", with(c.clone(), "exp", (now - leeway - 5).into())),
        ("exp", with(c.clone(), "exp", (now - leeway + 5).into())),
        ("exp", without(c.clone(), "exp")),
        ("exp", with(c.clone(), "exp", json!("2099999999"))),
        ("exp", with(c.clone(), "exp", json!(null))),
        ("exp", with(c.clone(), "exp", json!(-1))),
        ("exp", with(c.clone(), "exp", json!(i64::MAX))),
        ("exp", with(c.clone(), "exp", json!(u64::MAX))),
        ("nbf", with(c.clone(), "nbf", (now + 3600).into())),
        ("nbf", with(c.clone(), "nbf", (now + leeway - 5).into())),
        ("nbf", with(c.clone(), "nbf", (now + leeway + 5).into())),
        ("nbf", without(c.clone(), "nbf")),
        (
            "fractional_dates",
            with(c.clone(), "exp", json!(now as f64 + 3600.5)),
        ),
        (
            "fractional_dates",
            with(c.clone(), "nbf", json!(now as f64 - 5.25)),
        ),
        ("exp", with(c.clone(), "exp", json!(now as f64 - 3600.5))),
        (
            "iat_in_the_future",
            with(c.clone(), "iat", (now + 3600).into()),
        ),
        ("iat", with(c.clone(), "iat", (now - 3600).into())),
        ("iat", without(c.clone(), "iat")),
        (
            "iss",
            with(c.clone(), "iss", "https://other.example".into()),
        ),
        ("iss", without(c.clone(), "iss")),
        ("iss_array", with(c.clone(), "iss", json!([p.issuer]))),
        ("iss", with(c.clone(), "iss", json!(7))),
        ("aud", with(c.clone(), "aud", "other-api".into())),
        ("aud", without(c.clone(), "aud")),
        ("aud", with(c.clone(), "aud", json!([p.audience, "other"]))),
        ("aud", with(c.clone(), "aud", json!(["other", p.audience]))),
        ("aud", with(c.clone(), "aud", json!(["other"]))),
        ("aud", with(c.clone(), "aud", json!([]))),
        ("aud", with(c.clone(), "aud", json!(7))),
        ("claim_types", with(c.clone(), "sub", json!(42))),
        ("claim_types", with(c.clone(), "roles", json!("admin"))),
        ("claim_types", with(c.clone(), "scopes", json!([1, 2]))),
        (
            "claims_extra",
            with(c.clone(), "custom", json!({"nested": [1, {"a": null}]})),
        ),
        (
            "claims_extra",
            with(c.clone(), "big", json!(123_456_789_012_345_678_u64)),
        ),
    ] {
        cases.push((label, p.sign(&h, &claims)));
    }
    let header = h.to_string();
    let exp = now + 3600;
    let head = format!(
        r#"{{"iss":"{}","aud":"{}","exp":{exp}"#,
        p.issuer, p.audience
    );
    for (label, claims) in [
        (
            "duplicate_claims",
            format!(r#"{head},"sub":"a","sub":"b"}}"#),
        ),
        (
            "duplicate_claims",
            format!(r#"{head},"roles":[],"roles":["admin"]}}"#),
        ),
        ("claims_json", format!(r#"{head},"exp":{exp}}}"#)),
        ("claims_json", format!(r#"{head},"exp":1e400}}"#)),
        ("claims_json", format!(r#"{head},"n":1e400}}"#)),
        ("claims_json", format!(r#"{head}}}trailing"#)),
        ("claims_json", "[1,2,3]".to_owned()),
        ("claims_json", "\"text\"".to_owned()),
        ("claims_json", format!("\u{feff}{head}}}")),
    ] {
        cases.push((label, p.sign_raw(&header, &claims)));
    }
    // A big claim: just under and just over 8 KiB of token.
    for (label, size) in [("claims_extra", 5_000), ("token_size", 7_000)] {
        let claims = with(c.clone(), "padding", "x".repeat(size).into());
        cases.push((label, p.sign(&h, &claims)));
    }
    // Encoding: every character replaced, padding, segment counts.
    let valid = p.sign(&h, &c);
    for i in 0..valid.len() {
        let mut bytes = valid.clone().into_bytes();
        bytes[i] = match bytes[i] {
            b'.' => b'A',
            b'A' => b'B',
            _ => b'A',
        };
        cases.push(("flip", String::from_utf8(bytes).unwrap()));
    }
    let parts: Vec<&str> = valid.split('.').collect();
    for i in 0..3 {
        for pad in ["=", "=="] {
            let mut padded: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
            padded[i].push_str(pad);
            cases.push(("encoding", padded.join(".")));
        }
    }
    let standard = valid.replace('-', "+").replace('_', "/");
    for token in [
        format!("{valid}."),
        format!(".{valid}"),
        parts[..2].join("."),
        format!("{}.{}.", parts[0], parts[1]),
        format!(" {valid}"),
        format!("{valid}\n"),
        standard,
    ] {
        cases.push(("encoding", token));
    }
    cases
}

/// The Ed25519 identity point as a public key, and a token "signed" for
/// it with `R = identity, S = 0`.
fn small_order_case() -> (bool, bool) {
    let mut x = [0u8; 32];
    x[0] = 1;
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&x)});
    let usso = usso_auth(
        Algorithm::EdDSA,
        Key::jwk(jwk.to_string()),
        ISSUER,
        AUDIENCE,
    );
    let header = b64(json!({"alg": "EdDSA"}).to_string().as_bytes());
    let payload = b64(
        json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "forged", "exp": now() + 60})
            .to_string()
            .as_bytes(),
    );
    let mut signature = [0u8; 64];
    signature[0] = 1;
    let token = format!("{header}.{payload}.{}", b64(&signature));
    let usso_ok = usso.is_some_and(|a| a.verify_token_sync::<UserData>(&token).is_ok());
    let mut validation = Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    let jwt_ok = jsonwebtoken::decode::<Value>(
        &token,
        &DecodingKey::from_ed_components(&b64(&x)).unwrap(),
        &validation,
    )
    .is_ok();
    (usso_ok, jwt_ok)
}

/// The fuzz seeds, against the fuzz keys and the fuzz authenticators' rules.
fn seed_cases() -> Vec<(Pair, Vec<Case>)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");
    let seeds: Vec<Case> = std::fs::read_dir(format!("{root}/seeds/token_verify"))
        .expect("the fuzz seeds are committed")
        .map(|entry| {
            let path = entry.unwrap().path();
            let label = match path.file_name().unwrap().to_str().unwrap() {
                "crit" => "crit",
                "unknown-kid" => "kid_names_another_key",
                "refresh-type" => "token_type",
                _ => "seed",
            };
            let bytes = std::fs::read(&path).unwrap();
            (label, String::from_utf8_lossy(&bytes).trim().to_owned())
        })
        .collect();
    assert!(seeds.len() >= 10, "fuzz seeds: {}", seeds.len());
    let key = |alg, file: &str, kid: &str| {
        let pem = std::fs::read_to_string(format!("{root}/keys/{file}")).unwrap();
        SigningKey::from_pem(alg, &pem).unwrap().with_kid(kid)
    };
    let (iss, aud) = ("https://sso.fuzz.test", "fuzz-api");
    let secret = b"usso-fuzz-hmac-secret-0123456789abcdef";
    vec![
        (
            pair(
                Algorithm::EdDSA,
                key(Algorithm::EdDSA, "ed25519.pem", "fuzz-ed25519"),
                secret,
                iss,
                aud,
            ),
            seeds.clone(),
        ),
        (
            pair(
                Algorithm::ES256,
                key(Algorithm::ES256, "p256.pem", "fuzz-p256"),
                secret,
                iss,
                aud,
            ),
            seeds.clone(),
        ),
        (
            pair(
                Algorithm::RS256,
                key(Algorithm::RS256, "rsa2048.pem", "fuzz-rsa"),
                secret,
                iss,
                aud,
            ),
            seeds.clone(),
        ),
        (
            pair(
                Algorithm::HS256,
                SigningKey::hmac(Algorithm::HS256, secret).with_kid("fuzz-hmac"),
                secret,
                iss,
                aud,
            ),
            seeds,
        ),
    ]
}

#[test]
fn usso_decides_like_jsonwebtoken_except_where_listed() {
    install_provider();
    let secret = [0x5a_u8; 64];
    let mut runs: Vec<(Pair, Vec<Case>)> = Vec::new();
    for alg in [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::HS256,
        Algorithm::HS512,
    ] {
        let signer = if alg.is_symmetric() {
            SigningKey::hmac(alg, &secret)
        } else {
            SigningKey::generate(alg).unwrap()
        };
        let p = pair(alg, signer, &secret, ISSUER, AUDIENCE);
        assert!(p.usso.is_some(), "{alg}: usso refused a good key");
        let cases = mutations(&p);
        runs.push((p, cases));
    }
    runs.extend(seed_cases());

    let stricter: BTreeMap<&str, &str> = STRICTER.iter().copied().collect();
    let mut differed: BTreeSet<&str> = BTreeSet::new();
    let mut unexpected = Vec::new();
    let mut accepted_by_both = 0;
    let mut total = 0;
    for (p, cases) in &runs {
        for (label, token) in cases {
            total += 1;
            let (usso, jwt) = p.verdicts(token);
            accepted_by_both += usize::from(usso && jwt);
            if usso == jwt {
                continue;
            }
            let allowed =
                (stricter.contains_key(label) && !usso && jwt) || (*label == ALIAS && usso && !jwt);
            if allowed {
                differed.insert(label);
            } else {
                unexpected.push(format!(
                    "{} {label}: usso {usso}, jsonwebtoken {jwt}: {token:.120}",
                    p.alg
                ));
            }
        }
    }
    let (usso, jwt) = small_order_case();
    total += 1;
    assert_eq!((usso, jwt), (false, true), "the small-order forgery");
    differed.insert("small_order_key");

    assert!(
        unexpected.is_empty(),
        "{} disagreements:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    let listed: BTreeSet<&str> = stricter.keys().copied().chain([ALIAS]).collect();
    assert_eq!(
        differed, listed,
        "every listed difference must show up, and nothing else"
    );
    // The comparison is not vacuous: valid tokens of every family pass both.
    assert!(
        accepted_by_both >= 7 * 10,
        "accepted by both: {accepted_by_both} of {total}"
    );
}
