//! `examples/complete.rs` (axum) and `examples/complete_actix.rs`
//! (actix-web) are the same service: one request table, sent over real
//! sockets to both, must get the same status, `WWW-Authenticate`,
//! `Retry-After` and body on every row. The rows cover every token source,
//! rejection, role, scope and workspace case of `tests/example_complete.rs`,
//! and more.

// Each example is included whole, as it is built, and so brings its own
// copy of the support modules they share.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/complete.rs"]
mod complete;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/complete_actix.rs"]
mod complete_actix;

use std::net::SocketAddr;

use usso::testing::TestIssuer;

/// How a row's token is made, from the demo's own issuer and personas.
#[derive(Debug, Clone, Copy)]
enum Token {
    None,
    /// A persona's token in `Authorization: Bearer`.
    Bearer(&'static str),
    /// A persona's token with a lower-case scheme.
    LowerBearer(&'static str),
    /// A persona's token in the `access_token` cookie.
    Cookie(&'static str),
    /// A raw `Authorization` value.
    Raw(&'static str),
    /// A persona's token sent twice.
    Twice(&'static str),
    /// A persona's token with one signature character changed.
    Tampered(&'static str),
    /// Minted by the demo's issuer for this row.
    Minted(fn(&TestIssuer) -> String),
}

#[derive(Debug, Clone, Copy)]
struct Row {
    method: &'static str,
    path: &'static str,
    token: Token,
    headers: &'static [(&'static str, &'static str)],
    body: Option<&'static str>,
    /// The status both must give (the table is also checked on its own).
    expect: u16,
}

const fn row(method: &'static str, path: &'static str, token: Token, expect: u16) -> Row {
    Row {
        method,
        path,
        token,
        headers: &[],
        body: None,
        expect,
    }
}

const POST: Option<&str> = Some(r#"{"title":"Hi","content":"from the table"}"#);
const BAD_JSON: Option<&str> = Some("{not json");

fn table() -> Vec<Row> {
    use Token::*;
    let with_body = |r: Row, body| Row { body, ..r };
    let with_headers = |r: Row, headers| Row { headers, ..r };
    vec![
        row("GET", "/", None, 200),
        // Token sources.
        row("GET", "/me", None, 401),
        row("GET", "/me", Bearer("editor_a"), 200),
        row("GET", "/me", LowerBearer("editor_a"), 200),
        row("GET", "/me", Cookie("viewer_a"), 200),
        // Rejections.
        row("GET", "/me", Raw("Basic dXNlcjpwYXNz"), 401),
        row("GET", "/me", Raw("Bearer not.a.token"), 401),
        row("GET", "/me", Raw("Bearer"), 401),
        row("GET", "/me", Twice("editor_a"), 401),
        row("GET", "/me", Tampered("editor_a"), 401),
        row("GET", "/me", Minted(|i| i.token().expired().mint()), 401),
        row(
            "GET",
            "/me",
            Minted(|i| i.token().audience("another-api").mint()),
            401,
        ),
        row(
            "GET",
            "/me",
            Minted(|i| i.token().issuer("http://evil.example").mint()),
            401,
        ),
        row(
            "GET",
            "/me",
            Minted(|i| i.token().not_yet_valid().mint()),
            401,
        ),
        // Scopes and workspaces.
        row("GET", "/posts", Bearer("viewer_a"), 200),
        row("GET", "/posts", Bearer("editor_b"), 200),
        row("GET", "/posts", None, 401),
        row(
            "GET",
            "/posts",
            Minted(|i| i.token().scopes(["read:posts"]).mint()),
            403,
        ),
        with_body(row("POST", "/posts", Bearer("viewer_a"), 403), POST),
        with_body(row("POST", "/posts", Bearer("editor_a"), 201), POST),
        // Authorization before the body: a bad body is never looked at.
        with_body(row("POST", "/posts", None, 401), BAD_JSON),
        with_body(row("POST", "/posts", Bearer("viewer_a"), 403), BAD_JSON),
        // Cookie tokens and cross-site state changes.
        with_headers(
            with_body(row("POST", "/posts", Cookie("editor_a"), 403), POST),
            &[("sec-fetch-site", "cross-site")],
        ),
        with_headers(
            with_body(row("POST", "/posts", Cookie("editor_a"), 403), POST),
            &[("origin", "https://evil.example")],
        ),
        with_headers(
            with_body(row("POST", "/posts", Cookie("editor_a"), 201), POST),
            &[("sec-fetch-site", "same-origin")],
        ),
        with_body(row("POST", "/posts", Cookie("editor_a"), 201), POST),
        // Deleting post 2 (the first one the table created, in ws_a).
        row("DELETE", "/posts/2", Bearer("editor_a"), 403),
        row("DELETE", "/posts/2", Bearer("editor_b"), 404),
        row("DELETE", "/posts/2", Bearer("admin_a"), 200),
        row("DELETE", "/posts/2", Bearer("admin_a"), 404),
        row("GET", "/posts", Bearer("admin_a"), 200),
        // Roles.
        row("GET", "/admin/users", None, 401),
        row("GET", "/admin/users", Bearer("editor_a"), 403),
        row("GET", "/admin/users", Bearer("admin_a"), 200),
        with_body(
            row("POST", "/content", Bearer("viewer_a"), 403),
            Some(r#"{"body":"x"}"#),
        ),
        with_body(
            row("POST", "/content", Bearer("editor_b"), 200),
            Some(r#"{"body":"x"}"#),
        ),
        with_body(row("POST", "/content", None, 401), Some(r#"{"body":"x"}"#)),
        with_body(
            row(
                "POST",
                "/content",
                Minted(|i| i.token().roles(["editor"]).expired().mint()),
                401,
            ),
            Some(r#"{"body":"x"}"#),
        ),
    ]
}

/// What the two must agree on.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    www_authenticate: Option<String>,
    retry_after: Option<String>,
    body: String,
}

fn tamper(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = bytes.len() - 10;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

async fn ask(
    client: &reqwest::Client,
    addr: SocketAddr,
    tokens: &std::collections::BTreeMap<&'static str, String>,
    issuer: Option<&TestIssuer>,
    row: &Row,
) -> Answer {
    let url = format!("http://{addr}{}", row.path);
    let mut req = client.request(row.method.parse().unwrap(), url);
    let persona = |p: &str| tokens.get(p).cloned().expect("a persona's token");
    req = match row.token {
        Token::None => req,
        Token::Bearer(p) => req.header("authorization", format!("Bearer {}", persona(p))),
        Token::LowerBearer(p) => req.header("authorization", format!("bearer {}", persona(p))),
        Token::Cookie(p) => req.header("cookie", format!("access_token={}", persona(p))),
        Token::Raw(value) => req.header("authorization", value),
        Token::Twice(p) => req
            .header("authorization", format!("Bearer {}", persona(p)))
            .header("authorization", format!("Bearer {}", persona(p))),
        Token::Tampered(p) => {
            req.header("authorization", format!("Bearer {}", tamper(&persona(p))))
        }
        Token::Minted(mint) => req.header(
            "authorization",
            format!("Bearer {}", mint(issuer.expect("the embedded issuer"))),
        ),
    };
    for (name, value) in row.headers {
        req = req.header(*name, *value);
    }
    if let Some(body) = row.body {
        req = req.header("content-type", "application/json").body(body);
    }
    let res = req.send().await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    Answer {
        status: res.status().as_u16(),
        www_authenticate: header("www-authenticate"),
        retry_after: header("retry-after"),
        body: res.text().await.unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_and_actix_examples_answer_every_row_alike() {
    let axum = complete::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let actix = complete_actix::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(axum.tokens.len(), 4, "four personas");
    assert_eq!(
        axum.tokens.keys().collect::<Vec<_>>(),
        actix.tokens.keys().collect::<Vec<_>>()
    );
    let client = reqwest::Client::new();
    let rows = table();
    for (i, row) in rows.iter().enumerate() {
        let a = ask(&client, axum.addr, &axum.tokens, axum.issuer.as_ref(), row).await;
        let b = ask(
            &client,
            actix.addr,
            &actix.tokens,
            actix.issuer.as_ref(),
            row,
        )
        .await;
        assert_eq!(a.status, row.expect, "row {i} {row:?} on axum: {a:?}");
        assert_eq!(
            a, b,
            "row {i} {row:?}: axum (left) and actix-web (right) differ"
        );
        if a.status == 401 || a.status == 403 {
            assert!(a.www_authenticate.is_some(), "row {i}: a challenge");
        }
    }
    // Each demo's printed plan is the same, too.
    let plan = |d: &complete::Demo| {
        d.plan
            .iter()
            .map(|r| (r.method, r.path.clone(), r.persona, r.cookie, r.expect))
            .collect::<Vec<_>>()
    };
    let actix_plan: Vec<_> = actix
        .plan
        .iter()
        .map(|r| (r.method, r.path.clone(), r.persona, r.cookie, r.expect))
        .collect();
    assert_eq!(plan(&axum), actix_plan);
    axum.server.abort();
    actix.server.abort();
}

/// With the identity server down, both start, serve their public route and
/// answer a token with the same 503 and `Retry-After`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_examples_answer_alike_when_the_identity_server_is_down() {
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
    let fleet = || usso::FleetConfig::from_vars(|name| env.get(name).cloned()).unwrap();
    let axum = complete::start_with("127.0.0.1:0".parse().unwrap(), Some(fleet()))
        .await
        .unwrap();
    let actix = complete_actix::start_with("127.0.0.1:0".parse().unwrap(), Some(fleet()))
        .await
        .unwrap();
    assert!(axum.jwks_warning.is_some() && actix.jwks_warning.is_some());
    // A well-formed token for the configured issuer and audience; its keys
    // can't be fetched.
    let minter = TestIssuer::builder()
        .issuer(format!("http://{down}"))
        .audience("my-api")
        .start()
        .await;
    let token = minter.token().mint();
    let client = reqwest::Client::new();
    let none = std::collections::BTreeMap::new();
    let rows = [
        row("GET", "/", Token::None, 200),
        row("GET", "/me", Token::None, 401),
        row("GET", "/me", Token::Minted(|_| unreachable!()), 503),
    ];
    for (i, r) in rows.iter().enumerate() {
        let (a, b) = if let Token::Minted(_) = r.token {
            let send = |addr: SocketAddr| {
                client
                    .get(format!("http://{addr}/me"))
                    .header("authorization", format!("Bearer {token}"))
                    .send()
            };
            let (a, b) = (
                send(axum.addr).await.unwrap(),
                send(actix.addr).await.unwrap(),
            );
            let answer = |res: &reqwest::Response| {
                (
                    res.status().as_u16(),
                    res.headers()
                        .get("retry-after")
                        .map(|v| v.to_str().unwrap().to_owned()),
                    res.headers()
                        .get("www-authenticate")
                        .map(|v| v.to_str().unwrap().to_owned()),
                )
            };
            let (ah, bh) = (answer(&a), answer(&b));
            let (ab, bb) = (a.text().await.unwrap(), b.text().await.unwrap());
            assert!(ah.1.is_some(), "503 with Retry-After");
            (
                Answer {
                    status: ah.0,
                    retry_after: ah.1,
                    www_authenticate: ah.2,
                    body: ab,
                },
                Answer {
                    status: bh.0,
                    retry_after: bh.1,
                    www_authenticate: bh.2,
                    body: bb,
                },
            )
        } else {
            (
                ask(&client, axum.addr, &none, None, r).await,
                ask(&client, actix.addr, &none, None, r).await,
            )
        };
        assert_eq!(a.status, r.expect, "row {i} on axum: {a:?}");
        assert_eq!(a, b, "row {i}: axum (left) and actix-web (right) differ");
    }
    axum.server.abort();
    actix.server.abort();
}
