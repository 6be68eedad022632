//! Token parse and verify, against a static Ed25519 key, a static HMAC
//! secret (with the verified-token cache on) and a JWKS-backed key set
//! (preloaded; nothing is fetched).
//!
//! Every input is used twice: as the token text itself (lossy UTF-8), and
//! decoded by `arbitrary` into a token assembled from parts, optionally
//! signed with one of the fixed keys, so that the fuzzer reaches the
//! signature and claim checks. Properties checked on every accepted token:
//! its `iss`/`aud`/`exp` satisfy the configuration, its header `alg` is one
//! the key allows, and a cache hit never changes the answer. Side by side,
//! `jsonwebtoken::decode` with the same keys and rules must reach the same
//! verdict, except for the cases listed in SECURITY.md §7.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use usso::{AuthError, UserData, UssoAuth};
use usso_fuzz::{AUDIENCE, ISSUER, KID_ED, KID_ES, KID_HS, KID_RS, b64, keys, now};

#[derive(Arbitrary, Debug)]
enum Alg {
    EdDSA,
    ES256,
    RS256,
    PS256,
    HS256,
    HS512,
    None,
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Kid {
    Absent,
    Ed,
    Es,
    Rs,
    Hs,
    Null,
    Number(i64),
    Text(String),
}

#[derive(Arbitrary, Debug)]
struct HeaderSpec {
    alg: Alg,
    kid: Kid,
    typ: Option<String>,
    crit: Option<Vec<String>>,
    extra: Option<(String, Leaf)>,
}

/// A JSON value of a fuzzed shape.
#[derive(Arbitrary, Debug)]
enum Leaf {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<String>),
    Object(Vec<(String, String)>),
}

impl Leaf {
    fn json(self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => b.into(),
            Self::Int(i) => i.into(),
            Self::Float(f) => f.into(),
            Self::Text(s) => s.into(),
            Self::List(l) => l.into(),
            Self::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, v.into())).collect()),
        }
    }
}

/// `iss` or `aud`: the accepted value, a list holding it, or anything.
#[derive(Arbitrary, Debug)]
enum Named {
    Absent,
    Accepted,
    InList(Vec<String>),
    Other(Leaf),
}

/// A time claim, relative to now when it is an offset.
#[derive(Arbitrary, Debug)]
enum Time {
    Absent,
    Offset(i32),
    Absolute(i64),
    Other(Leaf),
}

#[derive(Arbitrary, Debug)]
struct ClaimsSpec {
    iss: Named,
    aud: Named,
    exp: Time,
    nbf: Time,
    iat: Time,
    sub: Option<Leaf>,
    token_type: Option<Leaf>,
    scopes: Option<Leaf>,
    scope: Option<Leaf>,
    roles: Option<Leaf>,
    workspace_id: Option<Leaf>,
    extra: Vec<(String, Leaf)>,
}

#[derive(Arbitrary, Debug)]
enum Part<S> {
    Spec(S),
    /// Any bytes, base64url-encoded.
    Bytes(Vec<u8>),
    /// Any text, used as the encoded part itself.
    Encoded(String),
}

#[derive(Arbitrary, Debug)]
enum Signer {
    Ed,
    Es,
    Rs,
    Hs,
    /// Algorithm confusion: HMAC keyed with the Ed25519 public key (PEM).
    HsWithPublicPem,
    /// Algorithm confusion: HMAC keyed with the Ed25519 public JWK `x`.
    HsWithPublicX,
}

#[derive(Arbitrary, Debug)]
enum Sig {
    Sign(Signer),
    Bytes(Vec<u8>),
    Encoded(String),
}

#[derive(Arbitrary, Debug)]
struct Assembled {
    header: Part<HeaderSpec>,
    payload: Part<ClaimsSpec>,
    sig: Sig,
}

fn header_json(spec: HeaderSpec) -> Value {
    let mut h = Map::new();
    let alg: Value = match spec.alg {
        Alg::EdDSA => "EdDSA".into(),
        Alg::ES256 => "ES256".into(),
        Alg::RS256 => "RS256".into(),
        Alg::PS256 => "PS256".into(),
        Alg::HS256 => "HS256".into(),
        Alg::HS512 => "HS512".into(),
        Alg::None => "none".into(),
        Alg::Text(t) => t.into(),
    };
    h.insert("alg".into(), alg);
    let kid: Option<Value> = match spec.kid {
        Kid::Absent => None,
        Kid::Ed => Some(KID_ED.into()),
        Kid::Es => Some(KID_ES.into()),
        Kid::Rs => Some(KID_RS.into()),
        Kid::Hs => Some(KID_HS.into()),
        Kid::Null => Some(Value::Null),
        Kid::Number(n) => Some(n.into()),
        Kid::Text(t) => Some(t.into()),
    };
    if let Some(kid) = kid {
        h.insert("kid".into(), kid);
    }
    if let Some(typ) = spec.typ {
        h.insert("typ".into(), typ.into());
    }
    if let Some(crit) = spec.crit {
        h.insert("crit".into(), crit.into());
    }
    if let Some((k, v)) = spec.extra {
        h.insert(k, v.json());
    }
    Value::Object(h)
}

fn claims_json(spec: ClaimsSpec) -> Value {
    let now = now();
    let mut c = Map::new();
    let named = |n: Named, accepted: &str| -> Option<Value> {
        match n {
            Named::Absent => None,
            Named::Accepted => Some(accepted.into()),
            Named::InList(mut l) => {
                l.push(accepted.to_owned());
                Some(l.into())
            }
            Named::Other(leaf) => Some(leaf.json()),
        }
    };
    let time = |t: Time| -> Option<Value> {
        match t {
            Time::Absent => None,
            Time::Offset(o) => Some((now + i64::from(o)).into()),
            Time::Absolute(a) => Some(a.into()),
            Time::Other(leaf) => Some(leaf.json()),
        }
    };
    let fields = [
        ("iss", named(spec.iss, ISSUER)),
        ("aud", named(spec.aud, AUDIENCE)),
        ("exp", time(spec.exp)),
        ("nbf", time(spec.nbf)),
        ("iat", time(spec.iat)),
        ("sub", spec.sub.map(Leaf::json)),
        ("token_type", spec.token_type.map(Leaf::json)),
        ("scopes", spec.scopes.map(Leaf::json)),
        ("scope", spec.scope.map(Leaf::json)),
        ("roles", spec.roles.map(Leaf::json)),
        ("workspace_id", spec.workspace_id.map(Leaf::json)),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            c.insert(name.into(), value);
        }
    }
    for (k, v) in spec.extra {
        c.insert(k, v.json());
    }
    Value::Object(c)
}

fn encode<S>(part: Part<S>, to_json: impl FnOnce(S) -> Value) -> String {
    match part {
        Part::Spec(spec) => b64(&serde_json::to_vec(&to_json(spec)).expect("json")),
        Part::Bytes(bytes) => b64(&bytes),
        Part::Encoded(text) => text,
    }
}

fn sign(signer: &Signer, message: &[u8]) -> Vec<u8> {
    let k = keys();
    let hmac = |secret: &[u8]| {
        usso::testing::SigningKey::hmac(usso::Algorithm::HS256, secret)
            .sign_bytes(usso::Algorithm::HS256, message)
            .expect("hmac")
    };
    match signer {
        Signer::Ed => k.ed.sign_bytes(k.ed.algorithm(), message).expect("ed"),
        Signer::Es => k.es.sign_bytes(k.es.algorithm(), message).expect("es"),
        Signer::Rs => k.rs.sign_bytes(k.rs.algorithm(), message).expect("rs"),
        Signer::Hs => k.hs.sign_bytes(k.hs.algorithm(), message).expect("hs"),
        Signer::HsWithPublicPem => hmac(k.ed.public_pem().expect("pem").as_bytes()),
        Signer::HsWithPublicX => {
            let jwk = k.ed.jwk();
            hmac(jwk["x"].as_str().expect("x").as_bytes())
        }
    }
}

fn assemble(a: Assembled) -> String {
    let mut token = encode(a.header, header_json);
    token.push('.');
    token.push_str(&encode(a.payload, claims_json));
    let sig = match a.sig {
        Sig::Sign(signer) => b64(&sign(&signer, token.as_bytes())),
        Sig::Bytes(bytes) => b64(&bytes),
        Sig::Encoded(text) => text,
    };
    token.push('.');
    token.push_str(&sig);
    token
}

/// The header `alg` of a token usso accepted, decoded independently.
fn header_alg(token: &str) -> String {
    let header = token.split('.').next().expect("a header");
    let json = URL_SAFE_NO_PAD
        .decode(header)
        .expect("an accepted token's header is base64url");
    let value: Value = serde_json::from_slice(&json).expect("an accepted token's header is JSON");
    value["alg"]
        .as_str()
        .expect("an accepted token's alg is a string")
        .to_owned()
}

/// What every accepted token must satisfy.
fn check_accepted(token: &str, user: &UserData, allowed: &[&str]) {
    assert_eq!(user.iss.as_deref(), Some(ISSUER), "accepted a wrong issuer");
    assert!(
        user.aud.as_ref().is_some_and(|a| a.contains(AUDIENCE)),
        "accepted a wrong audience"
    );
    let exp = user.exp.expect("accepted a token without exp");
    // The default leeway is 10 s; allow a little for the clock moving on.
    assert!(exp.as_secs() > now() - 30, "accepted an expired token");
    let alg = header_alg(token);
    assert!(
        allowed.contains(&alg.as_str()),
        "accepted alg {alg:?}, allowed {allowed:?}"
    );
    assert_eq!(
        token.matches('.').count(),
        2,
        "accepted a token without three parts"
    );
}

fn verify(auth: &UssoAuth, token: &str, allowed: &[&str]) -> Result<UserData, AuthError> {
    let result = auth.verify_token_sync::<UserData>(token);
    if let Ok(user) = &result {
        check_accepted(token, user, allowed);
    }
    result
}

/// A refusal that the clock moving on (across a second) can turn around.
fn is_time(e: &AuthError) -> bool {
    matches!(e, AuthError::TokenExpired | AuthError::TokenNotYetValid)
        || e.to_string().contains("issued in the future")
}

/// jsonwebtoken's verdict on `token`, with the key and rules of the static
/// authenticator of that algorithm.
fn jsonwebtoken_accepts(token: &str, alg: jsonwebtoken::Algorithm) -> bool {
    use jsonwebtoken::{DecodingKey, Validation};
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
        );
    });
    let key = if alg == jsonwebtoken::Algorithm::EdDSA {
        let jwk = keys().ed.jwk();
        DecodingKey::from_ed_components(jwk["x"].as_str().expect("x")).expect("ed key")
    } else {
        DecodingKey::from_secret(usso_fuzz::HMAC_SECRET).expect("secret")
    };
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.validate_nbf = true;
    validation.leeway = 10;
    jsonwebtoken::decode::<Value>(token, &key, &validation).is_ok()
}

fn part(token: &str, index: usize) -> Value {
    token
        .split('.')
        .nth(index)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null)
}

/// Whether a disagreement between usso and jsonwebtoken is one of the
/// listed ones (SECURITY.md §7, `tests/differential.rs`), checked against
/// the token itself, or the clock ticking between the two verdicts.
fn explained(token: &str, usso: &Result<UserData, AuthError>) -> bool {
    let (header, claims) = (part(token, 0), part(token, 1));
    let now = now();
    let near = |claim: &str| claims[claim].as_f64().is_some_and(|t| (t - now as f64).abs() <= 12.0);
    let error = match usso {
        // usso's one looser spelling: the USSO agent-token alias.
        Ok(_) => return header["alg"] == "ED25519",
        Err(e) => e,
    };
    let reason = error.to_string();
    token.len() > 8 * 1024
        || (header.get("crit").is_some() && reason.contains("crit"))
        || (reason.contains("issued in the future") && claims["iat"].as_f64().is_some_and(|t| t > now as f64))
        || reason.contains("appears more than once")
        || (reason.contains("invalid claims: claim `")
            && ["sub", "roles", "scopes", "scope", "workspace_id", "token_type", "jti", "tenant_id",
                "session_id", "amr", "acr", "user_id", "email", "phone", "user_name"]
                .iter()
                .any(|c| reason.contains(&format!("claim `{c}`"))))
        || (reason.contains("token_type") && claims["token_type"] != "access")
        || (matches!(error, AuthError::InvalidIssuer) && claims["iss"].is_array())
        || (matches!(error, AuthError::TokenExpired) && near("exp"))
        || (matches!(error, AuthError::TokenNotYetValid) && near("nbf"))
}

fn differential(auth: &UssoAuth, token: &str, alg: jsonwebtoken::Algorithm) {
    let usso = auth.verify_token_sync::<UserData>(token);
    let jwt = jsonwebtoken_accepts(token, alg);
    if usso.is_ok() != jwt {
        assert!(
            explained(token, &usso),
            "usso {usso:?} and jsonwebtoken {jwt} disagree, and no listed case explains it"
        );
    }
}

fn run(token: &str) {
    verify(usso_fuzz::static_ed_auth(), token, &["EdDSA"]).ok();
    differential(usso_fuzz::static_ed_auth(), token, jsonwebtoken::Algorithm::EdDSA);
    verify(usso_fuzz::jwks_auth(), token, &["EdDSA", "ES256", "RS256"]).ok();
    // The HMAC authenticator caches verified tokens: a second look (a cache
    // hit when the first succeeded) must give the same answer, apart from
    // the clock moving on between the two.
    let hs = usso_fuzz::static_hs_auth();
    let first = verify(hs, token, &["HS256"]);
    let second = verify(hs, token, &["HS256"]);
    match (first, second) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "a cache hit changed the claims"),
        (Err(a), Ok(_)) => assert!(is_time(&a), "refused ({a}), then accepted on a second look"),
        (Ok(_), Err(b)) => assert!(is_time(&b), "accepted, then refused with {b}"),
        (Err(_), Err(_)) => {}
    }
    // A separate authenticator: the cached one answers from its cache.
    differential(usso_fuzz::static_hs_uncached_auth(), token, jsonwebtoken::Algorithm::HS256);
}

fuzz_target!(|data: &[u8]| {
    run(&String::from_utf8_lossy(data));
    if let Ok(assembled) = Assembled::arbitrary_take_rest(Unstructured::new(data)) {
        run(&assemble(assembled));
    }
});
