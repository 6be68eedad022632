//! Every algorithm through whichever crypto backend this build selected.
//! CI runs it twice: with the default `aws_lc_rs` backend and with
//! `--no-default-features --features rust_crypto,testing`.
#![cfg(feature = "testing")]

use serde_json::json;
use usso::testing::SigningKey;
use usso::{Algorithm, AuthError, JwtConfig, Key, UserData, UssoAuth};

fn claims() -> serde_json::Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"sub": "user:1", "exp": now + 300, "iat": now, "roles": ["a"]})
}

fn auth(key: Key, alg: Algorithm) -> UssoAuth {
    UssoAuth::new(
        JwtConfig::builder()
            .key(key)
            .algorithm(alg)
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn every_algorithm_verifies_and_rejects_tampering() {
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
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
    ] {
        let (signer, key) = if alg.is_symmetric() {
            let secret = b"a shared secret that is long enough for HS512: 64 bytes or more!!";
            (SigningKey::hmac(alg, secret), Key::hmac_secret(secret))
        } else {
            let signer = SigningKey::generate(alg).unwrap();
            let pem = signer.public_pem().unwrap();
            (signer, Key::pem(pem))
        };
        let auth = auth(key, alg);
        let token = signer.sign_json(&claims(), None).unwrap();
        let user: UserData = auth
            .verify_token_sync(&token)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(user.sub.as_deref(), Some("user:1"));
        let mut bytes = token.into_bytes();
        let i = bytes.len() - 6;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(
            auth.verify_token_sync::<UserData>(&tampered).unwrap_err(),
            AuthError::InvalidSignature,
            "{alg}"
        );
    }
}
