//! The axum integration on real routers driven with `oneshot`, with real
//! tokens from a real loopback issuer.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, Json, Path, State};
use axum::http::{Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use usso::testing::TestIssuer;
use usso::{
    ApiKeyFuture, ApiKeyVerifier, ApiKeys, AuthError, Authorized, JwtConfig, MultiTenant, Policy,
    Requirement, TokenSource, UserData, UssoAuth, UssoLayer,
};

struct Reply {
    status: StatusCode,
    www: Option<String>,
    retry_after: Option<String>,
    body: Value,
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let www = res
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Reply {
        status,
        www,
        retry_after,
        body,
    }
}

fn get_with(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::get(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn me(user: UserData) -> Json<Value> {
    Json(json!({"user_id": user.sub, "roles": user.roles, "scopes": user.scopes}))
}

async fn maybe(user: Option<UserData>) -> String {
    user.and_then(|u| u.sub)
        .unwrap_or_else(|| "anonymous".into())
}

struct ReadData;
impl Policy for ReadData {
    const REQUIREMENT: Requirement = Requirement::Scope("read:data");
}

async fn data(Authorized(user, _): Authorized<UserData, ReadData>) -> String {
    format!("data for {}", user.sub.unwrap_or_default())
}

#[derive(serde::Deserialize)]
struct Post {
    #[allow(dead_code)]
    title: String,
}

async fn create(
    Authorized(user, _): Authorized<UserData, ReadData>,
    Json(_post): Json<Post>,
) -> String {
    user.sub.unwrap_or_default()
}

fn app(auth: UssoAuth) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .route("/data", get(data))
        .route("/posts", post(create))
        .with_state(auth)
}

#[tokio::test]
async fn each_token_source_and_rejection() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.auth());
    let token = issuer.token().sub("user:1").scopes(["read:data"]).mint();

    let ok = send(&app, get_with("/me", &[("authorization", &bearer(&token))])).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["user_id"], "user:1");
    // Lower-case scheme, and the default USSO cookie.
    let ok = send(
        &app,
        get_with("/me", &[("authorization", &format!("bearer {token}"))]),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    let ok = send(
        &app,
        get_with(
            "/me",
            &[("cookie", &format!("a=b; usso-access-token={token}"))],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);

    // Missing: a bare challenge.
    let r = send(&app, get_with("/me", &[])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.www.as_deref(), Some("Bearer realm=\"usso\""));
    assert_eq!(r.body["error"], "token_not_found");
    // Wrong scheme: invalid_token, never another credential.
    let r = send(
        &app,
        get_with("/me", &[("authorization", "Basic dXNlcjpwYXNz")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.www.unwrap().contains("error=\"invalid_token\""));
    // Expired.
    let r = send(
        &app,
        get_with(
            "/me",
            &[("authorization", &bearer(&issuer.token().expired().mint()))],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"], "token_expired");
    let www = r.www.unwrap();
    assert!(
        www.starts_with("Bearer realm=\"usso\", error=\"invalid_token\", error_description=\""),
        "{www}"
    );
    // Wrong audience, wrong issuer, bad signature.
    for (tok, code) in [
        (issuer.token().audience("other").mint(), "invalid_audience"),
        (
            issuer.token().issuer("http://evil").mint(),
            "invalid_issuer",
        ),
        (tamper(&token), "invalid_signature"),
    ] {
        let r = send(&app, get_with("/me", &[("authorization", &bearer(&tok))])).await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(code))
        );
    }
    // Policy: 403 with the scope parameter.
    let viewer = issuer.token().scopes(["read:posts"]).mint();
    let r = send(
        &app,
        get_with("/data", &[("authorization", &bearer(&viewer))]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"], "insufficient_scope");
    assert!(r.www.unwrap().contains("error=\"insufficient_scope\", error_description=\"missing required scope: read:data\", scope=\"read:data\""));
    let r = send(
        &app,
        get_with("/data", &[("authorization", &bearer(&token))]),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::OK, json!("data for user:1"))
    );
}

#[tokio::test]
async fn custom_header_and_cookie_sources() {
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config_builder()
        .token_sources([
            TokenSource::header("X-Access-Token").unwrap(),
            TokenSource::cookie("access_token"),
        ])
        .build()
        .unwrap();
    let app = app(UssoAuth::new(config).unwrap());
    let token = issuer.token().mint();
    assert_eq!(
        send(&app, get_with("/me", &[("x-access-token", &token)]))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(
            &app,
            get_with("/me", &[("cookie", &format!("access_token={token}"))])
        )
        .await
        .status,
        StatusCode::OK
    );
    // The Authorization header is not a configured source here.
    assert_eq!(
        send(&app, get_with("/me", &[("authorization", &bearer(&token))]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn optional_auth_is_none_without_token_and_401_with_a_bad_one() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.auth());
    assert_eq!(
        send(&app, get_with("/maybe", &[])).await.body,
        json!("anonymous")
    );
    let tok = issuer.token().sub("user:7").mint();
    assert_eq!(
        send(
            &app,
            get_with("/maybe", &[("authorization", &bearer(&tok))])
        )
        .await
        .body,
        json!("user:7")
    );
    let r = send(
        &app,
        get_with("/maybe", &[("authorization", "Bearer not.a.token")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn authorization_is_decided_before_the_body_is_read() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.auth());
    let bad_json = |auth: Option<String>| {
        let mut b = Request::post("/posts").header("content-type", "application/json");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        b.body(Body::from("{not json")).unwrap()
    };
    assert_eq!(
        send(&app, bad_json(None)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let viewer = issuer.token().scopes(["read:posts"]).mint();
    assert_eq!(
        send(&app, bad_json(Some(bearer(&viewer)))).await.status,
        StatusCode::FORBIDDEN
    );
    // With the right scope the body extractor finally runs, and rejects the JSON.
    let ok = issuer.token().scopes(["read:data"]).mint();
    assert_eq!(
        send(&app, bad_json(Some(bearer(&ok)))).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn missing_authenticator_is_a_500_that_says_how_to_fix_it() {
    let app: Router = Router::new().route("/me", get(me));
    let r = send(&app, get_with("/me", &[("authorization", "Bearer a.b.c")])).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.body["detail"].as_str().unwrap().contains("FromRef"));
}

#[tokio::test]
async fn extension_instead_of_state() {
    let issuer = TestIssuer::start().await;
    let app: Router = Router::new()
        .route("/me", get(me))
        .layer(Extension(issuer.auth()));
    let tok = issuer.token().mint();
    assert_eq!(
        send(&app, get_with("/me", &[("authorization", &bearer(&tok))]))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, get_with("/me", &[])).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn ext_me(Extension(user): Extension<UserData>) -> String {
    user.sub.unwrap_or_default()
}

async fn ext_maybe(user: Option<Extension<UserData>>) -> String {
    user.map(|Extension(u)| u.sub.unwrap_or_default())
        .unwrap_or_else(|| "anonymous".into())
}

#[tokio::test]
async fn layer_required_and_optional_verify_once() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth();
    let required: Router = Router::new()
        .route("/me", get(ext_me))
        .route(
            "/both",
            get(
                |u: UserData, Extension(e): Extension<UserData>| async move {
                    format!("{:?}={:?}", u.sub, e.sub)
                },
            ),
        )
        .layer(UssoLayer::required(auth.clone()));
    let optional: Router = Router::new()
        .route("/maybe", get(ext_maybe))
        .layer(UssoLayer::optional(auth));
    let tok = issuer.token().sub("user:9").mint();
    let r = send(
        &required,
        get_with("/me", &[("authorization", &bearer(&tok))]),
    )
    .await;
    assert_eq!((r.status, r.body), (StatusCode::OK, json!("user:9")));
    let r = send(
        &required,
        get_with("/both", &[("authorization", &bearer(&tok))]),
    )
    .await;
    assert_eq!(r.body, json!("Some(\"user:9\")=Some(\"user:9\")"));
    let r = send(&required, get_with("/me", &[])).await;
    assert_eq!(
        (r.status, r.www.as_deref()),
        (StatusCode::UNAUTHORIZED, Some("Bearer realm=\"usso\""))
    );
    assert_eq!(
        send(&optional, get_with("/maybe", &[])).await.body,
        json!("anonymous")
    );
    assert_eq!(
        send(
            &optional,
            get_with("/maybe", &[("authorization", &bearer(&tok))])
        )
        .await
        .body,
        json!("user:9")
    );
    assert_eq!(
        send(
            &optional,
            get_with("/maybe", &[("authorization", "Bearer x.y.z")])
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn custom_rejection_hook_replaces_the_response() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth().on_error(|e: &AuthError| {
        let title = match e {
            AuthError::TokenExpired => "Token expired",
            AuthError::InsufficientScope { .. } => "Insufficient permissions",
            _ => "Invalid token",
        };
        (
            StatusCode::IM_A_TEAPOT,
            Json(json!({"title": title, "status": e.status().as_u16()})),
        )
            .into_response()
    });
    let app = app(auth);
    let r = send(
        &app,
        get_with(
            "/me",
            &[("authorization", &bearer(&issuer.token().expired().mint()))],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::IM_A_TEAPOT);
    assert_eq!(r.body, json!({"title": "Token expired", "status": 401}));
    let r = send(
        &app,
        get_with(
            "/data",
            &[("authorization", &bearer(&issuer.token().mint()))],
        ),
    )
    .await;
    assert_eq!(r.body["title"], "Insufficient permissions");
}

#[tokio::test]
async fn mock_authenticator_bypasses_tokens_but_not_policies() {
    let user = UserData::new("user:test123")
        .with_roles(["editor"])
        .with_scopes(["read:posts", "write:posts"]);
    let app = app(UssoAuth::mock(user));
    let r = send(&app, get_with("/me", &[])).await;
    assert_eq!(
        (r.status, &r.body["user_id"]),
        (StatusCode::OK, &json!("user:test123"))
    );
    assert_eq!(
        send(&app, get_with("/data", &[])).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn jwks_down_on_cold_start_is_503_with_retry_after() {
    let issuer = TestIssuer::start().await;
    issuer.fail_with(500);
    let app = app(issuer.auth());
    let r = send(
        &app,
        get_with("/me", &[("authorization", &bearer(&issuer.token().mint()))]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.retry_after.is_some());
    assert_eq!(r.body["error"], "keys_unavailable");
}

async fn tenant_data(user: UserData) -> Json<Value> {
    Json(json!({"tenant": user.tenant_id, "iss": user.iss}))
}

#[tokio::test]
async fn multi_tenant_by_header_and_by_issuer() {
    let a = TestIssuer::builder().audience("app1").start().await;
    let b = TestIssuer::builder().audience("app2").start().await;
    let by_header = MultiTenant::by_header("x-tenant-id")
        .tenant("tenant1", a.config())
        .tenant("tenant2", b.config())
        .build()
        .unwrap();
    let app: Router = Router::new()
        .route("/data", get(tenant_data))
        .with_state(by_header);
    let ta = a.token().tenant("tenant1").mint();
    let tb = b.token().tenant("tenant2").mint();
    let r = send(
        &app,
        get_with(
            "/data",
            &[("x-tenant-id", "tenant1"), ("authorization", &bearer(&ta))],
        ),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["tenant"]),
        (StatusCode::OK, &json!("tenant1"))
    );
    // Tenant B's token with tenant A's header: A's keys don't verify it.
    let r = send(
        &app,
        get_with(
            "/data",
            &[("x-tenant-id", "tenant1"), ("authorization", &bearer(&tb))],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        &app,
        get_with(
            "/data",
            &[("x-tenant-id", "nope"), ("authorization", &bearer(&ta))],
        ),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["error"]),
        (StatusCode::BAD_REQUEST, &json!("unknown_tenant"))
    );

    let by_issuer = MultiTenant::by_issuer()
        .tenant(a.issuer(), a.config())
        .tenant(b.issuer(), b.config())
        .build()
        .unwrap();
    let app: Router = Router::new()
        .route("/data", get(tenant_data))
        .with_state(by_issuer);
    for (tok, iss) in [(&ta, a.issuer()), (&tb, b.issuer())] {
        let r = send(&app, get_with("/data", &[("authorization", &bearer(tok))])).await;
        assert_eq!(
            (r.status, r.body["iss"].as_str()),
            (StatusCode::OK, Some(iss))
        );
    }
    // A token signed by A that claims to come from B is checked with B's keys: rejected.
    let forged = a.token().issuer(b.issuer()).audience("app2").mint();
    assert_eq!(
        send(
            &app,
            get_with("/data", &[("authorization", &bearer(&forged))])
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = a.token().issuer("http://127.0.0.1:1").mint();
    let r = send(
        &app,
        get_with("/data", &[("authorization", &bearer(&unknown))]),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_issuer"))
    );
}

#[tokio::test]
async fn tenants_sharing_a_jwks_url_share_one_store() {
    let issuer = TestIssuer::start().await;
    let cfg = |aud: &str| {
        JwtConfig::builder()
            .jwks_url(issuer.jwks_url())
            .issuer(issuer.issuer())
            .audience(aud)
            .build()
            .unwrap()
    };
    let auth = MultiTenant::by_header("x-tenant-id")
        .tenant("t1", cfg("usso-test"))
        .tenant("t2", cfg("usso-test"))
        .build()
        .unwrap();
    let app: Router = Router::new()
        .route("/data", get(tenant_data))
        .with_state(auth);
    let tok = issuer.token().mint();
    for t in ["t1", "t2", "t1", "t2"] {
        assert_eq!(
            send(
                &app,
                get_with(
                    "/data",
                    &[("x-tenant-id", t), ("authorization", &bearer(&tok))]
                )
            )
            .await
            .status,
            StatusCode::OK
        );
    }
    assert_eq!(issuer.fetch_count(), 1);
}

struct Keys;
impl ApiKeyVerifier for Keys {
    fn verify<'a>(&'a self, api_key: &'a str) -> ApiKeyFuture<'a> {
        Box::pin(async move {
            match api_key {
                "k-123" => Ok(UserData::new("service:reports").with_scopes(["read:data"])),
                _ => Err(AuthError::TokenInvalid {
                    reason: "unknown API key".into(),
                }),
            }
        })
    }
}

#[tokio::test]
async fn api_keys_from_x_api_key_only() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.auth().with_api_keys(ApiKeys::new(Keys)));
    let r = send(&app, get_with("/data", &[("x-api-key", "k-123")])).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::OK, json!("data for service:reports"))
    );
    assert_eq!(
        send(&app, get_with("/data", &[("x-api-key", "wrong")]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // A bearer value is never handed to the API-key verifier.
    assert_eq!(
        send(
            &app,
            get_with("/data", &[("authorization", "Bearer k-123")])
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    // Without the feature enabled, x-api-key is ignored.
    let plain = self::app(issuer.auth());
    assert_eq!(
        send(&plain, get_with("/data", &[("x-api-key", "k-123")]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn http_api_key_verifier_posts_to_the_configured_endpoint_and_caches() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let endpoint: Router = Router::new().route(
        "/verify",
        post(move |Json(body): Json<Value>| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                if body["api_key"] == "k-good" {
                    Json(json!({"sub": "service:1", "scopes": ["read:data"]})).into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, endpoint).await });
    let issuer = TestIssuer::start().await;
    let verifier = usso::HttpApiKeyVerifier::new(format!("http://{addr}/verify"))
        .unwrap()
        .ttl(Duration::from_secs(60));
    let app = app(issuer.auth().with_api_keys(ApiKeys::new(verifier)));
    for _ in 0..3 {
        let r = send(&app, get_with("/data", &[("x-api-key", "k-good")])).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1, "answers are cached");
    assert_eq!(
        send(&app, get_with("/data", &[("x-api-key", "k-bad")]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // A rejected key is remembered briefly: repeating it costs no request.
    for _ in 0..5 {
        let r = send(&app, get_with("/data", &[("x-api-key", "k-bad")])).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "one check for the good key, one for the bad"
    );
    server.abort();
}

#[tokio::test]
async fn state_with_from_ref() {
    #[derive(Clone, axum::extract::FromRef)]
    struct AppState {
        auth: UssoAuth,
        name: &'static str,
    }
    async fn h(State(name): State<&'static str>, user: UserData) -> String {
        format!("{name}:{}", user.sub.unwrap_or_default())
    }
    let issuer = TestIssuer::start().await;
    let app: Router = Router::new().route("/", get(h)).with_state(AppState {
        auth: issuer.auth(),
        name: "svc",
    });
    let r = send(
        &app,
        get_with(
            "/",
            &[("authorization", &bearer(&issuer.token().sub("u").mint()))],
        ),
    )
    .await;
    assert_eq!(r.body, json!("svc:u"));
    let _ = Path::<u32>;
}

/// Changes one character in the middle of the signature (keeping it valid base64url).
fn tamper(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = bytes.len() - 10;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn jwt_header_config_twin_header_prefix_and_cookie() {
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config_builder()
        .header("X-Auth", Some("Token"))
        .cookie_name("access_token")
        .build()
        .unwrap();
    let app = app(UssoAuth::new(config).unwrap());
    let token = issuer.token().mint();
    let with_prefix = format!("token {token}");
    assert_eq!(
        send(&app, get_with("/me", &[("x-auth", &with_prefix)]))
            .await
            .status,
        StatusCode::OK
    );
    let cookie = format!("access_token={token}");
    assert_eq!(
        send(&app, get_with("/me", &[("cookie", &cookie)]))
            .await
            .status,
        StatusCode::OK
    );
    // The default Authorization header is no longer a source.
    assert_eq!(
        send(&app, get_with("/me", &[("authorization", &bearer(&token))]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        issuer
            .config_builder()
            .header("bad header\n", None)
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn an_outer_layer_never_vouches_for_a_router_with_stricter_rules() {
    let issuer = TestIssuer::start().await;
    let public = UssoAuth::new(issuer.config_builder().build().unwrap()).unwrap();
    let admin_config = JwtConfig::builder()
        .jwks_url(issuer.jwks_url())
        .issuer(issuer.issuer())
        .audience("admin-api")
        .build()
        .unwrap();
    let admin_routes: Router = Router::new()
        .route("/admin/me", get(me))
        .with_state(UssoAuth::new(admin_config).unwrap());
    let app: Router = Router::new()
        .merge(admin_routes)
        .layer(UssoLayer::optional(public));
    // Valid for the outer (public) authenticator, wrong audience for the admin router.
    let public_token = issuer.token().mint();
    let r = send(
        &app,
        get_with("/admin/me", &[("authorization", &bearer(&public_token))]),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_audience"))
    );
    let admin_token = issuer
        .token()
        .audience("admin-api")
        .claim("aud", json!(["usso-test", "admin-api"]))
        .mint();
    let r = send(
        &app,
        get_with("/admin/me", &[("authorization", &bearer(&admin_token))]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn cookie_tokens_are_refused_on_cross_site_state_changes() {
    let issuer = TestIssuer::start().await;
    let app: Router = Router::new()
        .route(
            "/act",
            post(|user: UserData| async move { user.sub.unwrap_or_default() }).get(me),
        )
        .with_state(issuer.auth());
    let token = issuer.token().sub("user:1").mint();
    let cookie = format!("usso-access-token={token}");
    let call = |method: &'static str, headers: Vec<(&'static str, String)>| {
        let mut b = Request::builder().method(method).uri("/act");
        for (k, v) in headers {
            b = b.header(k, v);
        }
        b.body(Body::empty()).unwrap()
    };
    let c = || ("cookie", cookie.clone());
    // Cross-site POST carried by the browser's cookie: refused.
    let r = send(
        &app,
        call("POST", vec![c(), ("sec-fetch-site", "cross-site".into())]),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["error"]),
        (StatusCode::FORBIDDEN, &json!("cross_site_request"))
    );
    assert_eq!(
        r.www.as_deref(),
        Some("Bearer realm=\"usso\""),
        "no RFC 6750 code fits a CSRF refusal"
    );
    let r = send(
        &app,
        call(
            "POST",
            vec![
                c(),
                ("origin", "https://evil.example".into()),
                ("host", "api.example".into()),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Same-site POST, a cookie GET from anywhere, a non-browser client, and
    // a bearer header from anywhere: allowed.
    let r = send(
        &app,
        call("POST", vec![c(), ("sec-fetch-site", "same-origin".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(
        &app,
        call(
            "POST",
            vec![
                c(),
                ("origin", "https://api.example".into()),
                ("host", "api.example".into()),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        send(
            &app,
            call("GET", vec![c(), ("sec-fetch-site", "cross-site".into())])
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, call("POST", vec![c()])).await.status,
        StatusCode::OK
    );
    let bearer_header = ("authorization", bearer(&token));
    assert_eq!(
        send(
            &app,
            call(
                "POST",
                vec![bearer_header, ("sec-fetch-site", "cross-site".into())]
            )
        )
        .await
        .status,
        StatusCode::OK
    );
}
