//! Fixtures shared by the fuzz targets and the seed generator
//! (`examples/make_seeds.rs`): fixed keys, the JWKS document they publish,
//! and the authenticators the targets verify against.
//!
//! The keys in `fuzz/keys/` are throwaway keys made for fuzzing only; no
//! deployment trusts them. They are fixed (not generated per run) so that
//! the committed seed tokens keep verifying, which lets the fuzzer start
//! from tokens that reach the claim checks.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use usso::testing::SigningKey;
use usso::{Algorithm, JwksOptions, JwtConfig, Key, UssoAuth};

/// The `iss` every fuzz authenticator accepts.
pub const ISSUER: &str = "https://sso.fuzz.test";
/// The `aud` every fuzz authenticator accepts.
pub const AUDIENCE: &str = "fuzz-api";
/// Never contacted: the JWKS-backed authenticator is filled from
/// [`jwks_document`] and only verifies synchronously, which never fetches.
pub const JWKS_URL: &str = "http://127.0.0.1:9/.well-known/jwks.json";
/// The static HMAC secret.
pub const HMAC_SECRET: &[u8] = b"usso-fuzz-hmac-secret-0123456789abcdef";

pub const KID_ED: &str = "fuzz-ed25519";
pub const KID_ES: &str = "fuzz-p256";
pub const KID_RS: &str = "fuzz-rsa";
pub const KID_HS: &str = "fuzz-hmac";

/// The fixed signing keys.
pub struct Keys {
    pub ed: SigningKey,
    pub es: SigningKey,
    pub rs: SigningKey,
    pub hs: SigningKey,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        ed: SigningKey::from_pem(Algorithm::EdDSA, include_str!("../keys/ed25519.pem"))
            .expect("ed25519 fuzz key")
            .with_kid(KID_ED),
        es: SigningKey::from_pem(Algorithm::ES256, include_str!("../keys/p256.pem"))
            .expect("p256 fuzz key")
            .with_kid(KID_ES),
        rs: SigningKey::from_pem(Algorithm::RS256, include_str!("../keys/rsa2048.pem"))
            .expect("rsa fuzz key")
            .with_kid(KID_RS),
        hs: SigningKey::hmac(Algorithm::HS256, HMAC_SECRET).with_kid(KID_HS),
    })
}

/// The JWKS the JWKS-backed authenticator holds: the Ed25519, P-256 and RSA
/// public keys, each with its `kid` and `alg`.
pub fn jwks_document() -> String {
    let k = keys();
    json!({ "keys": [k.ed.jwk(), k.es.jwk(), k.rs.jwk()] }).to_string()
}

fn rules() -> usso::JwtConfigBuilder {
    JwtConfig::builder().issuer(ISSUER).audience(AUDIENCE)
}

/// Static Ed25519 public key (PEM), `EdDSA` only.
pub fn static_ed_auth() -> &'static UssoAuth {
    static AUTH: OnceLock<UssoAuth> = OnceLock::new();
    AUTH.get_or_init(|| {
        let pem = keys().ed.public_pem().expect("ed25519 public pem");
        let config = rules()
            .key(Key::pem(pem))
            .algorithm(Algorithm::EdDSA)
            .build()
            .expect("static ed config");
        UssoAuth::new(config).expect("static ed auth")
    })
}

/// Static HMAC secret, `HS256` only, with the verified-token cache on.
pub fn static_hs_auth() -> &'static UssoAuth {
    static AUTH: OnceLock<UssoAuth> = OnceLock::new();
    AUTH.get_or_init(|| {
        let config = rules()
            .key(Key::hmac_secret(HMAC_SECRET))
            .algorithm(Algorithm::HS256)
            .token_cache(usso::TokenCacheOptions::default())
            .build()
            .expect("static hmac config");
        UssoAuth::new(config).expect("static hmac auth")
    })
}

/// Static HMAC secret, `HS256` only, without a cache.
pub fn static_hs_uncached_auth() -> &'static UssoAuth {
    static AUTH: OnceLock<UssoAuth> = OnceLock::new();
    AUTH.get_or_init(|| {
        let config = rules()
            .key(Key::hmac_secret(HMAC_SECRET))
            .algorithm(Algorithm::HS256)
            .build()
            .expect("static hmac config");
        UssoAuth::new(config).expect("static hmac auth")
    })
}

/// JWKS options for the preloaded store: a day-long lifetime, so the set
/// never goes stale during a run (there is no runtime to refresh it).
pub fn jwks_options() -> JwksOptions {
    let day = Duration::from_secs(24 * 3600);
    JwksOptions::default()
        .default_ttl(day)
        .min_ttl(day)
        .max_ttl(day)
}

/// A JWKS-backed configuration for [`JWKS_URL`].
pub fn jwks_config() -> JwtConfig {
    rules()
        .jwks_url(JWKS_URL)
        .jwks_options(jwks_options())
        .build()
        .expect("jwks config")
}

/// The JWKS-backed authenticator, its store preloaded with [`jwks_document`].
pub fn jwks_auth() -> &'static UssoAuth {
    static AUTH: OnceLock<UssoAuth> = OnceLock::new();
    AUTH.get_or_init(|| {
        usso::__private::jwks_auth(jwks_config(), jwks_document().as_bytes())
            .expect("jwks auth from the fixed document")
    })
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Valid claims for the fuzz authenticators, expiring in `ttl` seconds.
pub fn claims(ttl: i64) -> Value {
    let now = now();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user:fuzz",
        "token_type": "access",
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": "fuzz-1",
        "roles": ["editor"],
        "scopes": ["read:posts", "write:posts"],
        "workspace_id": "ws_1",
    })
}

/// base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
