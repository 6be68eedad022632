//! The examples (`cargo run --example NAME`), exercised for real: each is
//! built and driven with real requests over 127.0.0.1, and every `curl`
//! line an example prints must return the status it promises.

// Each example brings its own copy of `examples/support/startup.rs`, as it
// does when built on its own.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/multi_tenant.rs"]
mod multi_tenant;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/custom_claims.rs"]
mod custom_claims;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/middleware.rs"]
mod middleware;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/error_handling.rs"]
mod error_handling;

// Its `#[cfg(test)] mod tests` run here too.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/testing.rs"]
mod testing;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde_json::{Value, json};
use usso::AuthError;
use usso::testing::TestIssuer;

fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Sends one request over the socket; returns the status and the JSON body.
async fn send(
    method: &str,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method.parse().unwrap(), url);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn token<'a>(tokens: &'a BTreeMap<&'static str, String>, persona: Option<&str>) -> Option<&'a str> {
    persona.map(|p| tokens[p].as_str())
}

#[test]
fn quickstart_prompts_on_a_terminal_and_reads_a_pipe_whole() {
    let mut prompt = Vec::new();
    let mut typed = std::io::Cursor::new("  Bearer a.b.c \nnot read\n");
    let token = quickstart::read_token(true, &mut typed, &mut prompt).unwrap();
    assert_eq!(token, "a.b.c", "one line, trimmed, `Bearer ` dropped");
    let prompt = String::from_utf8(prompt).unwrap();
    assert!(prompt.contains("Paste an access token"), "{prompt}");

    let mut silent = Vec::new();
    let mut piped = std::io::Cursor::new("\n x.y.z\n");
    let token = quickstart::read_token(false, &mut piped, &mut silent).unwrap();
    assert_eq!(
        (token.as_str(), silent.len()),
        ("x.y.z", 0),
        "no prompt for a pipe"
    );
}

#[tokio::test]
async fn quickstart_verifies_with_a_jwks_url_and_a_static_key() {
    let demo = quickstart::demo().await.unwrap();
    for user in [&demo.with_jwks, &demo.with_static_key] {
        let user = user.as_ref().unwrap();
        assert_eq!(user.sub.as_deref(), Some("user:alice"));
        assert_eq!(user.roles, ["editor"]);
        assert_eq!(user.scopes, ["read:posts", "write:posts"]);
    }
    assert_eq!(demo.expired, Err(AuthError::TokenExpired));
    // The JWKS authenticator fetched the keys over HTTP, once.
    assert_eq!(demo.issuer.fetch_count(), 1);

    // The static-key authenticator needs no network and rejects other keys.
    let other = TestIssuer::builder().audience("your-app").start().await;
    let pem = demo
        .issuer
        .key(usso::Algorithm::EdDSA)
        .unwrap()
        .public_pem()
        .unwrap();
    let auth = quickstart::static_key_auth(&pem, other.issuer(), "your-app").unwrap();
    let forged = other.token().mint();
    let err = quickstart::verify_and_print(&auth, &forged)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_signature");
    assert_eq!(other.fetch_count(), 0);
}

#[tokio::test]
async fn multi_tenant_every_printed_curl_line_gives_its_status() {
    let demo = multi_tenant::start(any_port()).await.unwrap();
    for try_ in multi_tenant::TRIES {
        let multi_tenant::Try {
            method,
            path,
            persona,
            header,
            expect,
            ..
        } = *try_;
        let tenant = header.map(|(_, value)| value);
        let line = try_.curl(demo.addr);
        assert!(
            line.starts_with("curl ") && line.ends_with(&format!("# {expect}")),
            "{line}"
        );
        let headers: Vec<(&str, &str)> = tenant.map(|t| ("x-tenant-id", t)).into_iter().collect();
        let url = format!("http://{}{path}", demo.addr);
        let (status, body) = send(method, &url, token(&demo.tokens, persona), &headers).await;
        assert_eq!(status, expect, "{line}: {body}");
        if status == 200 {
            assert_eq!(body["tenant"], persona.unwrap(), "{line}: {body}");
        }
    }
    let url = format!("http://{}/data", demo.addr);
    let (_, body) = send("GET", &url, token(&demo.tokens, Some("tenant1")), &[]).await;
    assert_eq!(body["error"], "unknown_tenant");
    let by_issuer = format!("http://{}/by-issuer/data", demo.addr);
    let (_, body) = send(
        "GET",
        &by_issuer,
        token(&demo.tokens, Some("outsider")),
        &[],
    )
    .await;
    assert_eq!(body["error"], "invalid_issuer");
    demo.server.abort();
}

#[tokio::test]
async fn custom_claims_every_printed_curl_line_gives_its_status() {
    let demo = custom_claims::start(any_port()).await.unwrap();
    for try_ in custom_claims::TRIES {
        let custom_claims::Try {
            method,
            path,
            persona,
            expect,
            ..
        } = *try_;
        let line = try_.curl(demo.addr);
        let url = format!("http://{}{path}", demo.addr);
        let (status, body) = send(method, &url, token(&demo.tokens, persona), &[]).await;
        assert_eq!(status, expect, "{line}: {body}");
    }
    let url = |path: &str| format!("http://{}{path}", demo.addr);
    let (_, body) = send("GET", &url("/company"), Some(&demo.tokens["pro"]), &[]).await;
    assert_eq!(
        body,
        json!({"user_id": "user:pro-customer", "company": "company_acme", "tier": "pro",
               "permissions": ["export:csv"]})
    );
    let (_, body) = send("GET", &url("/reports"), Some(&demo.tokens["pro"]), &[]).await;
    assert_eq!(body["csv_export"], true);
    let (_, body) = send("GET", &url("/reports"), Some(&demo.tokens["free"]), &[]).await;
    assert_eq!(body["error"], "upgrade_required");
    let (_, body) = send(
        "GET",
        &url("/company"),
        Some(&demo.tokens["malformed"]),
        &[],
    )
    .await;
    assert_eq!(body["error"], "token_invalid");
    // The client learns which claim is wrong and what it must be, not serde's internals.
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("claim `company_id` must be a string, not an integer"),
        "{body}"
    );
    assert!(
        !detail.contains("invalid type") && !detail.contains("line") && !detail.contains("42"),
        "{body}"
    );

    // `verify_token_as::<CustomUserData>()` directly.
    let user = custom_claims::verify_custom(&demo.issuer.auth(), &demo.tokens["free"])
        .await
        .unwrap();
    assert_eq!(user.company_id.as_deref(), Some("company_acme"));
    assert_eq!(user.subscription_tier.as_deref(), Some("free"));
    assert!(user.custom_permissions.is_empty());
    assert_eq!(user.base.scopes, ["read:reports"]);
    assert!(
        !user.base.extra.contains_key("company_id"),
        "not duplicated into `extra`"
    );
    demo.server.abort();
}

#[tokio::test]
async fn middleware_every_printed_curl_line_gives_its_status() {
    let demo = middleware::start(any_port()).await.unwrap();
    for try_ in middleware::TRIES {
        let middleware::Try {
            method,
            path,
            persona,
            expect,
            ..
        } = *try_;
        let line = try_.curl(demo.addr);
        let url = format!("http://{}{path}", demo.addr);
        let (status, body) = send(method, &url, token(&demo.tokens, persona), &[]).await;
        assert_eq!(status, expect, "{line}: {body}");
    }
    let url = |path: &str| format!("http://{}{path}", demo.addr);
    let tokens = &demo.tokens;
    assert_eq!(
        send("GET", &url("/"), None, &[]).await.1,
        json!({"hello": "anonymous"})
    );
    assert_eq!(
        send("GET", &url("/"), Some(&tokens["editor"]), &[]).await.1,
        json!({"hello": "user:erin"})
    );
    let (_, body) = send("GET", &url("/api/me"), Some(&tokens["viewer"]), &[]).await;
    assert_eq!(body, json!({"user_id": "user:victor", "roles": ["viewer"]}));
    let (_, body) = send("GET", &url("/api/data"), Some(&tokens["editor"]), &[]).await;
    assert_eq!(body, json!({"data": "Protected data", "user": "user:erin"}));
    let (_, body) = send("GET", &url("/api/data"), Some(&tokens["viewer"]), &[]).await;
    assert_eq!(body["error"], "insufficient_scope");
    let (_, body) = send("GET", &url("/api/me"), None, &[]).await;
    assert_eq!(body["error"], "token_not_found");
    // One JWKS fetch served every request.
    assert_eq!(demo.issuer.fetch_count(), 1);
    demo.server.abort();
}

#[tokio::test]
async fn error_handling_every_printed_curl_line_gives_its_status_and_error() {
    let demo = error_handling::start(any_port()).await.unwrap();
    for try_ in error_handling::TRIES {
        let error_handling::Try {
            method,
            path,
            persona,
            expect,
            says: error,
            ..
        } = *try_;
        let line = try_.curl(demo.addr);
        let url = format!("http://{}{path}", demo.addr);
        let mut request = reqwest::Client::new().request(method.parse().unwrap(), &url);
        if let Some(persona) = persona {
            request = request.bearer_auth(&demo.tokens[persona]);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), expect, "{line}");
        let challenge = response.headers().get("www-authenticate").cloned();
        let body: Value = response.json().await.unwrap();
        if let Some(error) = error {
            assert_eq!(body["error"], error, "{line}: {body}");
            assert!(
                body["code"].is_string() && body["detail"].is_string(),
                "{body}"
            );
        }
        if expect == 401 {
            assert_eq!(challenge.unwrap(), "Bearer realm=\"my-api\"", "{line}");
        }
    }
    // The catch-all keeps the error's own status: keys unavailable is a 503.
    let down = TestIssuer::start().await;
    down.fail_with(500);
    let addr = serve(error_handling::app(down.auth())).await;
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/me"))
        .bearer_auth(down.token().mint())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Authentication error");
    assert_eq!(body["code"], "keys_unavailable");
    demo.server.abort();
}

/// Serves a router on an ephemeral loopback port.
async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(any_port()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

#[tokio::test]
async fn testing_example_app_over_a_socket_with_mock_and_issuer() {
    // The mocked app: every request is `mock_user`, no token needed.
    let addr = serve(testing::authenticated_app()).await;
    let (status, body) = send("GET", &format!("http://{addr}/protected"), None, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["user_id"], "user:test123");
    assert_eq!(body["scopes"], json!(["read:posts", "write:posts"]));

    // The real app with a TestIssuer.
    let issuer = TestIssuer::start().await;
    let addr = serve(testing::app(issuer.auth())).await;
    let url = format!("http://{addr}/protected");
    let token = issuer.token().sub("user:9").mint();
    let (status, body) = send("GET", &url, Some(&token), &[]).await;
    assert_eq!((status, body["user_id"].clone()), (200, json!("user:9")));
    let (status, body) = send("GET", &url, None, &[]).await;
    assert_eq!(
        (status, body["error"].clone()),
        (401, json!("token_not_found"))
    );
}
