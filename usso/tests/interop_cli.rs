//! `usso verify` against tokens from the real Python package `usso` 0.33.5:
//! its lite identity server (logged in over HTTP) and its agent tokens
//! (`generate_agent_jwt`, header alg `ED25519`). Needs the `cli` feature;
//! the venv is built on first use (see `tests/python/harness.rs`), and
//! without it these tests fail, never skip.
#![cfg(feature = "cli")]

#[path = "../../tests/python/harness.rs"]
mod harness;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{TempDir, payload, tamper};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_usso");

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `usso verify - ARGS` with `token` on stdin (off the runtime's thread).
async fn verify(args: Vec<String>, token: String) -> Run {
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(BIN)
            .arg("verify")
            .arg("-")
            .args(&args)
            .env_remove("USSO_JWKS_URL")
            .env_remove("USSO_ISSUER")
            .env_remove("USSO_AUDIENCE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the usso binary runs");
        let (out, err) = harness::drain(&mut child);
        child
            .stdin
            .take()
            .unwrap()
            .write_all(token.as_bytes())
            .unwrap();
        let status = harness::wait(&mut child, Duration::from_secs(60)).unwrap();
        Run {
            code: status.code().expect("exited, not killed"),
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        }
    })
    .await
    .unwrap()
}

fn rejected(run: &Run, code: &str, token: &str) {
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.starts_with(&format!("error: {code}:")),
        "{run:?}"
    );
    assert!(!run.stderr.contains(token) && !run.stdout.contains(token));
}

#[tokio::test(flavor = "multi_thread")]
async fn usso_verify_accepts_lite_server_tokens_and_rejects_bad_ones() {
    let lite = harness::start_lite().await;
    let other = harness::start_lite().await;
    let alice = harness::lite_login(&lite, "alice@example.com").await;
    let mallory = harness::lite_login(&other, "mallory@example.com").await;
    let args: Vec<String> = [
        "--jwks-url".to_owned(),
        format!("{}/.well-known/jwks.json", lite.base),
        "--issuer".into(),
        "usso-lite".into(),
        "--audience".into(),
        "usso-lite".into(),
    ]
    .into();

    let ok = verify(args.clone(), alice.access.clone()).await;
    assert_eq!(ok.code, 0, "{ok:?}");
    let claims: Value = serde_json::from_str(&ok.stdout).expect("claims JSON");
    assert_eq!(claims["sub"], payload(&alice.access)["sub"]);
    assert_eq!(claims["roles"], json!(["editor"]));

    let refresh = verify(args.clone(), alice.refresh.clone()).await;
    rejected(&refresh, "token_invalid", &alice.refresh);
    let tampered = tamper(&alice.access);
    rejected(
        &verify(args.clone(), tampered.clone()).await,
        "invalid_signature",
        &tampered,
    );
    rejected(
        &verify(args, mallory.access.clone()).await,
        "unknown_key",
        &mallory.access,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usso_verify_accepts_agent_tokens() {
    let agent = |aud: &'static str| {
        harness::tool_async(
            "agent",
            json!({"scopes": ["read:x"], "aud": aud, "tenant_id": "t", "agent_id": "agent-1"}),
        )
    };
    let mine = agent("svc").await;
    let impostor = agent("svc").await;
    let dir = TempDir::new("cli");
    let key_file = dir.0.join("agent.pub.pem");
    std::fs::write(&key_file, mine["public_pem"].as_str().unwrap()).unwrap();
    let args: Vec<String> = [
        "--key-file".to_owned(),
        key_file.display().to_string(),
        "--issuer".into(),
        "agent-1".into(),
        "--audience".into(),
        "svc".into(),
    ]
    .into();
    let token = mine["token"].as_str().unwrap().to_owned();
    let ok = verify(args.clone(), token.clone()).await;
    assert_eq!(ok.code, 0, "{ok:?}");
    let claims: Value = serde_json::from_str(&ok.stdout).expect("claims JSON");
    assert_eq!(claims["iss"], "agent-1");
    assert_eq!(claims["scopes"], json!(["read:x"]));

    let tampered = tamper(&token);
    rejected(
        &verify(args.clone(), tampered.clone()).await,
        "invalid_signature",
        &tampered,
    );
    let other = impostor["token"].as_str().unwrap().to_owned();
    rejected(
        &verify(args, other.clone()).await,
        "invalid_signature",
        &other,
    );
}
