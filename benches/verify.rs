//! Verification throughput: usso against the raw signature primitives and
//! jsonwebtoken, all measured in the same run. Run with
//! `cargo bench --bench verify` (see BENCHMARKS.md).
//!
//! A hand-rolled harness: for each case, a warm-up, then 15 batches; the
//! reported figure is the median batch's time per operation.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{self as sig, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use usso::testing::SigningKey;
use usso::{Algorithm, JwtConfig, Key, TokenCacheOptions, UserData, UssoAuth};

const BATCHES: usize = 15;

fn median_ns(mut f: impl FnMut() -> bool) -> f64 {
    // Size a batch to roughly 20 ms.
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_millis(50) {
        assert!(f());
        n += 1;
    }
    let per_batch = ((n as f64) * 20.0 / 50.0).max(1.0) as u64;
    let mut samples: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                black_box(f());
            }
            t.elapsed().as_nanos() as f64 / per_batch as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[BATCHES / 2]
}

fn claims() -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    json!({
        "jti": "5b8f0c1e9d2a", "token_type": "access", "iss": "https://sso.example.com", "aud": "my-api",
        "iat": now, "nbf": now, "exp": now + 3600, "sub": "user:abc123", "session_id": "s_1",
        "tenant_id": "org_1", "workspace_id": "ws_1", "roles": ["editor"],
        "scopes": ["read:posts", "write:posts"], "amr": ["pwd"], "acr": "1",
    })
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

struct Case {
    alg: Algorithm,
    token: String,
    key: SigningKey,
}

fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
    alg.as_str().parse().unwrap()
}

fn jsonwebtoken_decode(case: &Case) -> impl FnMut() -> bool + '_ {
    let jwk = case.key.jwk();
    let key = match case.alg {
        Algorithm::EdDSA => jsonwebtoken::DecodingKey::from_ed_components(jwk["x"].as_str().unwrap()).unwrap(),
        Algorithm::ES256 => jsonwebtoken::DecodingKey::from_ec_components(jwk["x"].as_str().unwrap(), jwk["y"].as_str().unwrap()).unwrap(),
        Algorithm::RS256 => jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap()).unwrap(),
        _ => jsonwebtoken::DecodingKey::from_secret(SECRET).unwrap(),
    };
    let mut validation = jsonwebtoken::Validation::new(jwt_alg(case.alg));
    validation.set_audience(&["my-api"]);
    validation.set_issuer(&["https://sso.example.com"]);
    move || jsonwebtoken::decode::<UserData>(&case.token, &key, &validation).is_ok()
}

const SECRET: &[u8] = b"an HMAC secret that is long enough for HS256 benchmarks";

fn main() {
    let provider = std::env::var("JWT_PROVIDER").unwrap_or_else(|_| "aws_lc_rs".into());
    let installed = if provider == "rust_crypto" {
        jsonwebtoken::crypto::CryptoProvider::install_default(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER)
    } else {
        jsonwebtoken::crypto::CryptoProvider::install_default(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
    };
    assert!(installed.is_ok());

    let cases: Vec<Case> = [Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256, Algorithm::HS256]
        .into_iter()
        .map(|alg| {
            let key = if alg == Algorithm::HS256 { SigningKey::hmac(alg, SECRET) } else { SigningKey::generate(alg).unwrap() };
            let token = key.sign_json(&claims(), None).unwrap();
            Case { alg, token, key }
        })
        .collect();

    if provider == "rust_crypto" {
        // Child mode: only the jsonwebtoken rust_crypto column.
        for case in &cases {
            println!("JWT_RUST_CRYPTO {} {:.1}", case.alg, median_ns(jsonwebtoken_decode(case)));
        }
        return;
    }

    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .env("JWT_PROVIDER", "rust_crypto")
        .output()
        .expect("run the rust_crypto baseline");
    let child_out = String::from_utf8_lossy(&child.stdout).to_string();
    let rust_crypto = |alg: Algorithm| -> f64 {
        child_out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("JWT_RUST_CRYPTO {alg} ")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };

    println!("| alg | raw primitive (best) | jsonwebtoken aws_lc_rs | jsonwebtoken rust_crypto | usso verify | usso cached | usso/raw | usso/jsonwebtoken best | cached speed-up |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for case in &cases {
        let (head_payload, signature) = case.token.rsplit_once('.').unwrap();
        let sig_bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let msg = head_payload.as_bytes();
        let jwk = case.key.jwk();
        let (raw_ns, raw_name) = match case.alg {
            Algorithm::EdDSA => {
                let x: [u8; 32] = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap().try_into().unwrap();
                let parsed = ParsedPublicKey::new(&sig::ED25519, x).unwrap();
                let aws = median_ns(|| parsed.verify_sig(msg, &sig_bytes).is_ok());
                let dalek_key = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
                let dalek_sig = ed25519_dalek::Signature::from_slice(&sig_bytes).unwrap();
                let dalek = median_ns(|| {
                    use ed25519_dalek::Verifier;
                    dalek_key.verify(msg, &dalek_sig).is_ok()
                });
                println!("<!-- EdDSA raw: aws-lc-rs {aws:.0} ns, ed25519-dalek {dalek:.0} ns -->");
                if dalek < aws { (dalek, "ed25519-dalek") } else { (aws, "aws-lc-rs") }
            }
            Algorithm::RS256 | Algorithm::ES256 => {
                let der = pem_der(&case.key.public_pem().unwrap());
                let alg: &'static dyn sig::VerificationAlgorithm = if case.alg == Algorithm::RS256 {
                    &sig::RSA_PKCS1_2048_8192_SHA256
                } else {
                    &sig::ECDSA_P256_SHA256_FIXED
                };
                let parsed = sig::UnparsedPublicKey::new(alg, &der).parse().unwrap();
                (median_ns(|| parsed.verify_sig(msg, &sig_bytes).is_ok()), "aws-lc-rs")
            }
            _ => {
                let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET);
                (median_ns(|| aws_lc_rs::hmac::verify(&key, msg, &sig_bytes).is_ok()), "aws-lc-rs")
            }
        };
        let jwt_aws = median_ns(jsonwebtoken_decode(case));
        let jwt_rust = rust_crypto(case.alg);
        let key = match case.alg {
            Algorithm::HS256 => Key::hmac_secret(SECRET),
            _ => Key::pem(case.key.public_pem().unwrap()),
        };
        let config = || JwtConfig::builder().key(key.clone()).algorithm(case.alg).issuer("https://sso.example.com").audience("my-api");
        let auth = UssoAuth::new(config().build().unwrap()).unwrap();
        let usso = median_ns(|| auth.verify_token_sync::<UserData>(&case.token).is_ok());
        let cached_auth = UssoAuth::new(config().token_cache(TokenCacheOptions::default()).build().unwrap()).unwrap();
        let cached = median_ns(|| cached_auth.verify_token_sync::<UserData>(&case.token).is_ok());
        let best_jwt = jwt_aws.min(if jwt_rust.is_nan() { f64::INFINITY } else { jwt_rust });
        let rate = |ns: f64| format!("{:.1}k/s ({ns:.0} ns)", 1e6 / ns);
        println!(
            "| {} | {} {} | {} | {} | {} | {} | {:.2}x | {:.2}x | {:.0}x |",
            case.alg,
            rate(raw_ns),
            raw_name,
            rate(jwt_aws),
            rate(jwt_rust),
            rate(usso),
            rate(cached),
            raw_ns / usso,
            best_jwt / usso,
            usso / cached,
        );
    }
}
