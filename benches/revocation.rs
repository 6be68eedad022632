//! Revocation: what the check costs on the verify path with 0, 10k and 1M
//! rules held, the propagation latency from a revoke on one set to a
//! refusal on another through a real `redis-server`, and memory per rule.
//! Run with `cargo bench --bench revocation --features usso/redis` (see
//! BENCHMARKS.md); needs `redis-server` (Debian's package).
//!
//! Same harness as `benches/verify.rs`: interleaved batches, medians.

#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use usso::testing::SigningKey;
use usso::{
    Algorithm, JwtConfig, Key, NumericDate, RevocationOptions, Revocations, TokenCacheOptions,
    UserData, UssoAuth,
};

#[allow(dead_code)]
#[path = "support/harness.rs"]
mod harness;

use harness::interleaved;

const BATCHES: usize = 21;

/// A set holding `n` live rules, a third of each kind, none matching the
/// benchmarked token.
async fn filled(n: usize) -> Revocations {
    let set = Revocations::new(RevocationOptions::default().max_entries(n.max(1)));
    let exp = NumericDate::from_secs(NumericDate::now().as_secs() + 3600);
    for i in 0..n {
        let r = match i % 3 {
            0 => set.revoke_jti(&format!("jti-{i:016x}"), exp).await,
            1 => set.revoke_session(&format!("session-{i:016x}"), None).await,
            _ => {
                set.revoke_subject_before(&format!("user:{i:012x}"), NumericDate::now())
                    .await
            }
        };
        r.unwrap();
    }
    set
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // --- memory per rule (first, on a fresh heap) ---------------------------
    println!("## memory per rule (RSS growth / rules, 1M rules of one kind)\n");
    println!("| kind | bytes per rule |");
    println!("|---|---|");
    for kind in ["jti", "session", "subject"] {
        let before = rss_bytes();
        let set = rt.block_on(async {
            let set = Revocations::default();
            let exp = NumericDate::from_secs(NumericDate::now().as_secs() + 3600);
            for i in 0..1_000_000_u64 {
                match kind {
                    "jti" => set.revoke_jti(&format!("{i:022x}"), exp).await,
                    "session" => set.revoke_session(&format!("{i:024x}"), None).await,
                    _ => {
                        set.revoke_subject_before(&format!("user:{i:012x}"), NumericDate::now())
                            .await
                    }
                }
                .unwrap();
            }
            set
        });
        let grown = rss_bytes().saturating_sub(before);
        println!("| {kind} | {:.0} |", grown as f64 / 1e6);
        drop(set);
    }

    // --- the check on the verify path ---------------------------------------
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let now = NumericDate::now().as_secs();
    let claims = serde_json::json!({
        "iss": "https://sso.example.com", "aud": "my-api", "sub": "user:abc123",
        "jti": "5b8f0c1e9d2a", "session_id": "s_1", "iat": now, "exp": now + 3600,
        "roles": ["editor"], "scopes": ["read:posts"],
    });
    let token = key.sign_json(&claims, None).unwrap();
    let sets: Vec<(usize, Revocations)> = [0, 10_000, 1_000_000]
        .into_iter()
        .map(|n| (n, rt.block_on(filled(n))))
        .collect();
    let auth = |set: &Revocations, cache: bool| {
        let mut b = JwtConfig::builder()
            .key(Key::pem(key.public_pem().unwrap()))
            .algorithm(Algorithm::EdDSA)
            .issuer("https://sso.example.com")
            .audience("my-api")
            .revocations(set.clone());
        if cache {
            b = b.token_cache(TokenCacheOptions::default());
        }
        UssoAuth::new(b.build().unwrap()).unwrap()
    };
    let user: UserData = auth(&sets[0].1, false).verify_token_sync(&token).unwrap();

    println!(
        "\n## the check: `is_revoked` alone, a full EdDSA verify, a verified-token cache hit\n"
    );
    println!(
        "| rules held | is_revoked (ns) | verify (µs) | added vs 0 rules (µs) | cache hit (ns) | cache hit vs 0 rules |"
    );
    println!("|---|---|---|---|---|---|");
    let verifiers: Vec<(UssoAuth, UssoAuth)> = sets
        .iter()
        .map(|(_, set)| (auth(set, false), auth(set, true)))
        .collect();
    let mut fs: Vec<Box<dyn FnMut() -> bool + '_>> = Vec::new();
    for (i, (_, set)) in sets.iter().enumerate() {
        let user = &user;
        fs.push(Box::new(move || !set.is_revoked(user)));
        let (full, cached) = &verifiers[i];
        let token = &token;
        fs.push(Box::new(move || {
            full.verify_token_sync::<UserData>(token).is_ok()
        }));
        fs.push(Box::new(move || {
            cached.verify_token_sync::<UserData>(token).is_ok()
        }));
    }
    let t = interleaved(&mut fs, BATCHES);
    for (i, (n, _)) in sets.iter().enumerate() {
        let (check, verify, hit) = (t[3 * i], t[3 * i + 1], t[3 * i + 2]);
        println!(
            "| {n} | {check:.1} | {:.2} | {:+.3} | {hit:.0} | {:.3}× |",
            verify / 1000.0,
            (verify - t[1]) / 1000.0,
            hit / t[2],
        );
    }

    // --- propagation through Redis -----------------------------------------
    let server = redis_server::RedisServer::start();
    let latencies = rt.block_on(async {
        let a = Revocations::redis(server.url()).connect().await.unwrap();
        let b = Revocations::redis(server.url()).connect().await.unwrap();
        let mut latencies = Vec::with_capacity(1000);
        for i in 0..1000 {
            let mut victim = UserData::new("user:x");
            victim.session_id = Some(format!("s-{i}"));
            let start = Instant::now();
            a.revoke_session(victim.session_id.as_deref().unwrap(), None)
                .await
                .unwrap();
            while !b.is_revoked(&victim) {
                assert!(start.elapsed() < Duration::from_secs(5), "not propagated");
                tokio::task::yield_now().await;
            }
            latencies.push(start.elapsed());
        }
        latencies
    });
    let mut sorted = latencies;
    sorted.sort();
    let pick = |q: f64| sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)];
    println!(
        "\n## propagation: revoke on set A → refused by set B (separate Redis connections), 1000 revocations\n"
    );
    println!("| p50 | p99 | max |");
    println!("|---|---|---|");
    println!(
        "| {:.2} ms | {:.2} ms | {:.2} ms |",
        pick(0.50).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        sorted[sorted.len() - 1].as_secs_f64() * 1e3
    );
}
