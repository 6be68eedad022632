//! The JWKS store against a real HTTP server on 127.0.0.1: fetch counts,
//! rotation, outages, limits. Every wait is bounded; timing assertions only
//! use lower bounds the code guarantees, and generous upper bounds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use usso::{AuthError, JwksOptions, JwksStats, JwksStore, JwtConfig, UserData, UssoAuth};

/// Upper bound for anything that should finish promptly.
const PATIENCE: Duration = Duration::from_secs(30);
const JWKS_PATH: &str = "/keys/jwks.json";

// ---------------------------------------------------------------- keys ----

struct TestKey {
    kid: Option<String>,
    pair: Ed25519KeyPair,
    x: String,
}

impl TestKey {
    fn new(kid: Option<&str>) -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        Self {
            kid: kid.map(str::to_owned),
            x: URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
            pair,
        }
    }

    fn with_kid(kid: &str) -> Self {
        Self::new(Some(kid))
    }

    fn jwk(&self) -> Value {
        let mut jwk =
            json!({"kty": "OKP", "crv": "Ed25519", "x": self.x, "use": "sig", "alg": "EdDSA"});
        if let Some(kid) = &self.kid {
            jwk["kid"] = json!(kid);
        }
        jwk
    }

    fn token(&self) -> String {
        self.token_as(self.kid.as_deref(), None)
    }

    fn token_as(&self, kid: Option<&str>, iss: Option<&str>) -> String {
        // Signed directly with aws-lc-rs: jsonwebtoken's process-wide
        // provider is ambiguous under `--all-features`.
        let mut header = json!({"alg": "EdDSA", "typ": "JWT"});
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        let exp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 600;
        let mut claims = json!({"sub": "user-1", "exp": exp});
        if let Some(iss) = iss {
            claims["iss"] = json!(iss);
        }
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = URL_SAFE_NO_PAD.encode(self.pair.sign(input.as_bytes()).as_ref());
        format!("{input}.{signature}")
    }
}

fn jwks(keys: &[&TestKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
}

// -------------------------------------------------------------- server ----

#[derive(Clone)]
enum Mode {
    /// 200 with this body (and `Content-Length`).
    Body(String),
    Status(u16),
    /// Accept, read the request, never answer.
    Hang,
    /// 200, chunked (no `Content-Length`), this many 1 KiB chunks.
    Chunked(usize),
}

struct ServerState {
    mode: Mode,
    cache_control: Option<String>,
    delay: Duration,
    discovery: Option<String>,
    hits: Vec<Instant>,
    uris: Vec<String>,
}

/// A loopback HTTP/1.1 server: one request per connection, counted and logged.
#[derive(Clone)]
struct Server {
    base: String,
    state: Arc<Mutex<ServerState>>,
}

impl Server {
    async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(ServerState {
            mode,
            cache_control: None,
            delay: Duration::ZERO,
            discovery: None,
            hits: Vec::new(),
            uris: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(answer(socket, Arc::clone(&shared)));
            }
        });
        Self { base, state }
    }

    async fn with_keys(keys: &[&TestKey]) -> Self {
        Self::start(Mode::Body(jwks(keys))).await
    }

    fn url(&self) -> String {
        format!("{}{JWKS_PATH}", self.base)
    }

    fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    fn publish(&self, keys: &[&TestKey]) {
        self.set(Mode::Body(jwks(keys)));
    }

    fn cache_control(&self, value: &str) {
        self.state.lock().unwrap().cache_control = Some(value.to_owned());
    }

    fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    fn hits(&self) -> usize {
        self.state.lock().unwrap().hits.len()
    }

    fn hit_times(&self) -> Vec<Instant> {
        self.state.lock().unwrap().hits.clone()
    }

    /// Every JWKS request asked for exactly the configured path: no query
    /// string, nothing from a token.
    fn assert_requests_exact(&self) {
        let uris = self.state.lock().unwrap().uris.clone();
        assert!(!uris.is_empty());
        for uri in uris {
            assert_eq!(uri, JWKS_PATH, "unexpected request target");
            assert!(!uri.contains('?'));
        }
    }
}

async fn answer(mut socket: TcpStream, state: Arc<Mutex<ServerState>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 2048];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
        if request.len() > 64 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&request).into_owned();
    let target = head.split(' ').nth(1).unwrap_or("").to_owned();
    if target == "/.well-known/openid-configuration" {
        let doc = state.lock().unwrap().discovery.clone();
        let response = match doc {
            Some(doc) => respond(200, &doc, None),
            None => respond(404, "", None),
        };
        let _ = socket.write_all(response.as_bytes()).await;
        return;
    }
    let (mode, cache_control, delay) = {
        let mut s = state.lock().unwrap();
        s.hits.push(Instant::now());
        s.uris.push(target);
        (s.mode.clone(), s.cache_control.clone(), s.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match mode {
        Mode::Body(body) => {
            let response = respond(200, &body, cache_control.as_deref());
            let _ = socket.write_all(response.as_bytes()).await;
        }
        Mode::Status(code) => {
            let response = respond(code, "{\"error\":\"down\"}", None);
            let _ = socket.write_all(response.as_bytes()).await;
        }
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Mode::Chunked(chunks) => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("400\r\n{}\r\n", " ".repeat(1024));
            for _ in 0..chunks {
                if socket.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
            }
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
    }
    let _ = socket.shutdown().await;
}

fn respond(code: u16, body: &str, cache_control: Option<&str>) -> String {
    let extra = cache_control.map_or(String::new(), |cc| format!("Cache-Control: {cc}\r\n"));
    format!(
        "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    )
}

// ------------------------------------------------------------- helpers ----

fn auth(server: &Server, options: JwksOptions) -> UssoAuth {
    let config = JwtConfig::builder()
        .jwks_url(server.url())
        .jwks_options(options)
        // These tests are about keys; their tokens carry no iss/aud.
        .verify_iss(false)
        .verify_aud(false)
        .build()
        .unwrap();
    UssoAuth::new(config).unwrap()
}

fn store(auth: &UssoAuth) -> &Arc<JwksStore> {
    auth.jwks_store().expect("a JWKS-backed authenticator")
}

fn stats(auth: &UssoAuth) -> JwksStats {
    store(auth).stats()
}

async fn verify(auth: &UssoAuth, token: &str) -> Result<UserData, AuthError> {
    tokio::time::timeout(PATIENCE, auth.verify_token(token))
        .await
        .expect("verification must not hang")
}

/// Polls `check` every 20 ms until it holds, for at most [`PATIENCE`].
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn is_unknown_key(r: &Result<UserData, AuthError>) -> bool {
    matches!(r, Err(AuthError::UnknownKey { .. }))
}

fn is_unavailable(r: &Result<UserData, AuthError>) -> bool {
    matches!(r, Err(AuthError::KeysUnavailable { .. }))
}

// --------------------------------------------------------------- tests ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_kid_200_verifications_fetch_once() {
    let k1 = TestKey::with_kid("k1");
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(&server, JwksOptions::default());
    let token = k1.token();
    for _ in 0..200 {
        let user = verify(&auth, &token).await.unwrap();
        assert_eq!(user.sub.as_deref(), Some("user-1"));
    }
    assert_eq!(server.hits(), 1);
    let s = stats(&auth);
    assert_eq!(s.fetches, 1);
    assert_eq!(s.fetch_failures, 0);
    assert_eq!(s.keys_loaded, 1);
    assert!(s.cache_hits >= 199, "{s:?}");
    assert!(s.last_success.is_some());
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_flood_costs_one_fetch_within_a_cooldown() {
    let k1 = TestKey::with_kid("k1");
    let attacker = TestKey::new(None);
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(
        &server,
        JwksOptions::default().miss_cooldown(Duration::from_secs(600)),
    );
    verify(&auth, &k1.token()).await.unwrap();
    assert_eq!(server.hits(), 1);

    for i in 0..200 {
        let token = attacker.token_as(Some(&format!("random-{i}")), None);
        let result = verify(&auth, &token).await;
        assert!(is_unknown_key(&result), "{result:?}");
        assert_eq!(result.unwrap_err().status().as_u16(), 401);
    }
    // The same bogus kid again: negatively cached, no fetch either.
    for _ in 0..10 {
        let result = verify(&auth, &attacker.token_as(Some("random-0"), None)).await;
        assert!(is_unknown_key(&result));
    }
    assert_eq!(server.hits(), 2, "one refetch for the whole flood");
    let s = stats(&auth);
    assert_eq!(s.miss_refetches, 1);
    assert!(s.kid_misses >= 210, "{s:?}");
    // The known key is unaffected.
    verify(&auth, &k1.token()).await.unwrap();
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_flood_costs_at_most_one_fetch_per_cooldown_window() {
    let cooldown = Duration::from_millis(300);
    let k1 = TestKey::with_kid("k1");
    let attacker = TestKey::new(None);
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(&server, JwksOptions::default().miss_cooldown(cooldown));
    verify(&auth, &k1.token()).await.unwrap();

    let start = Instant::now();
    let mut sent = 0u32;
    while start.elapsed() < cooldown * 4 {
        let token = attacker.token_as(Some(&format!("flood-{sent}")), None);
        assert!(is_unknown_key(&verify(&auth, &token).await));
        sent += 1;
    }
    let elapsed = start.elapsed();
    let refetches = server.hits() - 1;
    let windows = (elapsed.as_millis() / cooldown.as_millis()) as usize;
    assert!(
        refetches <= windows + 1,
        "{refetches} refetches in {elapsed:?} ({sent} requests)"
    );
    // The budget comes back after each cooldown.
    assert!(refetches >= 2, "{refetches} refetches in {elapsed:?}");
    assert_eq!(stats(&auth).miss_refetches as usize, refetches);
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_key_is_fetched_within_the_same_request() {
    let k1 = TestKey::with_kid("k1");
    let k2 = TestKey::with_kid("k2");
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(&server, JwksOptions::default());
    verify(&auth, &k1.token()).await.unwrap();

    server.publish(&[&k1, &k2]);
    verify(&auth, &k2.token()).await.unwrap();
    assert_eq!(server.hits(), 2);
    assert_eq!(stats(&auth).miss_refetches, 1);
    verify(&auth, &k1.token()).await.unwrap();
    verify(&auth, &k2.token()).await.unwrap();
    assert_eq!(server.hits(), 2);
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_key_is_accepted_on_its_first_request_after_the_cooldown() {
    let cooldown = Duration::from_secs(2);
    let k1 = TestKey::with_kid("k1");
    let k2 = TestKey::with_kid("k2");
    let k3 = TestKey::with_kid("k3");
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(&server, JwksOptions::default().miss_cooldown(cooldown));
    verify(&auth, &k1.token()).await.unwrap();

    // k2 is used before it is published: one refetch proves it unknown.
    let miss_started = Instant::now();
    assert!(is_unknown_key(&verify(&auth, &k2.token()).await));
    let miss_done = Instant::now();
    assert_eq!(server.hits(), 2);

    server.publish(&[&k1, &k2, &k3]);
    // k2 is negatively cached until the next successful fetch.
    assert!(is_unknown_key(&verify(&auth, &k2.token()).await));
    assert_eq!(server.hits(), 2);
    // k3 was never looked up; inside the cooldown it can't cause a fetch.
    let result = verify(&auth, &k3.token()).await;
    if Instant::now() + Duration::from_millis(10) < miss_started + cooldown {
        assert!(is_unknown_key(&result), "{result:?}");
        assert_eq!(server.hits(), 2);
    }

    // After the cooldown, k3's first request refetches and succeeds.
    tokio::time::sleep_until((miss_done + cooldown + Duration::from_millis(50)).into()).await;
    let before = server.hits();
    verify(&auth, &k3.token()).await.unwrap();
    assert_eq!(server.hits(), before + 1);
    // That successful fetch cleared the negative cache: k2 now works, no fetch.
    verify(&auth, &k2.token()).await.unwrap();
    assert_eq!(server.hits(), before + 1);
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_cold_verifications_share_one_fetch() {
    let k1 = TestKey::with_kid("k1");
    let server = Server::with_keys(&[&k1]).await;
    // A slow server makes sure the requests really overlap the fetch.
    server.delay(Duration::from_millis(300));
    let auth = auth(&server, JwksOptions::default());
    let token = k1.token();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let auth = auth.clone();
            let token = token.clone();
            tokio::spawn(async move { verify(&auth, &token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.hits(), 1);
    assert_eq!(stats(&auth).fetches, 1);

    // Concurrent unknown kids while the set is cached: one refetch, all 401.
    let stranger = TestKey::new(None);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let auth = auth.clone();
            let token = stranger.token_as(Some(&format!("new-{i}")), None);
            tokio::spawn(async move { verify(&auth, &token).await })
        })
        .collect();
    for task in tasks {
        assert!(is_unknown_key(&task.await.unwrap()));
    }
    assert_eq!(server.hits(), 2);
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_jwks_serves_stale_keys_then_keys_unavailable() {
    let ttl = Duration::from_secs(1);
    let max_stale = Duration::from_secs(4);
    let k1 = TestKey::with_kid("k1");
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(
        &server,
        JwksOptions::default()
            .default_ttl(ttl)
            .min_ttl(ttl)
            .max_stale(max_stale)
            .retry_initial(Duration::from_millis(100))
            .retry_max(Duration::from_millis(300)),
    );
    let token = k1.token();
    let t0 = Instant::now();
    verify(&auth, &token).await.unwrap();
    let fetched = Instant::now();
    server.set(Mode::Status(500));
    // The refresh can't start before 80 % of the lifetime: if we got here
    // earlier, no refresh has succeeded.
    let clean = Instant::now() < t0 + ttl.mul_f64(0.8);

    // The background refresh fails...
    eventually("a failed refresh", async || {
        stats(&auth).fetch_failures >= 1
    })
    .await;
    // ...and once the set has expired, its keys are still served.
    tokio::time::sleep_until((fetched + ttl + Duration::from_millis(200)).into()).await;
    let result = verify(&auth, &token).await;
    if clean && Instant::now() < t0 + ttl + max_stale {
        result.unwrap();
        assert!(stats(&auth).stale_serves >= 1);
    }

    // Past max_stale: 503 with a Retry-After.
    eventually("keys unavailable", async || {
        is_unavailable(&verify(&auth, &token).await)
    })
    .await;
    assert!(Instant::now() >= t0 + ttl + max_stale);
    match verify(&auth, &token).await {
        Err(e @ AuthError::KeysUnavailable { retry_after }) => {
            assert!(retry_after >= Duration::from_secs(1));
            assert_eq!(e.status().as_u16(), 503);
        }
        other => panic!("expected KeysUnavailable, got {other:?}"),
    }
    assert!(stats(&auth).fetch_failures >= 2);

    // The server recovers: the background retry picks the keys up again.
    server.publish(&[&k1]);
    eventually("recovery", async || verify(&auth, &token).await.is_ok()).await;
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_jwks_fails_within_the_fetch_timeout() {
    let timeout = Duration::from_millis(500);
    let k1 = TestKey::with_kid("k1");
    let server = Server::start(Mode::Hang).await;
    // A client without any timeout of its own: usso still bounds the fetch.
    let config = JwtConfig::builder()
        .jwks_url(server.url())
        .jwks_options(JwksOptions::default().fetch_timeout(timeout))
        .http_client(usso::reqwest::Client::new())
        .verify_iss(false)
        .verify_aud(false)
        .build()
        .unwrap();
    let auth = UssoAuth::new(config).unwrap();
    let start = Instant::now();
    let result = verify(&auth, &k1.token()).await;
    let elapsed = start.elapsed();
    assert!(is_unavailable(&result), "{result:?}");
    assert!(
        elapsed >= timeout - Duration::from_millis(50),
        "{elapsed:?}"
    );
    assert!(elapsed < timeout + Duration::from_secs(5), "{elapsed:?}");
    assert!(stats(&auth).fetch_failures >= 1);
    // Within the back-off, the next request doesn't wait for another fetch.
    assert!(is_unavailable(&verify(&auth, &k1.token()).await));
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_jwk_is_skipped_and_the_others_work() {
    let k1 = TestKey::with_kid("k1");
    let k3 = TestKey::with_kid("k3");
    let bad = TestKey::with_kid("bad");
    let enc = TestKey::with_kid("enc");
    let mut enc_jwk = enc.jwk();
    enc_jwk["use"] = json!("enc");
    let body = json!({"keys": [
        k1.jwk(),
        {"kty": "OKP", "crv": "Ed25519", "kid": "bad", "x": "not base64url!"},
        k3.jwk(),
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
        enc_jwk,
        {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA"},
        "not even an object",
    ]});
    let server = Server::start(Mode::Body(body.to_string())).await;
    let auth = auth(&server, JwksOptions::default());
    verify(&auth, &k1.token()).await.unwrap();
    verify(&auth, &k3.token()).await.unwrap();
    assert!(is_unknown_key(&verify(&auth, &bad.token()).await));
    assert!(is_unknown_key(&verify(&auth, &enc.token()).await));
    assert_eq!(stats(&auth).keys_loaded, 2);
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_key_is_rejected_after_refresh_now() {
    let k1 = TestKey::with_kid("k1");
    let k2 = TestKey::with_kid("k2");
    let server = Server::with_keys(&[&k1, &k2]).await;
    let auth = auth(&server, JwksOptions::default());
    verify(&auth, &k1.token()).await.unwrap();
    verify(&auth, &k2.token()).await.unwrap();

    server.publish(&[&k2]);
    store(&auth).refresh_now().await.unwrap();
    assert!(is_unknown_key(&verify(&auth, &k1.token()).await));
    verify(&auth, &k2.token()).await.unwrap();
    assert_eq!(stats(&auth).keys_loaded, 1);
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_key_is_rejected_after_the_background_refresh() {
    let k1 = TestKey::with_kid("k1");
    let k2 = TestKey::with_kid("k2");
    let server = Server::with_keys(&[&k1, &k2]).await;
    server.cache_control("max-age=1");
    let auth = auth(
        &server,
        JwksOptions::default()
            .min_ttl(Duration::from_secs(1))
            .miss_cooldown(Duration::from_secs(600)),
    );
    verify(&auth, &k1.token()).await.unwrap();
    // Use up the miss budget, so only the background refresh can drop k1.
    let stranger = TestKey::with_kid("stranger");
    assert!(is_unknown_key(&verify(&auth, &stranger.token()).await));

    server.publish(&[&k2]);
    eventually("k1 rejected", async || {
        is_unknown_key(&verify(&auth, &k1.token()).await)
    })
    .await;
    verify(&auth, &k2.token()).await.unwrap();
    assert_eq!(stats(&auth).miss_refetches, 1);
    server.assert_requests_exact();
}

/// Starts a server with `Cache-Control: cache_control`, warms the store,
/// waits for the background refresh, and returns the time between the two fetches.
async fn refresh_gap(cache_control: &str, options: JwksOptions) -> Duration {
    let k1 = TestKey::with_kid("k1");
    let server = Server::with_keys(&[&k1]).await;
    server.cache_control(cache_control);
    let auth = auth(&server, options.default_ttl(Duration::from_secs(3600)));
    verify(&auth, &k1.token()).await.unwrap();
    eventually("a background refresh", async || server.hits() >= 2).await;
    server.assert_requests_exact();
    let hits = server.hit_times();
    hits[1] - hits[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_control_max_age_is_honoured() {
    // max-age=2 → refresh at 80 %: 1.6 s after the first fetch (and not
    // after the 1 h default lifetime).
    let gap = refresh_gap(
        "public, max-age=2",
        JwksOptions::default().min_ttl(Duration::from_secs(1)),
    )
    .await;
    assert!(gap >= Duration::from_millis(1550), "{gap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_control_max_age_is_clamped_to_max_ttl() {
    let options = JwksOptions::default()
        .min_ttl(Duration::from_secs(1))
        .max_ttl(Duration::from_secs(2));
    let gap = refresh_gap("max-age=86400", options).await;
    assert!(gap >= Duration::from_millis(1550), "{gap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_control_no_store_is_clamped_to_min_ttl() {
    let options = JwksOptions::default().min_ttl(Duration::from_secs(2));
    let gap = refresh_gap("no-store", options).await;
    assert!(gap >= Duration::from_millis(1550), "{gap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kidless_tokens_need_exactly_one_fitting_key() {
    // One key, itself without a kid.
    let only = TestKey::new(None);
    let server = Server::with_keys(&[&only]).await;
    let auth1 = auth(&server, JwksOptions::default());
    verify(&auth1, &only.token()).await.unwrap();

    // One key with a kid: a kid-less token still finds it.
    let k1 = TestKey::with_kid("k1");
    let server = Server::with_keys(&[&k1]).await;
    let auth2 = auth(&server, JwksOptions::default());
    verify(&auth2, &k1.token_as(None, None)).await.unwrap();

    // Two keys: ambiguous.
    let k2 = TestKey::with_kid("k2");
    let server = Server::with_keys(&[&k1, &k2]).await;
    let auth3 = auth(&server, JwksOptions::default());
    match verify(&auth3, &k1.token_as(None, None)).await {
        Err(AuthError::TokenInvalid { reason }) => {
            assert!(
                reason.contains("no `kid`") && reason.contains('2'),
                "{reason}"
            );
        }
        other => panic!("expected TokenInvalid, got {other:?}"),
    }
    // ...while tokens with a kid work, without another fetch.
    verify(&auth3, &k2.token()).await.unwrap();
    assert_eq!(server.hits(), 1);
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_body_is_a_failed_fetch() {
    let k1 = TestKey::with_kid("k1");
    // Chunked, no Content-Length: the limit is enforced while streaming.
    let server = Server::start(Mode::Chunked(256)).await;
    let auth = auth(&server, JwksOptions::default().max_body_bytes(8 * 1024));
    assert!(is_unavailable(&verify(&auth, &k1.token()).await));
    assert!(stats(&auth).fetch_failures >= 1);
    let error = store(&auth).refresh_now().await.unwrap_err();
    assert!(error.reason().contains("larger than"), "{error}");

    // With a Content-Length above the limit: refused up front.
    let mut padded = json!({"keys": [k1.jwk()]});
    padded["padding"] = json!("x".repeat(16 * 1024));
    server.set(Mode::Body(padded.to_string()));
    assert!(store(&auth).refresh_now().await.is_err());

    // A body within the limit works.
    server.publish(&[&k1]);
    store(&auth).refresh_now().await.unwrap();
    verify(&auth, &k1.token()).await.unwrap();
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_empty_and_5xx_are_failed_fetches() {
    let k1 = TestKey::with_kid("k1");
    for mode in [
        Mode::Status(500),
        Mode::Status(404),
        Mode::Body("<html>garbage</html>".into()),
        Mode::Body("{\"keys\": []}".into()),
        Mode::Body("{\"keys\": [{\"kty\": \"oct\", \"k\": \"c2VjcmV0\"}]}".into()),
        Mode::Body("{\"no_keys\": true}".into()),
    ] {
        let server = Server::start(mode).await;
        let auth = auth(&server, JwksOptions::default());
        let result = verify(&auth, &k1.token()).await;
        assert!(is_unavailable(&result), "{result:?}");
        assert!(stats(&auth).fetch_failures >= 1);
        assert!(store(&auth).prefetch().await.is_err());
        server.assert_requests_exact();
    }

    // After a good fetch, a garbage refresh keeps the good keys.
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(&server, JwksOptions::default());
    verify(&auth, &k1.token()).await.unwrap();
    server.set(Mode::Body("garbage".into()));
    assert!(store(&auth).refresh_now().await.is_err());
    verify(&auth, &k1.token()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_discovery_finds_the_jwks_and_checks_the_issuer() {
    let k1 = TestKey::with_kid("k1");
    let server = Server::with_keys(&[&k1]).await;
    let issuer = server.base.clone();
    server.state.lock().unwrap().discovery = Some(
        json!({"issuer": issuer, "jwks_uri": server.url(), "id_token_signing_alg_values_supported": ["EdDSA"]})
            .to_string(),
    );
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&JwtConfig::builder().issuer_discovery(&issuer));
    let config = tokio::time::timeout(PATIENCE, JwtConfig::builder().issuer_discovery(&issuer))
        .await
        .unwrap()
        .unwrap()
        // Discovery sets the issuer; these tokens carry no audience.
        .verify_aud(false)
        .build()
        .unwrap();
    assert_eq!(config.jwks_url(), Some(server.url().as_str()));
    assert_eq!(config.issuers(), std::slice::from_ref(&issuer));
    let auth = UssoAuth::new(config).unwrap();
    verify(&auth, &k1.token_as(Some("k1"), Some(&issuer)))
        .await
        .unwrap();
    assert!(matches!(
        verify(&auth, &k1.token_as(Some("k1"), Some("http://evil.example"))).await,
        Err(AuthError::InvalidIssuer)
    ));

    // A document naming another issuer is refused.
    server.state.lock().unwrap().discovery =
        Some(json!({"issuer": "http://evil.example", "jwks_uri": server.url()}).to_string());
    let err = JwtConfig::builder()
        .issuer_discovery(&issuer)
        .await
        .unwrap_err();
    assert!(
        matches!(err, usso::ConfigError::InvalidSetting { .. }),
        "{err:?}"
    );
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_store_is_fetched_once_for_many_configs() {
    let k1 = TestKey::with_kid("k1");
    let k2 = TestKey::with_kid("k2");
    let server = Server::with_keys(&[&k1, &k2]).await;
    let options = JwksOptions::default().shared(true);
    let a = auth(&server, options.clone());
    let b = auth(&server, options.clone());
    assert!(Arc::ptr_eq(store(&a), store(&b)));
    let direct = JwksStore::shared(server.url(), &JwksOptions::default(), None).unwrap();
    assert!(Arc::ptr_eq(store(&a), &direct));
    // Not shared: a store of its own.
    let own = auth(&server, JwksOptions::default());
    assert!(!Arc::ptr_eq(store(&a), store(&own)));
    // Other options: another store.
    let c = auth(
        &server,
        options.clone().miss_cooldown(Duration::from_secs(5)),
    );
    assert!(!Arc::ptr_eq(store(&a), store(&c)));

    assert_eq!(direct.prefetch().await.unwrap(), 2);
    assert_eq!(
        direct.prefetch().await.unwrap(),
        2,
        "fresh: no second fetch"
    );
    verify(&a, &k1.token()).await.unwrap();
    verify(&b, &k2.token()).await.unwrap();
    assert_eq!(server.hits(), 1);
    assert_eq!(direct.url(), server.url());
    server.assert_requests_exact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_verification_uses_the_cache_only() {
    let k1 = TestKey::with_kid("k1");
    let server = Server::with_keys(&[&k1]).await;
    let auth = auth(&server, JwksOptions::default());
    let token = k1.token();
    assert!(matches!(
        auth.verify_token_sync::<UserData>(&token),
        Err(AuthError::KeysUnavailable { .. })
    ));
    assert_eq!(server.hits(), 0);
    verify(&auth, &token).await.unwrap();
    auth.verify_token_sync::<UserData>(&token).unwrap();
    assert_eq!(server.hits(), 1);
}
