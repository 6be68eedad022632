//! Revocation across a fleet, through a real `redis-server` (started by
//! each test on a free 127.0.0.1 port): replica processes of
//! `examples/logout.rs` over real sockets, Redis killed and restarted, a
//! replica that starts late, the verified-token cache, 100k expiring rules,
//! and hostile input on the channel and in the keys.

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/logout.rs"]
mod logout;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use redis_server::RedisServer;
use serde_json::Value;
use tower::ServiceExt;
use usso::testing::TestIssuer;
use usso::{
    AuthError, ConfigError, NumericDate, RevocationError, RevocationOptions, Revocations,
    TokenCacheOptions, UssoAuth,
};

/// Test settings: reconnect fast, notice a dead server fast.
fn redis(server: &RedisServer) -> usso::RedisRevocations {
    Revocations::redis(server.url())
        .retry_backoff(Duration::from_millis(50), Duration::from_millis(300))
        .health_check_interval(Duration::from_millis(200))
        .connect_timeout(Duration::from_secs(3))
}

/// Polls `check` every 10 ms until it holds or `within` passes; returns
/// how long it took.
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if check().await {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// --- replica processes --------------------------------------------------

/// The line a replica prints once it serves.
const READY_LINE: &str = "REPLICA_ADDR=";

/// One replica of `examples/logout.rs`: this test binary, started again to
/// run [`replica_process`] only.
struct Replica {
    child: Child,
    addr: SocketAddr,
}

impl Replica {
    fn start(issuer: &TestIssuer, redis: &RedisServer) -> Self {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut child = Command::new(exe)
            .args(["replica_process", "--exact", "--ignored", "--nocapture"])
            .env("USSO_JWKS_URL", issuer.jwks_url())
            .env("USSO_ISSUER", issuer.issuer())
            .env("USSO_AUDIENCE", issuer.audience())
            .env(logout::REDIS_VAR, redis.url())
            .env("USSO_EXAMPLE_ADDR", "127.0.0.1:0")
            .env("USSO_REPLICA_PROCESS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start a replica process");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(addr) = line.strip_prefix(READY_LINE) {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr.parse().expect("a socket address"),
            Err(_) => {
                let _ = child.kill();
                panic!("a replica process did not start serving within 60 s");
            }
        };
        Self { child, addr }
    }

    async fn call(&self, method: &str, path: &str, token: &str) -> (u16, Value) {
        let res = reqwest::Client::new()
            .request(
                method.parse().unwrap(),
                format!("http://{}{path}", self.addr),
            )
            .bearer_auth(token)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .expect("the replica answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of a replica process (see [`Replica`]); does nothing in a
/// normal test run.
#[test]
#[ignore = "a replica process, started by the fleet tests"]
fn replica_process() {
    assert!(
        std::env::var("USSO_REPLICA_PROCESS").is_ok(),
        "started by the fleet tests only"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let demo = logout::start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap_or_else(|e| panic!("replica start-up: {e}"));
        println!("{READY_LINE}{}", demo.addr);
        // Killed by its parent; the bound only guards against an orphan.
        tokio::time::sleep(Duration::from_secs(300)).await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_on_one_replica_is_refused_by_the_others_within_a_second() {
    let server = RedisServer::start();
    let issuer = TestIssuer::start().await;
    let replicas: Vec<Replica> = (0..3).map(|_| Replica::start(&issuer, &server)).collect();
    let (a, b, c) = (&replicas[0], &replicas[1], &replicas[2]);
    let token = |session: &str| issuer.token().claim("session_id", session).mint();
    let (leaving, staying) = (token("s-leaving"), token("s-staying"));
    for replica in &replicas {
        // Twice: the second answer comes from the verified-token cache.
        for _ in 0..2 {
            assert_eq!(replica.call("GET", "/me", &leaving).await.0, 200);
        }
    }

    let (status, body) = a.call("POST", "/logout", &leaving).await;
    assert_eq!(
        (status, &body["revoked"]["session_id"]),
        (200, &Value::from("s-leaving"))
    );
    let logged_out = Instant::now();
    for replica in [b, c] {
        eventually(
            Duration::from_secs(1),
            "refused by another replica",
            || async {
                let (status, body) = replica.call("GET", "/me", &leaving).await;
                status == 401 && body["error"] == "token_revoked"
            },
        )
        .await;
    }
    println!(
        "refused by B and C {:?} after the logout",
        logged_out.elapsed()
    );
    for replica in &replicas {
        assert_eq!(replica.call("GET", "/me", &staying).await.0, 200);
        assert_eq!(replica.call("GET", "/me", &leaving).await.0, 401);
    }

    // A replica started after the logout loads it before it serves: its
    // very first answer refuses the session.
    let late = Replica::start(&issuer, &server);
    let (status, body) = late.call("GET", "/me", &leaving).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_revoked"))
    );
    assert_eq!(late.call("GET", "/me", &staying).await.0, 200);
    assert_eq!(late.call("GET", "/ready", &staying).await.0, 200);
}

/// The demo's printed lines, as printed: without `USSO_REDIS_URL` the
/// revocations hold in its process, and each line gives its status.
#[tokio::test]
async fn the_demo_lines_give_their_statuses() {
    assert!(std::env::var(logout::REDIS_VAR).is_err() && std::env::var("USSO_JWKS_URL").is_err());
    let demo = logout::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let token = &demo.tokens["alice"];
    let client = reqwest::Client::new();
    for t in logout::TRIES {
        let mut req = client.request(
            t.method.parse().unwrap(),
            format!("http://{}{}", demo.addr, t.path),
        );
        if t.persona.is_some() {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        let line = t.curl(demo.addr);
        assert_eq!(res.status().as_u16(), t.expect, "{line}");
        if let Some(error) = t.says {
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"], error, "{line}");
        }
    }
}

// --- one process, several sets ------------------------------------------

async fn me(auth: &UssoAuth, token: &str) -> (StatusCode, Value, Option<String>) {
    let app = logout::router(auth.clone());
    let req = Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        retry,
    )
}

fn auth_with(issuer: &TestIssuer, revocations: Revocations) -> UssoAuth {
    let config = issuer
        .config_builder()
        .revocations(revocations)
        .token_cache(TokenCacheOptions::default())
        .build()
        .unwrap();
    UssoAuth::new(config).unwrap()
}

#[tokio::test]
async fn a_cached_token_is_refused_as_soon_as_its_revocation_arrives() {
    let server = RedisServer::start();
    let issuer = TestIssuer::start().await;
    let here = auth_with(&issuer, redis(&server).connect().await.unwrap());
    let there = auth_with(&issuer, redis(&server).connect().await.unwrap());
    let exp = common::now() + 600;
    let token = issuer
        .token()
        .claim("jti", "j-cached")
        .claim("exp", exp)
        .mint();
    for _ in 0..3 {
        assert_eq!(me(&there, &token).await.0, StatusCode::OK);
    }
    let stats = there.token_cache_stats().unwrap();
    assert!(stats.hits >= 2 && stats.entries == 1, "{stats:?}");

    here.revocations()
        .revoke_jti("j-cached", NumericDate::from_secs(exp))
        .await
        .unwrap();
    eventually(
        Duration::from_secs(5),
        "the cached token refused",
        || async { me(&there, &token).await.0 == StatusCode::UNAUTHORIZED },
    )
    .await;
    assert_eq!(
        there.verify_token(&token).await.unwrap_err(),
        AuthError::TokenRevoked
    );
    assert_eq!(
        there.token_cache_stats().unwrap().entries,
        0,
        "out of the cache"
    );
    // The key in Redis lives until the token's exp plus the leeway.
    let ttl = server
        .command(&["PTTL", "usso:revocations:jti:j-cached"])
        .unwrap();
    let ttl: i64 = ttl.trim_start_matches(':').parse().unwrap();
    assert!((590_000..=611_000).contains(&ttl), "PTTL {ttl}");
}

#[tokio::test]
async fn a_redis_restart_loses_nothing_that_reached_it_and_replicas_resync() {
    let mut server = RedisServer::start();
    let issuer = TestIssuer::start().await;
    let a = auth_with(&issuer, redis(&server).connect().await.unwrap());
    let b = auth_with(&issuer, redis(&server).connect().await.unwrap());
    let token = |session: &str| issuer.token().claim("session_id", session).mint();
    let (before, during) = (token("s-before"), token("s-during"));
    let ok = token("s-ok");

    a.revocations()
        .revoke_session("s-before", None)
        .await
        .unwrap();
    eventually(Duration::from_secs(5), "B hears of s-before", || async {
        me(&b, &before).await.0 == StatusCode::UNAUTHORIZED
    })
    .await;

    server.kill();
    eventually(
        Duration::from_secs(5),
        "A notices Redis is gone",
        || async { a.revocations().sync().is_some_and(|s| !s.connected) },
    )
    .await;
    let err = a
        .revocations()
        .revoke_session("s-during", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RevocationError::NotShared { queued: true, .. }),
        "{err}"
    );
    assert_eq!(a.revocations().sync().unwrap().pending, 1);
    // A holds it; B can't know yet; both keep serving (fail-open).
    assert_eq!(me(&a, &during).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&b, &during).await.0, StatusCode::OK);
    assert_eq!(me(&b, &before).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&b, &ok).await.0, StatusCode::OK);

    server.restart();
    // A writes what it queued; B resyncs and refuses it.
    eventually(Duration::from_secs(10), "B refuses s-during", || async {
        me(&b, &during).await.0 == StatusCode::UNAUTHORIZED
    })
    .await;
    for set in [a.revocations(), b.revocations()] {
        eventually(Duration::from_secs(5), "back in sync", || async {
            set.sync().is_some_and(|s| s.connected && s.pending == 0)
        })
        .await;
    }
    // A set that starts now reads both from the restarted server: the one
    // written before the crash survived it.
    let fresh = auth_with(&issuer, redis(&server).connect().await.unwrap());
    assert_eq!(me(&fresh, &before).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&fresh, &during).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&fresh, &ok).await.0, StatusCode::OK);
}

#[tokio::test]
async fn fail_closed_answers_503_past_its_bound_and_fail_open_keeps_serving() {
    let mut server = RedisServer::start();
    let issuer = TestIssuer::start().await;
    let open = auth_with(&issuer, redis(&server).connect().await.unwrap());
    let closed = auth_with(
        &issuer,
        redis(&server)
            .fail_closed_after(Duration::from_millis(500))
            .connect()
            .await
            .unwrap(),
    );
    let token = issuer.token().mint();
    assert_eq!(me(&closed, &token).await.0, StatusCode::OK);

    server.kill();
    eventually(Duration::from_secs(10), "fail-closed refuses", || async {
        me(&closed, &token).await.0 == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    let (_, body, retry) = me(&closed, &token).await;
    assert_eq!(body["error"], "revocations_unavailable");
    assert!(retry.is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    assert!(closed.revocations().sync().unwrap().refusing);
    assert_eq!(
        me(&open, &token).await.0,
        StatusCode::OK,
        "fail-open serves"
    );

    server.restart();
    eventually(Duration::from_secs(10), "serving again", || async {
        me(&closed, &token).await.0 == StatusCode::OK
    })
    .await;
    assert!(!closed.revocations().sync().unwrap().refusing);
}

#[tokio::test]
async fn every_rule_kind_reaches_a_set_that_connects_later() {
    let server = RedisServer::start();
    let issuer = TestIssuer::start().await;
    let writer = redis(&server).connect().await.unwrap();
    let exp = common::now() + 300;
    writer
        .revoke_jti("j-1", NumericDate::from_secs(exp))
        .await
        .unwrap();
    writer.revoke_session("s-1", None).await.unwrap();
    let cut = NumericDate::from_secs(common::now() - 5);
    writer
        .revoke_subject_before("user:gone", cut)
        .await
        .unwrap();

    let late = auth_with(&issuer, redis(&server).connect().await.unwrap());
    assert_eq!(
        late.revocations().stats(),
        writer.stats(),
        "loaded before connect() returned"
    );
    let refused = [
        issuer.token().claim("jti", "j-1").mint(),
        issuer.token().claim("session_id", "s-1").mint(),
        issuer
            .token()
            .sub("user:gone")
            .claim("iat", common::now() - 60)
            .mint(),
    ];
    for token in &refused {
        assert_eq!(me(&late, token).await.0, StatusCode::UNAUTHORIZED);
    }
    // Issued after the cut-off: a new login of the same user passes.
    let relogin = issuer
        .token()
        .sub("user:gone")
        .claim("iat", common::now())
        .mint();
    assert_eq!(me(&late, &relogin).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_short_revocations_leave_nothing_behind() {
    const N: usize = 100_000;
    let server = RedisServer::start();
    let options = RevocationOptions::default().leeway(Duration::ZERO);
    let writer = redis(&server).options(options).connect().await.unwrap();
    let reader = redis(&server).options(options).connect().await.unwrap();
    // Long enough for every write to land before the first rule ends (a
    // debug build writes about 10k a second on a busy 2-core machine, so
    // this leaves a margin of 4x).
    let exp = NumericDate::from_millis(NumericDate::now().as_millis() + 40_000);
    let start = Instant::now();
    futures_util::stream::iter(0..N)
        .map(|i| {
            let writer = writer.clone();
            async move { writer.revoke_jti(&format!("j-{i}"), exp).await }
        })
        .buffer_unordered(64)
        .for_each(|r| async move { r.unwrap() })
        .await;
    println!("{N} revocations written in {:?}", start.elapsed());
    assert!(
        NumericDate::now() < exp,
        "writing took longer than the rules live: nothing left to check"
    );
    assert_eq!(writer.stats().jtis, N);
    eventually(Duration::from_secs(30), "the reader holds all", || async {
        reader.stats().jtis == N
    })
    .await;
    // Expired: the sets purge on their own (no call), Redis drops the keys.
    let until_exp =
        Duration::from_millis((exp.as_millis() - NumericDate::now().as_millis()).max(0) as u64);
    for set in [&writer, &reader] {
        eventually(until_exp + Duration::from_secs(30), "purged", || async {
            set.stats() == Default::default()
        })
        .await;
    }
    eventually(Duration::from_secs(30), "keys expired", || async {
        server.command(&["DBSIZE"]).unwrap() == ":0"
    })
    .await;
}

#[tokio::test]
async fn hostile_input_is_refused_or_ignored_and_never_poisons_the_set() {
    let server = RedisServer::start();
    let logs = common::Captured::default();
    let _guard = tracing::subscriber::set_default(logs.subscriber());
    let set = redis(&server).connect().await.unwrap();

    // Refused before anything is written.
    assert_eq!(
        set.revoke_jti("", NumericDate::now()).await,
        Err(RevocationError::Empty { what: "jti" })
    );
    let huge = "s".repeat(10 * 1024);
    assert_eq!(
        set.revoke_session(&huge, None).await,
        Err(RevocationError::TooLong { what: "session_id" })
    );
    assert_eq!(server.command(&["DBSIZE"]).unwrap(), ":0");

    // Raw writes to the channel and keys, as anyone with access could.
    let client = redis::Client::open(server.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let channel = "usso:revocations:events";
    let long_id = format!("v1 session 9999999999999 {huge}");
    let messages: [&[u8]; 6] = [
        b"\xff\xfe\x00 not utf-8",
        b"",
        b"v1 session 1",
        b"v1 jti not-a-number j",
        b"v9 jti 1 j",
        long_id.as_bytes(),
    ];
    for message in messages {
        let _: i64 = redis::cmd("PUBLISH")
            .arg(channel)
            .arg(message)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    let keys: [(&[u8], &[u8]); 3] = [
        (b"usso:revocations:jti:\xff\xfe", b"9999999999999"),
        (b"usso:revocations:jti:bad-value", b"tomorrow"),
        (b"usso:revocations:nonsense", b"1"),
    ];
    for (key, value) in keys {
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    // A real revocation after the garbage still arrives: nothing is stuck.
    let other = redis(&server).connect().await.unwrap();
    set.revoke_session("s-after", None).await.unwrap();
    eventually(
        Duration::from_secs(5),
        "a valid revocation arrives",
        || async { other.stats().sessions == 1 },
    )
    .await;
    assert_eq!(set.stats().jtis + other.stats().jtis, 0, "no garbage held");
    let text = logs.text();
    assert!(
        text.contains("ignored a message on the revocation channel: not UTF-8"),
        "{text}"
    );
    assert!(text.contains("ignored an oversized message"), "{text}");
    assert!(
        text.contains("ignored a Redis key that is not a revocation"),
        "{text}"
    );
    assert!(
        !text.contains('\u{0}'),
        "control characters escaped in logs"
    );
}

#[tokio::test]
async fn bad_settings_are_config_errors_naming_the_field() {
    let unreachable = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cases = [
        (Revocations::redis("http://127.0.0.1/"), "redis_url"),
        (Revocations::redis(""), "redis_url"),
        (Revocations::redis("redis://[::1"), "redis_url"),
        (
            Revocations::redis("redis://127.0.0.1/").namespace("a*b"),
            "namespace",
        ),
        (
            Revocations::redis("redis://127.0.0.1/").namespace(""),
            "namespace",
        ),
        (
            Revocations::redis("redis://127.0.0.1/").connect_timeout(Duration::ZERO),
            "connect_timeout",
        ),
    ];
    for (settings, field) in cases {
        let err = settings.connect().await.unwrap_err();
        assert!(
            matches!(&err, ConfigError::InvalidUrl { setting, .. } | ConfigError::InvalidSetting { setting, .. } if *setting == field),
            "{field}: {err:?}"
        );
    }
    let err = Revocations::redis(format!("redis://127.0.0.1:{unreachable}/"))
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::RevocationsUnavailable { .. }),
        "{err:?}"
    );
}
