//! First contact: every public constructor and builder setter that takes a
//! string is called with the strings a real user types (any case, empty,
//! whitespace, non-ASCII, 10 KB). Each gives a working value or a
//! `ConfigError`, never a panic, and this file says which.

use std::panic::{AssertUnwindSafe, catch_unwind};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use tower::ServiceExt;
use usso::testing::TestIssuer;
use usso::{
    ConfigError, HttpApiKeyVerifier, JwtConfig, Key, MultiTenant, TokenSource, UserData, UssoAuth,
};

/// The inputs, in the order of every expectation string below.
fn inputs() -> [(&'static str, String); 5] {
    [
        ("mixed case", "X-Mixed-Case".to_owned()),
        ("empty", String::new()),
        ("whitespace", " \t ".to_owned()),
        ("non-ASCII", "Ünïcödé-名前".to_owned()),
        ("10 KB", "k".repeat(10 * 1024)),
    ]
}

/// `v` for a value, `e` for an error, `P` for a panic.
fn outcome<T, E: std::fmt::Display>(f: impl FnOnce() -> Result<T, E>) -> char {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(_)) => 'v',
        Ok(Err(e)) => {
            let text = e.to_string();
            // An error message echoes at most a short prefix of the input.
            assert!(text.len() < 600, "error message of {} bytes", text.len());
            'e'
        }
        Err(_) => 'P',
    }
}

/// Runs `f` on each input and compares the outcomes with `want`.
fn sweep<T, E: std::fmt::Display>(name: &str, want: &str, f: impl Fn(&str) -> Result<T, E>) {
    let got: String = inputs().iter().map(|(_, s)| outcome(|| f(s))).collect();
    let labels: Vec<&str> = inputs().iter().map(|(l, _)| *l).collect();
    assert!(!got.contains('P'), "{name} panicked: {got} for {labels:?}");
    assert_eq!(got, want, "{name}: outcomes for {labels:?}");
}

/// A builder that builds, to which one setter at a time is applied.
fn base() -> usso::JwtConfigBuilder {
    JwtConfig::builder()
        .jwks_url("http://127.0.0.1:9/.well-known/jwks.json")
        .issuer("http://127.0.0.1:9")
        .audience("app")
}

#[test]
fn token_source_constructors() {
    // Header names are case-insensitive tokens of up to 64 KiB.
    sweep("TokenSource::header", "veeev", |s| TokenSource::header(s));
    sweep("TokenSource::header_with_prefix(name)", "veeev", |s| {
        TokenSource::header_with_prefix(s, "Token")
    });
    sweep("TokenSource::header_with_prefix(prefix)", "veeev", |s| {
        TokenSource::header_with_prefix("x-token", s)
    });
    // A cookie name is checked when the configuration is built.
    sweep("TokenSource::cookie", "veeev", |s| {
        base().token_sources([TokenSource::cookie(s)]).build()
    });
}

#[test]
fn jwt_config_builder_setters() {
    // Not URLs: every one is an error at build, none a panic.
    sweep("jwks_url", "eeeee", |s| {
        JwtConfig::builder()
            .jwks_url(s)
            .issuer("i")
            .audience("a")
            .build()
    });
    // Issuers and audiences are compared as given; only the empty one is refused.
    sweep("issuer", "veevv", |s| base().issuer(s).build());
    sweep("issuers", "veevv", |s| base().issuers([s]).build());
    sweep("audience", "veevv", |s| base().audience(s).build());
    sweep("audiences", "veevv", |s| base().audiences([s]).build());
    sweep("token_types", "vvvvv", |s| base().token_types([s]).build());
    sweep("typ", "vvvvv", |s| base().typ(s).build());
    sweep("header(name, None)", "veeev", |s| {
        base().header(s, None).build()
    });
    sweep("header(name, Some(prefix))", "veeev", |s| {
        base().header("X-Token", Some(s)).build()
    });
    sweep("cookie_name", "veeev", |s| base().cookie_name(s).build());
    // The realm goes into a quoted `WWW-Authenticate` parameter: printable ASCII, at most 256.
    sweep("realm", "veeee", |s| base().realm(s).build());
    // Key material is parsed at build: none of these is a key.
    for (name, key) in [
        ("Key::pem", Key::pem as fn(String) -> Key),
        ("Key::jwk", Key::jwk),
        ("Key::ed25519", Key::ed25519),
        ("Key::parse", Key::parse),
    ] {
        sweep(name, "eeeee", |s| {
            JwtConfig::builder()
                .key(key(s.to_owned()))
                .issuer("i")
                .audience("a")
                .build()
        });
    }
}

#[test]
fn other_constructors() {
    sweep("HttpApiKeyVerifier::new", "eeeee", |s| {
        HttpApiKeyVerifier::new(s)
    });
    sweep("MultiTenant::by_header", "veeev", |s| {
        MultiTenant::by_header(s)
            .tenant("t1", base().build()?)
            .build()
    });
    // By header, the id is matched against the trimmed header value.
    sweep("MultiTenant::tenant", "veevv", |s| {
        MultiTenant::by_header("X-Tenant-ID")
            .tenant(s, base().build()?)
            .build()
    });
    sweep("MultiTenant::realm", "veeee", |s| {
        MultiTenant::by_issuer()
            .tenant("http://127.0.0.1:9", base().build()?)
            .realm(s)
            .build()
    });
    // Claims carry any text.
    sweep("UserData::new", "vvvvv", |s| {
        Ok::<_, ConfigError>(
            UserData::new(s)
                .with_roles([s])
                .with_scopes([s])
                .with_tenant(s)
                .with_workspace(s),
        )
    });
}

#[test]
fn configuration_errors_name_the_setting() {
    let err = |r: Result<UssoAuth, ConfigError>| r.unwrap_err().to_string();
    let by_header = MultiTenant::by_header("X Tenant")
        .tenant("t1", base().build().unwrap())
        .build();
    assert!(err(by_header).contains("MultiTenant::by_header"));
    let header = TokenSource::header("x y").unwrap_err().to_string();
    assert!(header.contains("TokenSource::header"), "{header}");
    let cookie = base().cookie_name("a=b").build().unwrap_err().to_string();
    assert!(cookie.contains("cookie_name"), "{cookie}");
    let long = TokenSource::header(format!("{} x", "k".repeat(10_000)))
        .unwrap_err()
        .to_string();
    assert!(long.len() < 300, "the error echoes the whole input: {long}");
}

async fn status(app: &Router, headers: &[(&str, &str)]) -> StatusCode {
    let mut req = Request::get("/");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Body::empty()).unwrap();
    app.clone().oneshot(req).await.unwrap().status()
}

fn app(auth: UssoAuth) -> Router {
    Router::new()
        .route(
            "/",
            get(|user: UserData| async move { user.sub.unwrap_or_default() }),
        )
        .with_state(auth)
}

/// The names the Python SDK docs use, in their case, work on real routers.
#[tokio::test]
async fn mixed_case_header_names_work_through_routers() {
    let issuer = TestIssuer::start().await;
    let token = issuer.token().mint();

    let long_name = "x-".to_owned() + &"k".repeat(10 * 1024);
    for name in ["X-Access-Token", "x-access-token", long_name.as_str()] {
        let source = TokenSource::header(name).unwrap();
        let config = issuer.config_builder().token_sources([source]).build();
        let router = app(UssoAuth::new(config.unwrap()).unwrap());
        let lower = name.to_ascii_lowercase();
        assert_eq!(
            status(&router, &[(&lower, &token)]).await,
            StatusCode::OK,
            "{name}"
        );
        assert_eq!(
            status(&router, &[]).await,
            StatusCode::UNAUTHORIZED,
            "{name}"
        );
    }

    let source = TokenSource::header_with_prefix("X-Token", "Token").unwrap();
    let config = issuer.config_builder().token_sources([source]).build();
    let prefixed = app(UssoAuth::new(config.unwrap()).unwrap());
    let value = format!("token {token}");
    assert_eq!(
        status(&prefixed, &[("x-token", &value)]).await,
        StatusCode::OK
    );

    let auth = MultiTenant::by_header("X-Tenant-ID")
        .tenant("tenant1", issuer.config())
        .build()
        .unwrap();
    let tenants = app(auth);
    let bearer = format!("Bearer {token}");
    let with_tenant = [
        ("authorization", bearer.as_str()),
        ("x-tenant-id", "tenant1"),
    ];
    assert_eq!(status(&tenants, &with_tenant).await, StatusCode::OK);
    let unknown = [
        ("authorization", bearer.as_str()),
        ("X-TENANT-ID", "tenant2"),
    ];
    assert_eq!(status(&tenants, &unknown).await, StatusCode::BAD_REQUEST);
}

/// The public entry point outside axum applies the cookie CSRF rule too: it
/// takes the request's parts, method included.
#[tokio::test]
async fn authenticate_refuses_a_cross_site_cookie_post() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let token = issuer.token().mint();
    let cookie = format!("usso-access-token={token}");
    let bearer = format!("Bearer {token}");
    let parts = |method: &str, credential: (&str, &str), site: &str| {
        let request = Request::builder()
            .method(method)
            .uri("/posts")
            .header(credential.0, credential.1)
            .header("sec-fetch-site", site)
            .body(())
            .unwrap();
        request.into_parts().0
    };
    let cases = [
        ("POST", ("cookie", cookie.as_str()), "cross-site", false),
        ("DELETE", ("cookie", cookie.as_str()), "same-site", false),
        ("POST", ("cookie", cookie.as_str()), "same-origin", true),
        ("GET", ("cookie", cookie.as_str()), "cross-site", true),
        // A header token is not sent by browsers on their own: no CSRF rule.
        (
            "POST",
            ("authorization", bearer.as_str()),
            "cross-site",
            true,
        ),
    ];
    for (method, credential, site, allowed) in cases {
        let got = auth
            .authenticate::<UserData>(&parts(method, credential, site))
            .await;
        match (allowed, got) {
            (true, Ok(user)) => assert!(user.sub.is_some()),
            (false, Err(usso::AuthError::CrossSiteRequest)) => {}
            (_, other) => panic!("{method} {} {site}: {other:?}", credential.0),
        }
    }
}

/// What the README says of a token from the USSO server's lite mode: custom
/// claims nested under `claims`, no tenant or workspace, the
/// `usso-access-token` cookie.
#[tokio::test]
async fn a_lite_mode_token_as_user_data() {
    use axum::Json;
    use serde_json::{Value, json};

    let issuer = TestIssuer::start().await;
    let token = issuer
        .token()
        .sub("0b8f3c2e-user")
        .roles(["user"])
        .scopes(["read:posts"])
        .claim("session_id", "sess_1")
        .claim("amr", json!(["pwd"]))
        .claim("acr", "1")
        .claim("user_id", "0b8f3c2e-user")
        .claim("user_name", "Alice")
        .claim("email", "alice@example.com")
        .claim("phone", "+100")
        .claim("username", "alice")
        .claim("claims", json!({"plan": "pro", "seats": 3}))
        .mint();
    let me = |user: UserData| async move {
        Json(json!({
            "user_id": user.user_id(),
            "email": user.email,
            "tenant": user.tenant_id,
            "workspace": user.workspace_id,
            "plan": user.extra["claims"]["plan"],
            "username": user.extra["username"],
        }))
    };
    let ws = |ws: usso::Workspace| async move { ws.id().to_owned() };
    let app = Router::new()
        .route("/me", get(me))
        .route("/ws", get(ws))
        .with_state(issuer.auth());
    let cookie = format!("usso-access-token={token}");
    let req = |uri: &str| {
        Request::get(uri)
            .header("cookie", cookie.as_str())
            .body(Body::empty())
            .unwrap()
    };
    let res = app.clone().oneshot(req("/me")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body.to_bytes()).unwrap();
    assert_eq!(
        body,
        json!({"user_id": "0b8f3c2e-user", "email": "alice@example.com", "tenant": null,
               "workspace": null, "plan": "pro", "username": "alice"})
    );
    let res = app.clone().oneshot(req("/ws")).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body.to_bytes()).unwrap();
    assert_eq!(body["error"], "workspace_required");
}
