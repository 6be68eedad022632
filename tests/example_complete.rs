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
