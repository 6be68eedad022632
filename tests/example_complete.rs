//! The README's demo, `cargo run --example complete`, exercised for real:
//! every printed `curl` line is sent over a real socket and must return the
//! status it promises.

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/complete.rs"]
mod complete;

#[tokio::test]
async fn every_printed_curl_line_gives_its_status() {
    let demo = complete::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(demo.tokens.len(), 4, "four personas");
    let client = reqwest::Client::new();
    let var = format!("${}", complete::POST_ID_VAR);
    let mut post_id: Option<String> = None;
    for req in &demo.plan {
        let line = complete::curl(&demo, req);
        assert!(line.contains(&req.path) && line.contains("curl "), "{line}");
        let path = match &post_id {
            Some(id) => req.path.replace(&var, id.as_str()),
            None => req.path.clone(),
        };
        assert!(
            !path.contains('$'),
            "{line} uses {var} before a line sets it"
        );
        let url = format!("http://{}{path}", demo.addr);
        let mut r = client.request(req.method.parse().unwrap(), url);
        if let Some(persona) = req.persona {
            let token = &demo.tokens[persona];
            r = if req.cookie {
                r.header("cookie", format!("access_token={token}"))
            } else {
                r.header("authorization", format!("Bearer {token}"))
            };
        }
        if let Some(body) = req.body {
            r = r.header("content-type", "application/json").body(body);
        }
        let res = r.send().await.unwrap();
        assert_eq!(res.status().as_u16(), req.expect, "{line}");
        if req.saves_post_id {
            let body: serde_json::Value = res.json().await.unwrap();
            post_id = Some(body["post"]["id"].as_i64().unwrap().to_string());
        }
    }
    // Listings are per workspace: ws_b sees none of ws_a's posts.
    let list = |persona: &str| {
        client
            .get(format!("http://{}/posts", demo.addr))
            .header("authorization", format!("Bearer {}", demo.tokens[persona]))
            .send()
    };
    let a: serde_json::Value = list("editor_a").await.unwrap().json().await.unwrap();
    let b: serde_json::Value = list("editor_b").await.unwrap().json().await.unwrap();
    assert_eq!(a["posts"].as_array().unwrap().len(), 1, "{a}");
    assert!(a["posts"][0]["workspace_id"] == "ws_a");
    assert_eq!(b["posts"], serde_json::json!([]));
    let me: serde_json::Value = client
        .get(format!("http://{}/me", demo.addr))
        .header(
            "authorization",
            format!("Bearer {}", demo.tokens["admin_a"]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user_id"], "user:alice");
    assert_eq!(me["workspace"], "ws_a");
    demo.server.abort();
}

/// The printed lines themselves, run by `sh` with `curl` as a reader would
/// paste them: the exports, then every request, twice over. Each line prints
/// the status it promises both times.
#[tokio::test]
async fn the_printed_lines_replay_top_to_bottom() {
    for tool in ["sh", "curl", "sed", "tail"] {
        let found = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "this test runs the printed lines and needs `{tool}` on PATH"
        );
    }
    let demo = complete::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut script = String::from("set -u\n");
    for (name, token) in &demo.tokens {
        script.push_str(&format!("export {}={token}\n", name.to_uppercase()));
    }
    let mut want = Vec::new();
    for _ in 0..2 {
        for req in &demo.plan {
            script.push_str(&complete::curl(&demo, req));
            script.push('\n');
            want.push(req.expect.to_string());
        }
    }
    // The server runs on this runtime: wait for `sh` without blocking it, and
    // never longer than two minutes.
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the replay did not finish in two minutes");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let got: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        got,
        want,
        "stderr: {}\nscript:\n{script}",
        String::from_utf8_lossy(&output.stderr)
    );
    demo.server.abort();
}

/// With an identity server that is down, the demo still starts, says what it
/// trusts and warns that the keys could not be fetched; a busy port is one
/// line that says what to do.
#[tokio::test]
async fn env_mode_reports_its_trust_and_start_up_problems() {
    // A port nothing listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = closed.local_addr().unwrap();
    drop(closed);
    let env = std::collections::HashMap::from([
        (
            "USSO_JWKS_URL",
            format!("http://{down}/.well-known/jwks.json"),
        ),
        ("USSO_ISSUER", format!("http://{down}")),
        ("USSO_AUDIENCE", "my-api".to_owned()),
    ]);
    let fleet = usso::FleetConfig::from_vars(|name| env.get(name).cloned()).unwrap();
    let demo = complete::start_with("127.0.0.1:0".parse().unwrap(), Some(fleet))
        .await
        .unwrap();
    assert!(demo.issuer.is_none() && demo.tokens.is_empty());
    assert_eq!(demo.trust.issuers, [format!("http://{down}")]);
    assert_eq!(demo.trust.audiences, ["my-api"]);
    let warning = demo
        .jwks_warning
        .as_deref()
        .expect("a warning for the JWKS");
    assert!(warning.contains(&down.to_string()), "{warning}");
    let status = reqwest::get(format!("http://{}/", demo.addr))
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200, "the API serves its public routes meanwhile");

    // The same address again: in use.
    let err = complete::start_with(demo.addr, None).await.unwrap_err();
    let line = complete::startup::explain(err.as_ref(), demo.addr);
    assert_eq!(
        line,
        format!(
            "{} is in use: set USSO_EXAMPLE_ADDR to another address \
             (`USSO_EXAMPLE_ADDR=127.0.0.1:0` picks a free port)",
            demo.addr
        )
    );
    let missing = usso::ConfigError::MissingEnv { var: "USSO_ISSUER" };
    let line = complete::startup::explain(&missing, demo.addr);
    assert!(
        !line.contains('\n')
            && line.contains("USSO_ISSUER")
            && line.contains("unset USSO_JWKS_URL"),
        "{line}"
    );
    demo.server.abort();
}

/// Reads what the server sends until it closes the connection, for at most
/// `limit`; `None` if it is still open then.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    limit: std::time::Duration,
) -> Option<String> {
    use tokio::io::AsyncReadExt as _;
    let mut seen = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&seen).into_owned())
}

#[tokio::test]
async fn slow_clients_cannot_hold_a_connection() {
    use tokio::io::AsyncWriteExt as _;
    let demo = complete::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let margin = std::time::Duration::from_secs(20);
    // Headers that never end: the connection is closed.
    let mut slow = tokio::net::TcpStream::connect(demo.addr).await.unwrap();
    slow.write_all(b"GET /me HTTP/1.1\r\nHost: demo\r\n")
        .await
        .unwrap();
    let closed = read_until_closed(&mut slow, complete::demo::HEADER_TIMEOUT + margin).await;
    assert!(closed.is_some(), "a half-sent header held the connection");
    // A valid token, a huge Content-Length and one byte of body: 408.
    let mut stalled = tokio::net::TcpStream::connect(demo.addr).await.unwrap();
    let request = format!(
        "POST /posts HTTP/1.1\r\nHost: demo\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{{",
        demo.tokens["editor_a"]
    );
    stalled.write_all(request.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stalled, complete::demo::REQUEST_TIMEOUT + margin)
        .await
        .expect("a stalled body held the connection");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    demo.server.abort();
}
