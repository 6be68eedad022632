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

#[allow(dead_code)]
#[path = "support/harness.rs"]
mod harness;

use harness::{interleaved, interleaved_samples};

const BATCHES: usize = 15;

/// Times `f` alone (used for the child-process baseline).
fn median_ns(f: impl FnMut() -> bool) -> f64 {
    let mut fs: Vec<Box<dyn FnMut() -> bool + '_>> = vec![Box::new(f)];
    interleaved(&mut fs, BATCHES)[0]
}

fn claims() -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
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
        Algorithm::EdDSA => {
            jsonwebtoken::DecodingKey::from_ed_components(jwk["x"].as_str().unwrap()).unwrap()
        }
        Algorithm::ES256 => jsonwebtoken::DecodingKey::from_ec_components(
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap(),
        )
        .unwrap(),
        Algorithm::RS256 => jsonwebtoken::DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap(),
            jwk["e"].as_str().unwrap(),
        )
        .unwrap(),
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
        jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
        )
    } else {
        jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
        )
    };
    assert!(installed.is_ok());

    // `USSO_BENCH_ONLY=metrics` (with `--features usso/metrics`): only the
    // cost of the counters and the audit hook.
    if std::env::var("USSO_BENCH_ONLY").as_deref() == Ok("metrics") {
        metrics_cost();
        return;
    }

    // `USSO_BENCH_PROFILE=HS256` loops usso's verify for one algorithm for
    // 5 s, for a profiler to attach to.
    if let Ok(alg) = std::env::var("USSO_BENCH_PROFILE") {
        let alg: Algorithm = alg.parse().unwrap();
        let key = if alg.is_symmetric() {
            SigningKey::hmac(alg, SECRET)
        } else {
            SigningKey::generate(alg).unwrap()
        };
        let token = key.sign_json(&claims(), None).unwrap();
        let k = if alg.is_symmetric() {
            Key::hmac_secret(SECRET)
        } else {
            Key::pem(key.public_pem().unwrap())
        };
        let config = JwtConfig::builder()
            .key(k)
            .algorithm(alg)
            .issuer("https://sso.example.com")
            .audience("my-api");
        let auth = UssoAuth::new(config.build().unwrap()).unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            assert!(black_box(auth.verify_token_sync::<UserData>(&token)).is_ok());
        }
        return;
    }
    let cases: Vec<Case> = [
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::HS256,
    ]
    .into_iter()
    .map(|alg| {
        let key = if alg == Algorithm::HS256 {
            SigningKey::hmac(alg, SECRET)
        } else {
            SigningKey::generate(alg).unwrap()
        };
        let token = key.sign_json(&claims(), None).unwrap();
        Case { alg, token, key }
    })
    .collect();

    if provider == "rust_crypto" {
        // Child mode: only the jsonwebtoken rust_crypto column.
        for case in &cases {
            println!(
                "JWT_RUST_CRYPTO {} {:.1}",
                case.alg,
                median_ns(jsonwebtoken_decode(case))
            );
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

    println!(
        "| alg | raw primitive (best) | jsonwebtoken aws_lc_rs | jsonwebtoken rust_crypto | usso verify | usso cached | usso/raw | usso/jsonwebtoken best | cached speed-up |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for case in &cases {
        let (head_payload, signature) = case.token.rsplit_once('.').unwrap();
        let sig_bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let msg = head_payload.as_bytes();
        let jwk = case.key.jwk();
        let x: Vec<u8> = jwk
            .get("x")
            .and_then(Value::as_str)
            .map(|x| URL_SAFE_NO_PAD.decode(x).unwrap())
            .unwrap_or_default();
        let der = case
            .key
            .public_pem()
            .map(|p| pem_der(&p))
            .unwrap_or_default();
        let raw_aws: Box<dyn FnMut() -> bool> = match case.alg {
            Algorithm::EdDSA => {
                let parsed = ParsedPublicKey::new(&sig::ED25519, &x).unwrap();
                let (m, s) = (msg, sig_bytes.clone());
                Box::new(move || parsed.verify_sig(m, &s).is_ok())
            }
            Algorithm::RS256 | Algorithm::ES256 => {
                let alg: &'static dyn sig::VerificationAlgorithm = if case.alg == Algorithm::RS256 {
                    &sig::RSA_PKCS1_2048_8192_SHA256
                } else {
                    &sig::ECDSA_P256_SHA256_FIXED
                };
                let parsed = sig::UnparsedPublicKey::new(alg, &der).parse().unwrap();
                let (m, s) = (msg, sig_bytes.clone());
                Box::new(move || parsed.verify_sig(m, &s).is_ok())
            }
            _ => {
                let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET);
                let (m, s) = (msg, sig_bytes.clone());
                Box::new(move || aws_lc_rs::hmac::verify(&key, m, &s).is_ok())
            }
        };
        let key = match case.alg {
            Algorithm::HS256 => Key::hmac_secret(SECRET),
            _ => Key::pem(case.key.public_pem().unwrap()),
        };
        let config = || {
            JwtConfig::builder()
                .key(key.clone())
                .algorithm(case.alg)
                .issuer("https://sso.example.com")
                .audience("my-api")
        };
        let auth = UssoAuth::new(config().build().unwrap()).unwrap();
        let cached_auth = UssoAuth::new(
            config()
                .token_cache(TokenCacheOptions::default())
                .build()
                .unwrap(),
        )
        .unwrap();
        let mut fs: Vec<Box<dyn FnMut() -> bool + '_>> = vec![
            raw_aws,
            Box::new(jsonwebtoken_decode(case)),
            Box::new(|| auth.verify_token_sync::<UserData>(&case.token).is_ok()),
            Box::new(|| {
                cached_auth
                    .verify_token_sync::<UserData>(&case.token)
                    .is_ok()
            }),
        ];
        if case.alg == Algorithm::EdDSA {
            let dalek_key =
                ed25519_dalek::VerifyingKey::from_bytes(&x.clone().try_into().unwrap()).unwrap();
            let dalek_sig = ed25519_dalek::Signature::from_slice(&sig_bytes).unwrap();
            fs.push(Box::new(move || {
                use ed25519_dalek::Verifier;
                dalek_key.verify(msg, &dalek_sig).is_ok()
            }));
        }
        let t = interleaved(&mut fs, BATCHES);
        let (aws, jwt_aws, usso, cached) = (t[0], t[1], t[2], t[3]);
        let (raw_ns, raw_name) = match t.get(4) {
            Some(&dalek) if dalek < aws => {
                println!("<!-- EdDSA raw: aws-lc-rs {aws:.0} ns, ed25519-dalek {dalek:.0} ns -->");
                (dalek, "ed25519-dalek")
            }
            Some(&dalek) => {
                println!("<!-- EdDSA raw: aws-lc-rs {aws:.0} ns, ed25519-dalek {dalek:.0} ns -->");
                (aws, "aws-lc-rs")
            }
            None => (aws, "aws-lc-rs"),
        };
        let jwt_rust = rust_crypto(case.alg);
        let best_jwt = jwt_aws.min(if jwt_rust.is_nan() {
            f64::INFINITY
        } else {
            jwt_rust
        });
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

/// The request-path cost of the `metrics` feature with a real exporter's
/// recorder (Prometheus) installed, and of an audit hook, interleaved with
/// the same calls without them. Every column runs under
/// `with_local_recorder` (the "off" ones with metrics' `NoopRecorder`) so
/// that the thread-local swap is in all of them alike.
fn metrics_cost() {
    use metrics_exporter_prometheus::PrometheusBuilder;

    let prometheus = PrometheusBuilder::new().build_recorder();
    let handle = prometheus.handle();
    let noop = metrics::NoopRecorder;

    let alg = Algorithm::EdDSA;
    let key = SigningKey::generate(alg).unwrap();
    let token = key.sign_json(&claims(), None).unwrap();
    let config = || {
        JwtConfig::builder()
            .key(Key::pem(key.public_pem().unwrap()))
            .algorithm(alg)
            .issuer("https://sso.example.com")
            .audience("my-api")
    };
    let auth = UssoAuth::new(config().build().unwrap()).unwrap();
    let cached = UssoAuth::new(
        config()
            .token_cache(TokenCacheOptions::default())
            .build()
            .unwrap(),
    )
    .unwrap();
    let hooked = cached.clone().on_authenticated(|event| {
        black_box(event.code());
    });

    metrics::with_local_recorder(&prometheus, || {
        auth.verify_token_sync::<UserData>(&token).unwrap();
    });
    if !handle.render().contains("usso_verifications_total") {
        println!(
            "usso was built without its `metrics` feature: run with `--features usso/metrics`"
        );
        return;
    }

    // The request path: `authenticate` on a request with a bearer token,
    // polled to completion on this thread (a cached token never waits).
    let (parts, ()) = http::Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
        .into_parts();
    let request = |auth: UssoAuth| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let parts = parts.clone();
        move || {
            runtime
                .block_on(auth.authenticate::<UserData>(&parts))
                .is_ok()
        }
    };
    let mut request_plain = request(cached.clone());
    let mut request_plain_m = request(cached.clone());
    let mut request_hooked = request(hooked);
    let (noop, prometheus) = (&noop, &prometheus);

    let mut fs: Vec<Box<dyn FnMut() -> bool + '_>> = vec![
        Box::new(|| {
            metrics::with_local_recorder(noop, || {
                auth.verify_token_sync::<UserData>(&token).is_ok()
            })
        }),
        Box::new(|| {
            metrics::with_local_recorder(prometheus, || {
                auth.verify_token_sync::<UserData>(&token).is_ok()
            })
        }),
        Box::new(|| {
            metrics::with_local_recorder(noop, || {
                cached.verify_token_sync::<UserData>(&token).is_ok()
            })
        }),
        Box::new(|| {
            metrics::with_local_recorder(prometheus, || {
                cached.verify_token_sync::<UserData>(&token).is_ok()
            })
        }),
        Box::new(move || metrics::with_local_recorder(noop, &mut request_plain)),
        Box::new(move || metrics::with_local_recorder(prometheus, &mut request_plain_m)),
        Box::new(move || metrics::with_local_recorder(noop, &mut request_hooked)),
    ];
    // Many short rounds, each running every column once: a column's figure
    // is its median batch; the added cost is the median of the per-round
    // differences with its baseline, which ran right next to it (robust
    // to the load of a shared machine).
    let samples = interleaved_samples(&mut fs, 61, Duration::from_millis(2));
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let row = |name: &str, off: usize, on: usize| {
        let added = median(
            samples[on]
                .iter()
                .zip(&samples[off])
                .map(|(a, b)| a - b)
                .collect(),
        );
        let (off, on) = (median(samples[off].clone()), median(samples[on].clone()));
        println!(
            "| {name} | {off:.0} ns | {on:.0} ns | {added:+.0} ns | {:.3}x |",
            (off + added) / off
        );
    };
    println!(
        "| path (EdDSA) | metrics off | Prometheus recorder | added (median of paired rounds) | ratio |"
    );
    println!("|---|---|---|---|---|");
    row("full verify (`verify_token_sync`)", 0, 1);
    row("cache hit (`verify_token_sync`)", 2, 3);
    row("request (`authenticate`, cache hit)", 4, 5);
    println!();
    println!(
        "| path (EdDSA) | no hook | audit hook set | added (median of paired rounds) | ratio |"
    );
    println!("|---|---|---|---|---|");
    row("request (`authenticate`, cache hit)", 4, 6);
}
