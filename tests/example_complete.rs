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
    for req in &demo.plan {
        let line = complete::curl(&demo, req);
        assert!(
            line.contains(&req.path) && line.starts_with("curl "),
            "{line}"
        );
        let url = format!("http://{}{}", demo.addr, req.path);
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
    let closed = read_until_closed(&mut slow, complete::HEADER_TIMEOUT + margin).await;
    assert!(closed.is_some(), "a half-sent header held the connection");
    // A valid token, a huge Content-Length and one byte of body: 408.
    let mut stalled = tokio::net::TcpStream::connect(demo.addr).await.unwrap();
    let request = format!(
        "POST /posts HTTP/1.1\r\nHost: demo\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{{",
        demo.tokens["editor_a"]
    );
    stalled.write_all(request.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stalled, complete::REQUEST_TIMEOUT + margin)
        .await
        .expect("a stalled body held the connection");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    demo.server.abort();
}
