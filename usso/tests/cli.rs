//! The `usso` binary end to end: every command run as a real process
//! against a real `TestIssuer` on 127.0.0.1. Needs the `cli` feature (CI's
//! `cargo test --workspace --all-features` builds the binary).
#![cfg(feature = "cli")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use usso::Algorithm;
use usso::testing::TestIssuer;

const BIN: &str = env!("CARGO_BIN_EXE_usso");

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("USSO_JWKS_URL")
        .env_remove("USSO_ISSUER")
        .env_remove("USSO_AUDIENCE");
    cmd
}

/// Runs the binary to completion, with `stdin` as its standard input.
fn run_sync(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = command(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the usso binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // A command that fails before reading stdin closes it: not an error.
        if let Err(e) = pipe.write_all(input.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The same from async code, off the runtime thread (the issuer keeps serving).
async fn run(args: &[&str], stdin: Option<&str>) -> Run {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_sync(&args, stdin.as_deref())
    })
    .await
    .unwrap()
}

/// A one-line error on stderr, nothing on stdout, and the token nowhere.
fn assert_error(r: &Run, code: i32, starts: &str, token: &str) {
    assert_eq!(r.code, code, "{r:?}");
    assert!(r.stderr.starts_with(starts), "{r:?}");
    if !token.is_empty() {
        assert!(!r.stderr.contains(token), "token echoed: {r:?}");
        assert!(!r.stdout.contains(token), "token echoed: {r:?}");
    }
}

fn verify_args<'a>(issuer: &'a TestIssuer, jwks: &'a str) -> Vec<&'a str> {
    vec![
        "verify",
        "-",
        "--jwks-url",
        jwks,
        "--issuer",
        issuer.issuer(),
        "--audience",
        issuer.audience(),
    ]
}

#[test]
fn help_exits_0_for_the_tool_and_every_command() {
    for args in [&["--help"][..], &["-h"], &["help"]] {
        let r = run_sync(args, None);
        assert_eq!(r.code, 0, "{r:?}");
        for command in ["inspect", "verify", "jwks", "dev-issuer", "revoke"] {
            assert!(r.stdout.contains(command), "{r:?}");
        }
    }
    for command in ["inspect", "verify", "jwks", "dev-issuer", "revoke"] {
        for args in [&[command, "--help"][..], &["help", command]] {
            let r = run_sync(args, None);
            assert_eq!(r.code, 0, "{r:?}");
            assert!(
                r.stdout.contains(&format!("Usage: usso {command}")),
                "{r:?}"
            );
        }
    }
    let r = run_sync(&["--version"], None);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("usso "), "{r:?}");
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    let token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJl";
    let cases: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &[token],
        &["inspect"],
        &["inspect", token, token],
        &["inspect", "--bogus", token],
        &["verify", token],
        &["verify", token, "--jwks-url"],
        &["verify", token, "--jwks-url", "not a url"],
        &[
            "verify",
            token,
            "--jwks-url",
            "http://x/jwks",
            "--alg",
            "EdDSA",
        ],
        &[
            "verify",
            token,
            "--jwks-url",
            "http://x/jwks",
            "--key-file",
            "k.pem",
        ],
        &["verify", token, "--key-file", "/nonexistent/usso-key.pem"],
        &[
            "verify",
            token,
            "--jwks-url",
            "http://x/jwks",
            "--leeway",
            "soon",
        ],
        &[
            "verify",
            token,
            "--jwks-url",
            "http://x/jwks",
            "--leeway",
            "3600",
        ],
        &["jwks"],
        &["jwks", "ftp://example.com/jwks"],
        &["dev-issuer", "--addr", "nowhere"],
        &["dev-issuer", "--ttl", "forever"],
    ];
    for args in cases {
        let r = run_sync(args, None);
        assert_error(&r, 2, "error: ", token);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}: {r:?}");
    }
    // An empty stdin is a usage error too.
    let r = run_sync(&["inspect", "-"], Some("  \n"));
    assert_error(&r, 2, "error: no token on stdin", "");
}

#[tokio::test]
async fn inspect_decodes_from_the_argument_and_from_stdin() {
    let issuer = TestIssuer::start().await;
    let token = issuer
        .token()
        .sub("user:inspect")
        .roles(["editor"])
        .expires_in(Duration::from_secs(250))
        .mint();
    for r in [
        run(&["inspect", &token], None).await,
        run(&["inspect", "-"], Some(&format!("Bearer {token}\n"))).await,
    ] {
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.starts_with("UNVERIFIED"), "{r:?}");
        assert!(r.stdout.contains("\"sub\": \"user:inspect\""), "{r:?}");
        assert!(r.stdout.contains("\"alg\": \"EdDSA\""), "{r:?}");
        assert!(r.stdout.contains("UTC  expires in 4m"), "{r:?}");
        assert!(r.stdout.contains("issued 0s ago") || r.stdout.contains("issued 1s ago"));
        assert!(
            !r.stdout.contains(&token),
            "the token itself is not printed"
        );
    }
    let expired = issuer.token().expired().mint();
    let r = run(&["inspect", "-"], Some(&expired)).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("expired 1h 0m ago"), "{r:?}");

    let not_a_jwt = "eyJhbGciOiJFZERTQSJ9.not-base64-json!.sig";
    let r = run(&["inspect", "-"], Some(not_a_jwt)).await;
    assert_error(
        &r,
        1,
        "error: the payload is not valid base64url",
        not_a_jwt,
    );
}

#[tokio::test]
async fn verify_prints_the_claims_of_a_valid_token() {
    let issuer = TestIssuer::start().await;
    let jwks = issuer.jwks_url();
    let token = issuer
        .token()
        .sub("user:ok")
        .workspace("ws1")
        .scopes(["read:posts"])
        .mint();
    let r = run(&verify_args(&issuer, &jwks), Some(&token)).await;
    assert_eq!(r.code, 0, "{r:?}");
    let claims: Value = serde_json::from_str(&r.stdout).expect("stdout is the claims JSON");
    assert_eq!(claims["sub"], "user:ok");
    assert_eq!(claims["workspace_id"], "ws1");
    assert_eq!(claims["scopes"], json!(["read:posts"]));
    assert!(
        r.stderr
            .contains("ok: signature, times, issuer, audience verified"),
        "{r:?}"
    );
    // The token as an argument works too; without --issuer/--audience the
    // tool says what it did not check.
    let r = run(&["verify", &token, "--jwks-url", &jwks], None).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("`iss` was not checked"), "{r:?}");
    assert!(r.stderr.contains("`aud` was not checked"), "{r:?}");
}

#[tokio::test]
async fn verify_names_each_failure_with_its_code_and_exits_1() {
    let issuer = TestIssuer::start().await;
    let jwks = issuer.jwks_url();
    let args = verify_args(&issuer, &jwks);

    let expired = issuer.token().expired().mint();
    let r = run(&args, Some(&expired)).await;
    assert_error(
        &r,
        1,
        "error: token_expired: the token has expired",
        &expired,
    );
    assert!(r.stderr.contains("expired 1h 0m ago"), "{r:?}");

    let wrong_aud = issuer.token().audience("someone-else").mint();
    let r = run(&args, Some(&wrong_aud)).await;
    assert_error(&r, 1, "error: invalid_audience: ", &wrong_aud);
    assert!(r.stderr.contains("\"someone-else\""), "{r:?}");

    let good = issuer.token().mint();
    let (signed, signature) = good.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
    let r = run(&args, Some(&tampered)).await;
    assert_error(&r, 1, "error: invalid_signature: ", &tampered);

    let wrong_iss = issuer.token().issuer("https://evil.example").mint();
    let r = run(&args, Some(&wrong_iss)).await;
    assert_error(&r, 1, "error: invalid_issuer: ", &wrong_iss);

    let unknown_kid = issuer.token().kid("no-such-key").mint();
    let r = run(&args, Some(&unknown_kid)).await;
    assert_error(&r, 1, "error: unknown_key: ", &unknown_kid);
    assert!(r.stderr.contains("usso jwks"), "{r:?}");

    let garbage = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    let r = run(&args, Some(garbage)).await;
    assert_error(&r, 1, "error: token_invalid: ", garbage);

    // The JWKS endpoint is down: the keys are unavailable, and why.
    issuer.fail_with(503);
    let r = run(&args, Some(&good)).await;
    assert_error(&r, 1, "error: keys_unavailable: ", &good);
    assert!(r.stderr.contains("503"), "{r:?}");
}

#[tokio::test]
async fn verify_with_a_static_key_file() {
    let issuer = TestIssuer::start().await;
    let pem = issuer.key(Algorithm::EdDSA).unwrap().public_pem().unwrap();
    let path = std::env::temp_dir().join(format!("usso-cli-test-{}.pem", std::process::id()));
    std::fs::write(&path, pem).unwrap();
    let path_str = path.to_str().unwrap().to_owned();
    let token = issuer.token().sub("user:static").mint();
    let args = [
        "verify",
        "-",
        "--key-file",
        &path_str,
        "--alg",
        "EdDSA",
        "--audience",
        issuer.audience(),
    ];
    let r = run(&args, Some(&token)).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("\"sub\": \"user:static\""), "{r:?}");
    // An RS256 token does not verify with the Ed25519 key.
    let rsa = issuer.token().alg(Algorithm::RS256).mint();
    let r = run(&args, Some(&rsa)).await;
    assert_error(&r, 1, "error: token_invalid: ", &rsa);
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn jwks_lists_usable_and_skipped_keys() {
    let issuer = TestIssuer::start().await;
    issuer.publish_raw_jwk(json!({
        "kty": "EC", "crv": "P-521", "kid": "legacy-p521", "x": "AA", "y": "AA"
    }));
    issuer.publish_raw_jwk(json!({"kty": "oct", "kid": "shared-secret", "k": "c2VjcmV0"}));
    let r = run(&["jwks", &issuer.jwks_url()], None).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("HTTP 200"), "{r:?}");
    assert!(r.stdout.contains("5 keys: 3 usable, 2 skipped"), "{r:?}");
    for alg in [Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256] {
        let kid = issuer.key(alg).unwrap().kid().to_owned();
        let line = r
            .stdout
            .lines()
            .find(|l| l.contains(&kid))
            .unwrap_or_else(|| panic!("{kid} listed: {r:?}"));
        assert!(line.contains(&format!("ok: verifies {alg}")), "{line}");
    }
    let line = |kid: &str| r.stdout.lines().find(|l| l.contains(kid)).unwrap();
    assert!(line("2048 bits").contains("RSA"));
    assert!(line("legacy-p521").contains("SKIPPED: EC curve `P-521` is not supported"));
    assert!(line("shared-secret").contains("SKIPPED: symmetric (`oct`) keys"));

    // Broken endpoints: exit 1 with the reason.
    issuer.fail_with(404);
    let r = run(&["jwks", &issuer.jwks_url()], None).await;
    assert_error(&r, 1, "error: the server answered HTTP 404", "");
    issuer.serve_garbage();
    let r = run(&["jwks", &issuer.jwks_url()], None).await;
    assert_error(&r, 1, "error: the response is not JSON", "");
    issuer.serve_oversized(300 * 1024);
    let r = run(&["jwks", &issuer.jwks_url()], None).await;
    assert_error(&r, 1, "error: the response from", "");
    assert!(r.stderr.contains("larger than 256 KiB"), "{r:?}");
    drop(issuer);
}

#[tokio::test]
async fn jwks_with_no_usable_key_exits_1() {
    let issuer = TestIssuer::start().await;
    for alg in [Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256] {
        issuer.set_published(alg, false);
    }
    issuer.publish_raw_jwk(json!({"kty": "OKP", "crv": "X25519", "kid": "ecdh", "x": "AA"}));
    let r = run(&["jwks", &issuer.jwks_url()], None).await;
    assert_error(&r, 1, "error: the JWKS holds no usable key (1 skipped)", "");
    assert!(r.stdout.contains("SKIPPED: OKP curve `X25519`"), "{r:?}");
}

/// Reads the child's stdout lines on a thread, so waiting is bounded.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[tokio::test]
async fn dev_issuer_serves_a_jwks_and_working_tokens() {
    let mut child = command(&[
        "dev-issuer",
        "--addr",
        "127.0.0.1:0",
        "--audience",
        "dev-api",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let rx = lines_of(&mut child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut jwks_url, mut issuer, mut admin) = (None, None, None);
    while jwks_url.is_none() || issuer.is_none() || admin.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match rx.recv_timeout(left) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                panic!("dev-issuer printed no JWKS URL and tokens in time: {e}");
            }
        };
        let line = line.trim();
        if let Some(url) = line.strip_prefix("JWKS URL: ") {
            jwks_url = Some(url.to_owned());
        } else if let Some(iss) = line.strip_prefix("issuer: ") {
            issuer = Some(iss.trim().to_owned());
        } else if let Some(token) = line.strip_prefix("export ADMIN_TOKEN=") {
            admin = Some(token.to_owned());
        }
    }
    let (jwks_url, issuer, admin) = (jwks_url.unwrap(), issuer.unwrap(), admin.unwrap());
    let outcome = async {
        let client = usso::reqwest::Client::new();
        let res = client.get(&jwks_url).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let doc: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(doc["keys"].as_array().unwrap().len(), 3, "{doc}");
        let discovery = format!("{issuer}/.well-known/openid-configuration");
        let doc: Value = serde_json::from_str(
            &client
                .get(&discovery)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(doc["jwks_uri"], jwks_url.as_str(), "{doc}");
        assert_eq!(doc["issuer"], issuer.as_str(), "{doc}");
        let args = [
            "verify",
            "-",
            "--jwks-url",
            &jwks_url,
            "--issuer",
            &issuer,
            "--audience",
            "dev-api",
        ];
        let r = run(&args, Some(&admin)).await;
        assert_eq!(r.code, 0, "{r:?}");
        let claims: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(claims["sub"], "user:admin");
        assert_eq!(claims["roles"], json!(["admin"]));
    };
    let result = tokio::time::timeout(Duration::from_secs(60), outcome).await;
    child.kill().unwrap();
    child.wait().unwrap();
    result.expect("the dev issuer answered in time");
}

#[test]
fn verify_refuses_a_small_order_ed25519_key_file() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    // The identity point: with it, `R = identity, S = 0` verifies any
    // message under RFC 8032's check (aws-lc, ring, jsonwebtoken).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let path = std::env::temp_dir().join(format!("usso-cli-weak-{}.key", std::process::id()));
    std::fs::write(&path, b64(&identity)).unwrap();
    let header = b64(br#"{"alg":"EdDSA","typ":"JWT"}"#);
    let payload = b64(br#"{"sub":"user:forged","aud":"app","exp":4000000000}"#);
    let mut signature = [0u8; 64];
    signature[0] = 1;
    let forged = format!("{header}.{payload}.{}", b64(&signature));
    let r = run_sync(
        &[
            "verify",
            "-",
            "--key-file",
            path.to_str().unwrap(),
            "--alg",
            "EdDSA",
            "--audience",
            "app",
        ],
        Some(&forged),
    );
    std::fs::remove_file(&path).unwrap();
    assert_error(&r, 2, "error: ", &forged);
    assert!(r.stderr.contains("small-order"), "{r:?}");
    assert!(!r.stderr.contains("ok:"), "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
}

/// Control characters a hostile `kid` may carry to a terminal or a log.
const HOSTILE: [char; 5] = ['\r', '\n', '\u{1b}', '\u{7}', '\0'];

#[tokio::test]
async fn verify_never_prints_a_tokens_control_characters() {
    let issuer = TestIssuer::start().await;
    let jwks = issuer.jwks_url();
    let kid = "k\r\nok: signature, times, issuer, audience verified\n\u{1b}[2J\u{7}\0";
    let token = issuer.token().kid(kid).mint();
    let r = run(&verify_args(&issuer, &jwks), Some(&token)).await;
    assert_error(&r, 1, "error: unknown_key: ", &token);
    for line in r.stderr.lines().chain(r.stdout.lines()) {
        assert!(!line.starts_with("ok:"), "forged line: {r:?}");
    }
    for c in HOSTILE.iter().filter(|c| **c != '\n') {
        assert!(!r.stderr.contains(*c), "raw {c:?} reached stderr: {r:?}");
        assert!(!r.stdout.contains(*c), "raw {c:?} reached stdout: {r:?}");
    }
    assert!(r.stderr.contains("\\r\\nok: signature"), "{r:?}");
    assert!(r.stderr.contains("\\u{1b}[2J\\u{7}\\u{0}"), "{r:?}");
}

#[tokio::test]
async fn verify_refuses_a_misspelled_alg() {
    let issuer = TestIssuer::start().await;
    let jwks = issuer.jwks_url();
    for spelled in ["eddsa", "EDDSA", "Ed25519"] {
        let token = issuer.token().header("alg", spelled).mint();
        let r = run(&verify_args(&issuer, &jwks), Some(&token)).await;
        assert_error(&r, 1, "error: token_invalid: ", &token);
        assert!(r.stderr.contains("unsupported algorithm"), "{r:?}");
    }
    // USSO agent tokens say `ED25519`.
    let token = issuer.token().header("alg", "ED25519").mint();
    let r = run(&verify_args(&issuer, &jwks), Some(&token)).await;
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn shell_completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run_sync(&["completions", shell], None);
        assert_eq!(r.code, 0, "{shell}: {r:?}");
        for command in ["inspect", "verify", "jwks", "dev-issuer", "revoke"] {
            assert!(r.stdout.contains(command), "{shell} completes {command}");
        }
        assert!(r.stdout.contains("jwks-url"), "{shell} completes options");
    }
    let r = run_sync(&["completions", "tcsh"], None);
    assert_eq!(r.code, 2, "{r:?}");
}

#[path = "../../tests/common/redis_server.rs"]
mod redis_server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_writes_where_every_replica_reads_it() {
    let server = redis_server::RedisServer::start();
    let url = server.url();
    // A replica, already connected: it hears each rule as it is written.
    let replica = usso::Revocations::redis(&url).connect().await.unwrap();
    let exp = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600)
        .to_string();
    for (args, says) in [
        (vec!["--session", "s-1"], "revoked session_id `s-1`"),
        (vec!["--jti", "j-1", "--expires", &exp], "revoked jti `j-1`"),
        (vec!["--subject", "user:7"], "revoked sub `user:7`"),
        (
            vec!["--jti", "j-old", "--expires", "1000"],
            "nothing to revoke",
        ),
    ] {
        let mut all = vec!["revoke", "--redis", &url];
        all.extend(args);
        let r = run(&all, None).await;
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.starts_with(says), "{r:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let want = (1, 1, 1);
    loop {
        let s = replica.stats();
        if (s.jtis, s.sessions, s.subjects) == want {
            break;
        }
        assert!(Instant::now() < deadline, "the replica holds {s:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let ttl = server
        .command(&["PTTL", "usso:revocations:jti:j-1"])
        .unwrap();
    let ttl: i64 = ttl.trim_start_matches(':').parse().unwrap();
    assert!((590_000..=611_000).contains(&ttl), "PTTL {ttl}");
    // A late replica loads all three.
    let late = usso::Revocations::redis(&url).connect().await.unwrap();
    assert_eq!(late.stats(), replica.stats());

    // Usage errors (2) and an unreachable server (1), in one line each.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("redis://127.0.0.1:{}/", l.local_addr().unwrap().port())
    };
    for (args, code, says) in [
        (
            vec!["revoke", "--redis", &url],
            2,
            "error: `usso revoke` needs",
        ),
        (
            vec!["revoke", "--redis", &url, "--session", "a", "--jti", "b"],
            2,
            "error: give either",
        ),
        (
            vec!["revoke", "--redis", &url, "--session", ""],
            2,
            "error: invalid setting `session_id`",
        ),
        (
            vec!["revoke", "--redis", "http://x", "--session", "a"],
            2,
            "error: invalid URL for `redis_url`",
        ),
        (
            vec!["revoke", "--redis", &closed, "--session", "a"],
            1,
            "error: the revocation list in Redis could not be reached",
        ),
    ] {
        let r = run(&args, None).await;
        assert_error(&r, code, says, "");
        assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    }
}
