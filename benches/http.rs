//! HTTP benchmark: `GET /me` without auth, with usso, and with usso's
//! verified-token cache, on axum and on actix-web, driven by `wrk` over
//! 127.0.0.1, the six servers alternated twice. Also: JWKS fetches during the run, a 50-client cold start, and the
//! server's peak RSS after ~100k requests over 10k distinct tokens.
//!
//! Run with `bash benches/run.sh` (installs `wrk` when missing) or
//! `cargo bench --bench http` with `wrk` on the PATH.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use usso::testing::TestIssuer;
use usso::{TokenCacheOptions, UserData, UssoAuth};

/// axum's three servers, then actix-web's (`actix:` prefix).
const MODES: [&str; 6] = [
    "noauth",
    "usso",
    "usso+cache",
    "actix:noauth",
    "actix:usso",
    "actix:usso+cache",
];

/// Each framework's own no-auth server, the baseline of its rows.
fn baseline(mode: &str) -> &'static str {
    if mode.starts_with("actix:") {
        "actix:noauth"
    } else {
        "noauth"
    }
}

fn me_value(user: &UserData) -> Value {
    json!({
        "user_id": user.sub, "tenant": user.tenant_id, "workspace": user.workspace_id,
        "roles": user.roles, "scopes": user.scopes,
    })
}

fn me_json(user: &UserData) -> Json<Value> {
    Json(me_value(user))
}

/// The server side: runs in a child process so its CPU time can be read.
fn server(mode: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let issuer = TestIssuer::builder().audience("bench").start().await;
        let mut builder = issuer.config_builder();
        if mode.ends_with("usso+cache") {
            builder = builder.token_cache(TokenCacheOptions::default().max_entries(20_000));
        }
        let auth = UssoAuth::new(builder.build().unwrap()).unwrap();
        let tokens: Vec<String> = (0..10_000)
            .map(|i| {
                issuer
                    .token()
                    .sub(format!("user:{i}"))
                    .tenant("org_1")
                    .workspace("ws_a")
                    .roles(["editor"])
                    .scopes(["read:posts", "write:posts"])
                    .expires_in(Duration::from_secs(3600))
                    .mint()
            })
            .collect();
        let path = std::env::var("USSO_BENCH_TOKENS").unwrap();
        std::fs::write(&path, tokens.join("\n")).unwrap();
        let fixed = UserData::new("user:0")
            .with_roles(["editor"])
            .with_scopes(["read:posts", "write:posts"]);
        if let Some(mode) = mode.strip_prefix("actix:") {
            return actix_server(mode, auth, fixed, issuer).await;
        }
        let fetches = {
            let issuer = std::sync::Arc::new(issuer);
            move || {
                let issuer = std::sync::Arc::clone(&issuer);
                async move { issuer.fetch_count().to_string() }
            }
        };
        let app = match mode {
            "noauth" => Router::new().route(
                "/me",
                get(move || {
                    let user = fixed.clone();
                    async move { me_json(&user) }
                }),
            ),
            _ => Router::new().route("/me", get(|user: UserData| async move { me_json(&user) })),
        }
        .route("/_fetches", get(fetches))
        .with_state(auth);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("READY {}", listener.local_addr().unwrap());
        axum::serve(listener, app).await.unwrap();
    });
}

/// The same service on actix-web: two workers (the machine's two cores, as
/// tokio's default for axum), `/me` as a `UserData` extractor.
async fn actix_server(mode: &str, auth: UssoAuth, fixed: UserData, issuer: TestIssuer) {
    use actix_web::{App, HttpServer, web};
    let noauth = mode == "noauth";
    let issuer = std::sync::Arc::new(issuer);
    let auth = web::Data::new(auth);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    println!("READY {}", listener.local_addr().unwrap());
    HttpServer::new(move || {
        let issuer = std::sync::Arc::clone(&issuer);
        let app = App::new().app_data(auth.clone()).route(
            "/_fetches",
            web::get().to(move || {
                let count = issuer.fetch_count();
                async move { count.to_string() }
            }),
        );
        if noauth {
            let fixed = fixed.clone();
            app.route(
                "/me",
                web::get().to(move || {
                    let user = fixed.clone();
                    async move { web::Json(me_value(&user)) }
                }),
            )
        } else {
            app.route(
                "/me",
                web::get().to(|user: UserData| async move { web::Json(me_value(&user)) }),
            )
        }
    })
    .workers(2)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run()
    .await
    .unwrap();
}

struct Server {
    child: Child,
    addr: SocketAddr,
    tokens: Vec<String>,
}

impl Server {
    fn start(mode: &str) -> Self {
        let tokens_path =
            std::env::temp_dir().join(format!("usso-bench-tokens-{}.txt", std::process::id()));
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("USSO_BENCH_ROLE", mode)
            .env("USSO_BENCH_TOKENS", &tokens_path)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("READY ")
            .expect("server did not start")
            .parse()
            .unwrap();
        let tokens = std::fs::read_to_string(&tokens_path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        Self {
            child,
            addr,
            tokens,
        }
    }

    /// utime + stime of the server, in seconds.
    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split(' ').collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / 100.0
    }

    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let auth = token
            .map(|t| format!("authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: bench\r\n{auth}connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        (status, body)
    }

    fn fetches(&self) -> u64 {
        self.get("/_fetches", None)
            .1
            .trim()
            .parse()
            .unwrap_or(u64::MAX)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs wrk and returns (requests, seconds).
fn wrk(addr: SocketAddr, seconds: u32, token: Option<&str>, script: Option<&str>) -> (u64, f64) {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c32", &format!("-d{seconds}s"), "--latency"]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    if let Some(s) = script {
        cmd.args(["-s", s]);
    }
    cmd.arg(format!("http://{addr}/me"));
    let out = cmd
        .output()
        .expect("wrk is needed: apt-get install wrk (benches/run.sh does it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("requests in"))
        .unwrap_or_else(|| panic!("wrk output: {text}"));
    let requests: u64 = line.split_whitespace().next().unwrap().parse().unwrap();
    let secs: f64 = line
        .split("requests in")
        .nth(1)
        .and_then(|s| s.trim().split(',').next())
        .map(|d| d.trim_end_matches('s').parse().unwrap_or(seconds as f64))
        .unwrap_or(seconds as f64);
    let non2xx = text.lines().any(|l| l.contains("Non-2xx"));
    assert!(!non2xx, "wrk saw errors: {text}");
    (requests, secs)
}

fn main() {
    if let Ok(mode) = std::env::var("USSO_BENCH_ROLE") {
        return server(&mode);
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk not found: install it (apt-get install wrk) or run benches/run.sh");
        std::process::exit(1);
    }
    let seconds = std::env::var("USSO_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut results: Vec<(&str, f64, f64, u64)> = Vec::new();
    for round in 0..2 {
        for mode in MODES {
            let server = Server::start(mode);
            let token = server.tokens[0].clone();
            let noauth = mode.ends_with("noauth");
            let (status, _) = server.get("/me", (!noauth).then_some(token.as_str()));
            assert_eq!(status, 200, "{mode}: warm-up request failed");
            let cpu0 = server.cpu_seconds();
            let (requests, secs) = wrk(server.addr, seconds, Some(&token), None);
            let cpu = server.cpu_seconds() - cpu0;
            let fetches = if noauth { 0 } else { server.fetches() };
            println!(
                "<!-- round {round} {mode}: {requests} requests in {secs:.2}s, server CPU {cpu:.2}s, JWKS fetches {fetches} -->"
            );
            results.push((
                mode,
                requests as f64 / secs,
                cpu * 1e6 / requests as f64,
                fetches,
            ));
        }
    }
    let median = |mode: &str, pick: fn(&(&str, f64, f64, u64)) -> f64| {
        let mut v: Vec<f64> = results.iter().filter(|r| r.0 == mode).map(pick).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "| framework | route | requests/s (median of 2) | vs its own no-auth | server CPU µs/request | CPU above its own no-auth | JWKS fetches per run |"
    );
    println!("|---|---|---|---|---|---|---|");
    for mode in MODES {
        let base_rps = median(baseline(mode), |r| r.1);
        let base_cpu = median(baseline(mode), |r| r.2);
        let (framework, route) = mode.split_once(':').unwrap_or(("axum", mode));
        let rps = median(mode, |r| r.1);
        let cpu = median(mode, |r| r.2);
        let fetches = results
            .iter()
            .filter(|r| r.0 == mode)
            .map(|r| r.3)
            .max()
            .unwrap_or(0);
        println!(
            "| {framework} | {route} | {rps:.0} | {:.2}x | {cpu:.1} | {:+.1} | {fetches} |",
            rps / base_rps,
            cpu - base_cpu
        );
    }

    // Cold start: 50 clients at once on a fresh server.
    let server = Server::start("usso");
    let token = server.tokens[1].clone();
    let start = Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|_| s.spawn(|| server.get("/me", Some(&token)).0))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    println!(
        "\ncold start: 50 concurrent clients, all 200 in {:.0} ms, JWKS fetches: {}",
        start.elapsed().as_secs_f64() * 1000.0,
        server.fetches()
    );
    drop(server);

    // Memory: ~100k requests over 10k distinct tokens, cache on.
    let server = Server::start("usso+cache");
    let tokens_file =
        std::env::temp_dir().join(format!("usso-bench-tokens-{}.txt", std::process::id()));
    let script = std::env::temp_dir().join(format!("usso-bench-{}.lua", std::process::id()));
    std::fs::write(
        &script,
        format!(
            "local tokens = {{}}\nfor line in io.lines(\"{}\") do tokens[#tokens + 1] = line end\nlocal i = 0\nrequest = function()\n  i = i % #tokens + 1\n  return wrk.format(\"GET\", \"/me\", {{ [\"Authorization\"] = \"Bearer \" .. tokens[i] }})\nend\n",
            tokens_file.display()
        ),
    )
    .unwrap();
    let rss_before = server.peak_rss_kib();
    let mut total = 0;
    let mut runs = 0;
    while total < 100_000 && runs < 10 {
        total += wrk(server.addr, 4, None, Some(script.to_str().unwrap())).0;
        runs += 1;
    }
    println!(
        "memory: peak RSS {} KiB after {total} requests over 10000 distinct tokens (cache on, max 20000 entries); {} KiB before the load",
        server.peak_rss_kib(),
        rss_before
    );
}
