//! JWKS documents and single configured keys.
//!
//! The input is used as:
//! - a JWKS document, parsed exactly as a fetched body is (through
//!   `usso::__private::jwks_auth`, which fills a key store without any
//!   network); when it yields a store, fixed probe tokens are verified
//!   against it (kid lookup, kid-less lookup, signature checks with
//!   whatever keys the document holds);
//! - a single key (`usso::Key::jwk`, `Key::pem`, `Key::ed25519`,
//!   `Key::parse`) through `JwtConfig::builder().key(..).build()`, with and
//!   without a configured algorithm; a key that builds verifies the probes.
//!
//! Property: a JWKS never yields an HMAC key, so no HS* token is ever
//! accepted through one.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use usso::{Algorithm, JwtConfig, Key, UserData, UssoAuth};
use usso_fuzz::{AUDIENCE, ISSUER, KID_ED, claims, keys};

struct Probe {
    token: String,
    hmac: bool,
}

fn probes() -> &'static [Probe] {
    static PROBES: OnceLock<Vec<Probe>> = OnceLock::new();
    PROBES.get_or_init(|| {
        let k = keys();
        let claims = claims(3600);
        let no_kid = json!({ "kid": null });
        let confusion = usso::testing::SigningKey::hmac(
            Algorithm::HS256,
            k.ed.public_pem().expect("pem").as_bytes(),
        )
        .with_kid(KID_ED);
        let sign = |key: &usso::testing::SigningKey, header: Option<&serde_json::Value>| {
            key.sign_json(&claims, header.and_then(|h| h.as_object()))
                .expect("sign a probe")
        };
        vec![
            Probe {
                token: sign(&k.ed, None),
                hmac: false,
            },
            Probe {
                token: sign(&k.ed, Some(&no_kid)),
                hmac: false,
            },
            Probe {
                token: sign(&k.es, None),
                hmac: false,
            },
            Probe {
                token: sign(&k.rs, None),
                hmac: false,
            },
            Probe {
                token: sign(&k.hs, None),
                hmac: true,
            },
            Probe {
                token: sign(&k.hs, Some(&no_kid)),
                hmac: true,
            },
            Probe {
                token: sign(&confusion, None),
                hmac: true,
            },
        ]
    })
}

/// The JWKS configuration, with one HTTP client made once (so that a
/// store per input does not build a client per input). Never used to fetch.
fn jwks_config() -> &'static JwtConfig {
    static CONFIG: OnceLock<JwtConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        JwtConfig::builder()
            .jwks_url(usso_fuzz::JWKS_URL)
            .jwks_options(usso_fuzz::jwks_options())
            .http_client(usso::reqwest::Client::new())
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .build()
            .expect("jwks config")
    })
}

fn single_keys(text: &str) {
    let keys = [
        Key::jwk(text),
        Key::pem(text),
        Key::ed25519(text),
        Key::parse(text),
    ];
    for key in keys {
        for alg in [
            None,
            Some(Algorithm::EdDSA),
            Some(Algorithm::RS256),
            Some(Algorithm::HS256),
        ] {
            let mut builder = JwtConfig::builder()
                .key(key.clone())
                .issuer(ISSUER)
                .audience(AUDIENCE);
            if let Some(alg) = alg {
                builder = builder.algorithm(alg);
            }
            let Ok(config) = builder.build() else {
                continue;
            };
            let auth = UssoAuth::new(config).expect("a static-key authenticator builds");
            for probe in probes() {
                let _ = auth.verify_token_sync::<UserData>(&probe.token);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(auth) = usso::__private::jwks_auth(jwks_config().clone(), data) {
        for probe in probes() {
            let result = auth.verify_token_sync::<UserData>(&probe.token);
            assert!(
                !(probe.hmac && result.is_ok()),
                "a JWKS document yielded an HMAC key that verified {}",
                probe.token
            );
        }
    }
    single_keys(&String::from_utf8_lossy(data));
});
