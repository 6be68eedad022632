//! Property tests: hostile input never panics, and signatures are
//! all-or-nothing.

use proptest::prelude::*;
use serde_json::json;
use usso::testing::SigningKey;
use usso::{Algorithm, JwtConfig, Key, TokenSource, UserData, UssoAuth, find_token};

fn static_auth(key: &SigningKey) -> UssoAuth {
    UssoAuth::new(
        JwtConfig::builder()
            .key(Key::pem(key.public_pem().unwrap()))
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn token(key: &SigningKey) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    key.sign_json(
        &json!({"sub": "user:1", "exp": now + 3600, "roles": ["a"], "scopes": ["read:x"]}),
        None,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic_the_verifier(s in "\\PC{0,300}") {
        let key = SigningKey::hmac(Algorithm::HS256, &[1u8; 32]);
        let auth = UssoAuth::new(JwtConfig::builder().key(Key::hmac_secret([1u8; 32])).algorithm(Algorithm::HS256).build().unwrap()).unwrap();
        let _ = auth.verify_token_sync::<UserData>(&s);
        let _ = key;
    }

    #[test]
    fn jwt_shaped_garbage_never_panics(a in "[A-Za-z0-9_-]{0,80}", b in "[A-Za-z0-9_-]{0,200}", c in "[A-Za-z0-9_-]{0,100}") {
        let auth = UssoAuth::new(JwtConfig::builder().key(Key::hmac_secret([1u8; 32])).algorithm(Algorithm::HS256).build().unwrap()).unwrap();
        let _ = auth.verify_token_sync::<UserData>(&format!("{a}.{b}.{c}"));
    }

    #[test]
    fn header_values_never_panic_extraction(v in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut headers = http::HeaderMap::new();
        if let Ok(value) = http::HeaderValue::from_bytes(&v) {
            headers.insert("authorization", value.clone());
            headers.insert("cookie", value);
        }
        let _ = find_token(&headers, &TokenSource::defaults());
    }

    #[test]
    fn scope_parsing_never_panics(s in "\\PC{0,120}") {
        let _ = usso::scope::Scope::parse(&s);
    }

    #[test]
    fn static_key_text_never_panics_the_builder(s in "\\PC{0,200}") {
        for key in [Key::parse(s.clone()), Key::pem(s.clone()), Key::jwk(s.clone()), Key::ed25519(s)] {
            let _ = JwtConfig::builder().key(key).build();
        }
    }
}

#[test]
fn a_valid_token_stays_valid_under_reverification() {
    for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
        let key = SigningKey::generate(alg).unwrap();
        let auth = static_auth(&key);
        let token = token(&key);
        let first: UserData = auth.verify_token_sync(&token).unwrap();
        for _ in 0..5 {
            assert_eq!(auth.verify_token_sync::<UserData>(&token).unwrap(), first);
        }
    }
}

#[test]
fn flipping_any_single_byte_never_verifies() {
    for alg in [Algorithm::EdDSA, Algorithm::ES256] {
        let key = SigningKey::generate(alg).unwrap();
        let auth = static_auth(&key);
        let token = token(&key);
        assert!(auth.verify_token_sync::<UserData>(&token).is_ok());
        let bytes = token.as_bytes();
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                let mut changed = bytes.to_vec();
                changed[i] ^= flip;
                let Ok(s) = String::from_utf8(changed) else {
                    continue;
                };
                assert!(
                    auth.verify_token_sync::<UserData>(&s).is_err(),
                    "{alg}: flipping byte {i} with {flip:#x} still verified"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// A hostile `typ` (any text, multi-byte characters included) never
    /// panics the header check when a `typ` is required.
    #[test]
    fn any_typ_header_never_panics(typ in "\\PC{0,40}") {
        let key = SigningKey::hmac(Algorithm::HS256, &[7u8; 32]);
        let config = JwtConfig::builder().key(Key::hmac_secret([7u8; 32])).algorithm(Algorithm::HS256).typ("at+jwt");
        let auth = UssoAuth::new(config.build().unwrap()).unwrap();
        let header = serde_json::from_value(json!({ "typ": typ })).unwrap();
        let token = key.sign_json(&json!({"sub": "x", "exp": 4_000_000_000u64}), Some(&header)).unwrap();
        let _ = auth.verify_token_sync::<UserData>(&token);
    }
}

#[test]
fn typ_with_a_multibyte_character_at_byte_12_is_rejected_not_panicking() {
    let key = SigningKey::hmac(Algorithm::HS256, &[7u8; 32]);
    let config = JwtConfig::builder()
        .key(Key::hmac_secret([7u8; 32]))
        .algorithm(Algorithm::HS256)
        .typ("at+jwt");
    let auth = UssoAuth::new(config.build().unwrap()).unwrap();
    let header = serde_json::from_value(json!({ "typ": "aaaaaaaaaaaé" })).unwrap();
    let token = key
        .sign_json(&json!({"sub": "x", "exp": 4_000_000_000u64}), Some(&header))
        .unwrap();
    assert!(auth.verify_token_sync::<UserData>(&token).is_err());
}
