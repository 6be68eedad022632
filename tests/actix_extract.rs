//! The actix-web integration on real apps (`actix_web::test::init_service`),
//! with real tokens from a real loopback issuer: the twin of
//! `tests/axum_extract.rs`, with the same statuses, challenges and bodies.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::dev::{Payload, Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{App, FromRequest, HttpMessage, HttpRequest, HttpResponse, test};
use serde_json::{Value, json};
use usso::actix::UssoMiddleware;
use usso::testing::TestIssuer;
use usso::{
    ApiKeyFuture, ApiKeyVerifier, ApiKeys, AuthError, Authorized, Claims, MultiTenant, Policy,
    Requirement, UserData, UssoAuth, Workspace, require_any_role, require_scope, workspace_scoped,
};

struct Reply {
    status: StatusCode,
    www: Option<String>,
    retry_after: Option<String>,
    body: Value,
}

async fn reply<B: actix_web::body::MessageBody>(res: ServiceResponse<B>) -> Reply {
    let status = res.status();
    let header = |name| {
        res.headers()
            .get(name)
            .map(|v: &actix_web::http::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let www = header(actix_web::http::header::WWW_AUTHENTICATE);
    let retry_after = header(actix_web::http::header::RETRY_AFTER);
    let bytes = test::read_body(res).await;
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Reply {
        status,
        www,
        retry_after,
        body,
    }
}

/// Sends `req` to `app` and reads the whole answer.
async fn send<S, B>(app: &S, req: test::TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    match app.call(req.to_request()).await {
        Ok(res) => reply(res).await,
        Err(err) => {
            reply(ServiceResponse::new(
                test::TestRequest::default().to_http_request(),
                err.error_response(),
            ))
            .await
        }
    }
}

fn get(uri: &str, headers: &[(&str, &str)]) -> test::TestRequest {
    let mut req = test::TestRequest::get().uri(uri);
    for (k, v) in headers {
        req = req.insert_header((k.to_string(), v.to_string()));
    }
    req
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn me(user: UserData) -> web::Json<Value> {
    web::Json(json!({"user_id": user.sub, "roles": user.roles, "scopes": user.scopes}))
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
    web::Json(_post): web::Json<Post>,
) -> String {
    user.sub.unwrap_or_default()
}

async fn workspace(ws: Workspace) -> String {
    ws.id().to_owned()
}

/// The same routes as the axum tests, with the authenticator as app data.
fn app(
    auth: UssoAuth,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(auth))
        .route("/me", web::get().to(me))
        .route("/data", web::get().to(data))
        .route("/posts", web::post().to(create))
        .route("/ws", web::get().to(workspace))
}

/// Changes one character in the middle of the signature (keeping it valid base64url).
fn tamper(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = bytes.len() - 10;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[actix_web::test]
async fn each_token_source_and_rejection() {
    let issuer = TestIssuer::start().await;
    let app = test::init_service(app(issuer.auth())).await;
    let token = issuer.token().sub("user:1").scopes(["read:data"]).mint();

    let ok = send(&app, get("/me", &[("authorization", &bearer(&token))])).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["user_id"], "user:1");
    let lower = format!("bearer {token}");
    let ok = send(&app, get("/me", &[("authorization", &lower)])).await;
    assert_eq!(ok.status, StatusCode::OK);
    let cookie = format!("a=b; usso-access-token={token}");
    let ok = send(&app, get("/me", &[("cookie", &cookie)])).await;
    assert_eq!(ok.status, StatusCode::OK);

    // Missing: a bare challenge and the JSON body.
    let r = send(&app, get("/me", &[])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.www.as_deref(), Some("Bearer realm=\"usso\""));
    assert_eq!(
        r.body,
        json!({"error": "token_not_found", "detail": AuthError::TokenNotFound.to_string()})
    );
    // Wrong scheme.
    let r = send(&app, get("/me", &[("authorization", "Basic dXNlcjpwYXNz")])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.www.unwrap().contains("error=\"invalid_token\""));
    // Expired, wrong audience, wrong issuer, bad signature.
    for (tok, code) in [
        (issuer.token().expired().mint(), "token_expired"),
        (issuer.token().audience("other").mint(), "invalid_audience"),
        (
            issuer.token().issuer("http://evil").mint(),
            "invalid_issuer",
        ),
        (tamper(&token), "invalid_signature"),
    ] {
        let r = send(&app, get("/me", &[("authorization", &bearer(&tok))])).await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(code))
        );
        let www = r.www.unwrap();
        assert!(
            www.starts_with("Bearer realm=\"usso\", error=\"invalid_token\", error_description=\""),
            "{www}"
        );
    }
    // Policy: 403 with the scope parameter.
    let viewer = issuer.token().scopes(["read:posts"]).mint();
    let r = send(&app, get("/data", &[("authorization", &bearer(&viewer))])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"], "insufficient_scope");
    assert!(r.www.unwrap().contains("error=\"insufficient_scope\", error_description=\"missing required scope: read:data\", scope=\"read:data\""));
    let r = send(&app, get("/data", &[("authorization", &bearer(&token))])).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::OK, json!("data for user:1"))
    );
    // Workspace: the token's, or 403 workspace_required.
    let in_ws = issuer.token().workspace("ws_a").mint();
    let r = send(&app, get("/ws", &[("authorization", &bearer(&in_ws))])).await;
    assert_eq!((r.status, r.body), (StatusCode::OK, json!("ws_a")));
    let r = send(&app, get("/ws", &[("authorization", &bearer(&token))])).await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("workspace_required"))
    );
}

/// A request body that counts how often it is polled.
struct Recording {
    body: Option<Bytes>,
    polls: Rc<Cell<usize>>,
}

impl futures_core::Stream for Recording {
    type Item = Result<Bytes, actix_web::error::PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.polls.set(self.polls.get() + 1);
        Poll::Ready(self.body.take().map(Ok))
    }
}

/// Extracts `(Authorized<UserData, ReadData>, Json<Value>)` as actix-web
/// does for a handler (one future polling both), and says how often the
/// body was polled.
async fn extract_with_body(
    app_auth: &UssoAuth,
    token: Option<&str>,
    body: &'static str,
) -> (Result<(), StatusCode>, usize) {
    let mut req = test::TestRequest::post()
        .uri("/posts")
        .app_data(web::Data::new(app_auth.clone()))
        .insert_header(("content-type", "application/json"))
        .insert_header(("content-length", body.len().to_string()));
    if let Some(token) = token {
        req = req.insert_header(("authorization", bearer(token)));
    }
    let req: HttpRequest = req.to_http_request();
    let polls = Rc::new(Cell::new(0));
    let stream: Pin<Box<dyn futures_core::Stream<Item = _>>> = Box::pin(Recording {
        body: Some(Bytes::from_static(body.as_bytes())),
        polls: Rc::clone(&polls),
    });
    let mut payload = Payload::from(stream);
    let extracted =
        <(Authorized<UserData, ReadData>, web::Json<Value>) as FromRequest>::from_request(
            &req,
            &mut payload,
        )
        .await;
    let status = extracted
        .map(|_| ())
        .map_err(|e| e.as_response_error().status_code());
    (status, polls.get())
}

#[actix_web::test]
async fn authorization_is_decided_before_the_body_is_read() {
    let issuer = TestIssuer::start().await;
    // A fresh authenticator: its first verification waits for the JWKS
    // fetch, while actix-web polls the `Json` extractor next to it.
    let auth = issuer.auth();
    let viewer = issuer.token().scopes(["read:posts"]).mint();
    assert_eq!(
        extract_with_body(&auth, Some(&viewer), "{not json").await,
        (Err(StatusCode::FORBIDDEN), 0),
        "a 403 must win over the body's 400, and the body must never be read"
    );
    assert_eq!(
        extract_with_body(&auth, None, "{not json").await,
        (Err(StatusCode::UNAUTHORIZED), 0)
    );
    assert_eq!(
        extract_with_body(&auth, Some("not.a.token"), r#"{"title":"x"}"#).await,
        (Err(StatusCode::UNAUTHORIZED), 0)
    );
    // Authorized: the body is read, and its own rejection comes through.
    let ok = issuer.token().scopes(["read:data"]).mint();
    let (status, polls) = extract_with_body(&auth, Some(&ok), "{not json").await;
    assert_eq!(status, Err(StatusCode::BAD_REQUEST));
    assert!(polls > 0);
    let (status, polls) = extract_with_body(&auth, Some(&ok), r#"{"title":"x"}"#).await;
    assert_eq!(status, Ok(()));
    assert!(polls > 0);

    // Through a whole app, too.
    let app = test::init_service(app(issuer.auth())).await;
    let post = |token: Option<&str>| {
        let mut req = test::TestRequest::post()
            .uri("/posts")
            .insert_header(("content-type", "application/json"))
            .set_payload("{not json");
        if let Some(token) = token {
            req = req.insert_header(("authorization", bearer(token)));
        }
        req
    };
    assert_eq!(
        send(&app, post(None)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, post(Some(&viewer))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, post(Some(&ok))).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[actix_web::test]
async fn missing_authenticator_is_a_500_that_says_how_to_fix_it() {
    let app = test::init_service(App::new().route("/me", web::get().to(me))).await;
    let r = send(&app, get("/me", &[("authorization", "Bearer a.b.c")])).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body["error"], "authenticator_missing");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains(".app_data(web::Data::new(auth))"),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn plain_usso_auth_as_app_data() {
    let issuer = TestIssuer::start().await;
    let app = test::init_service(
        App::new()
            .app_data(issuer.auth())
            .route("/me", web::get().to(me)),
    )
    .await;
    let tok = issuer.token().sub("user:2").mint();
    let r = send(&app, get("/me", &[("authorization", &bearer(&tok))])).await;
    assert_eq!(
        (r.status, &r.body["user_id"]),
        (StatusCode::OK, &json!("user:2"))
    );
}

async fn ext_me(req: HttpRequest) -> String {
    req.extensions()
        .get::<UserData>()
        .and_then(|u| u.sub.clone())
        .unwrap_or_else(|| "anonymous".into())
}

async fn maybe(user: Option<UserData>) -> String {
    user.and_then(|u| u.sub)
        .unwrap_or_else(|| "anonymous".into())
}

#[actix_web::test]
async fn middleware_required_and_optional_verify_once() {
    let issuer = TestIssuer::builder().start().await;
    // With the token cache on, its counters show how often a token was verified.
    let auth = UssoAuth::new(
        issuer
            .config_builder()
            .token_cache(usso::TokenCacheOptions::default())
            .build()
            .unwrap(),
    )
    .unwrap();
    let required = test::init_service(
        App::new()
            .route("/me", web::get().to(ext_me))
            .route(
                "/both",
                web::get().to(|u: UserData, req: HttpRequest| async move {
                    let e = req.extensions().get::<UserData>().cloned().unwrap();
                    format!("{:?}={:?}", u.sub, e.sub)
                }),
            )
            .wrap(UssoMiddleware::required(auth.clone())),
    )
    .await;
    let optional = test::init_service(
        App::new()
            .route("/maybe", web::get().to(maybe))
            .wrap(UssoMiddleware::optional(auth.clone())),
    )
    .await;
    let tok = issuer.token().sub("user:9").mint();
    let r = send(&required, get("/me", &[("authorization", &bearer(&tok))])).await;
    assert_eq!((r.status, r.body), (StatusCode::OK, json!("user:9")));
    let before = auth.token_cache_stats().unwrap();
    let r = send(&required, get("/both", &[("authorization", &bearer(&tok))])).await;
    assert_eq!(r.body, json!("Some(\"user:9\")=Some(\"user:9\")"));
    let after = auth.token_cache_stats().unwrap();
    assert_eq!(
        (after.hits + after.misses) - (before.hits + before.misses),
        1,
        "the middleware verified once and the extractor reused it"
    );
    let r = send(&required, get("/me", &[])).await;
    assert_eq!(
        (r.status, r.www.as_deref()),
        (StatusCode::UNAUTHORIZED, Some("Bearer realm=\"usso\""))
    );
    assert_eq!(r.body["error"], "token_not_found");
    // Optional: no token is `None`, a bad one is still a 401.
    assert_eq!(
        send(&optional, get("/maybe", &[])).await.body,
        json!("anonymous")
    );
    assert_eq!(
        send(
            &optional,
            get("/maybe", &[("authorization", &bearer(&tok))])
        )
        .await
        .body,
        json!("user:9")
    );
    let r = send(
        &optional,
        get("/maybe", &[("authorization", "Bearer x.y.z")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"], "token_invalid");
}

#[actix_web::test]
async fn custom_rejection_hook_replaces_the_response() {
    let issuer = TestIssuer::start().await;
    let auth = issuer.auth().on_error(|e: &AuthError| {
        let title = match e {
            AuthError::TokenExpired => "Token expired",
            AuthError::InsufficientScope { .. } => "Insufficient permissions",
            _ => "Invalid token",
        };
        HttpResponse::build(StatusCode::IM_A_TEAPOT)
            .json(json!({"title": title, "status": e.status().as_u16()}))
    });
    let app = test::init_service(app(auth)).await;
    let expired = bearer(&issuer.token().expired().mint());
    let r = send(&app, get("/me", &[("authorization", &expired)])).await;
    assert_eq!(r.status, StatusCode::IM_A_TEAPOT);
    assert_eq!(r.body, json!({"title": "Token expired", "status": 401}));
    let plain = bearer(&issuer.token().mint());
    let r = send(&app, get("/data", &[("authorization", &plain)])).await;
    assert_eq!(r.body["title"], "Insufficient permissions");
}

#[actix_web::test]
async fn mock_authenticator_bypasses_tokens_but_not_policies() {
    let user = UserData::new("user:test123")
        .with_roles(["editor"])
        .with_scopes(["read:posts", "write:posts"]);
    let app = test::init_service(app(UssoAuth::mock(user))).await;
    let r = send(&app, get("/me", &[])).await;
    assert_eq!(
        (r.status, &r.body["user_id"]),
        (StatusCode::OK, &json!("user:test123"))
    );
    assert_eq!(
        send(&app, get("/data", &[])).await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn jwks_down_on_cold_start_is_503_with_retry_after() {
    let issuer = TestIssuer::start().await;
    issuer.fail_with(500);
    let app = test::init_service(app(issuer.auth())).await;
    let r = send(
        &app,
        get("/me", &[("authorization", &bearer(&issuer.token().mint()))]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.retry_after.is_some());
    assert_eq!(r.body["error"], "keys_unavailable");
}

async fn tenant_data(user: UserData) -> web::Json<Value> {
    web::Json(json!({"tenant": user.tenant_id, "iss": user.iss}))
}

#[actix_web::test]
async fn multi_tenant_by_header_and_by_issuer() {
    let a = TestIssuer::builder().audience("app1").start().await;
    let b = TestIssuer::builder().audience("app2").start().await;
    let by_header = MultiTenant::by_header("x-tenant-id")
        .tenant("tenant1", a.config())
        .tenant("tenant2", b.config())
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(by_header))
            .route("/data", web::get().to(tenant_data)),
    )
    .await;
    let ta = a.token().tenant("tenant1").mint();
    let tb = b.token().tenant("tenant2").mint();
    let with = |tenant: &'static str, token: &str| {
        get(
            "/data",
            &[("x-tenant-id", tenant), ("authorization", &bearer(token))],
        )
    };
    let r = send(&app, with("tenant1", &ta)).await;
    assert_eq!(
        (r.status, &r.body["tenant"]),
        (StatusCode::OK, &json!("tenant1"))
    );
    assert_eq!(
        send(&app, with("tenant1", &tb)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = send(&app, with("nope", &ta)).await;
    assert_eq!(
        (r.status, &r.body["error"]),
        (StatusCode::BAD_REQUEST, &json!("unknown_tenant"))
    );

    let by_issuer = MultiTenant::by_issuer()
        .tenant(a.issuer(), a.config())
        .tenant(b.issuer(), b.config())
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(by_issuer))
            .route("/data", web::get().to(tenant_data)),
    )
    .await;
    for (tok, iss) in [(&ta, a.issuer()), (&tb, b.issuer())] {
        let r = send(&app, get("/data", &[("authorization", &bearer(tok))])).await;
        assert_eq!(
            (r.status, r.body["iss"].as_str()),
            (StatusCode::OK, Some(iss))
        );
    }
    let forged = a.token().issuer(b.issuer()).audience("app2").mint();
    assert_eq!(
        send(&app, get("/data", &[("authorization", &bearer(&forged))]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
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

#[actix_web::test]
async fn api_keys_from_x_api_key_only() {
    let issuer = TestIssuer::start().await;
    let app = test::init_service(app(issuer.auth().with_api_keys(ApiKeys::new(Keys)))).await;
    let r = send(&app, get("/data", &[("x-api-key", "k-123")])).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::OK, json!("data for service:reports"))
    );
    assert_eq!(
        send(&app, get("/data", &[("x-api-key", "wrong")]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, get("/data", &[("authorization", "Bearer k-123")]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn cookie_tokens_are_refused_on_cross_site_state_changes() {
    let issuer = TestIssuer::start().await;
    let app = test::init_service(App::new().app_data(web::Data::new(issuer.auth())).route(
        "/act",
        web::post().to(|user: UserData| async move { user.sub.unwrap_or_default() }),
    ))
    .await;
    let token = issuer.token().sub("user:1").mint();
    let cookie = format!("usso-access-token={token}");
    let post = |headers: &[(&str, &str)]| {
        let mut req = test::TestRequest::post()
            .uri("/act")
            .insert_header(("cookie", cookie.clone()));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        req
    };
    let r = send(&app, post(&[("sec-fetch-site", "cross-site")])).await;
    assert_eq!(
        (r.status, &r.body["error"]),
        (StatusCode::FORBIDDEN, &json!("cross_site_request"))
    );
    assert_eq!(r.www.as_deref(), Some("Bearer realm=\"usso\""));
    let r = send(
        &app,
        post(&[("origin", "https://evil.example"), ("host", "api.example")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&app, post(&[("sec-fetch-site", "same-origin")])).await;
    assert_eq!((r.status, r.body), (StatusCode::OK, json!("user:1")));
    let r = send(
        &app,
        post(&[("origin", "https://api.example"), ("host", "api.example")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[derive(Clone, Debug, serde::Deserialize)]
struct MyClaims {
    #[serde(flatten)]
    base: UserData,
    #[serde(default)]
    plan: Option<String>,
}

impl Claims for MyClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

async fn plan(
    Authorized(claims, _): Authorized<MyClaims>,
    user: UserData,
    ws: Workspace,
) -> String {
    format!(
        "{} {} {}",
        claims.plan.unwrap_or_default(),
        user.sub.unwrap_or_default(),
        ws.id()
    )
}

#[actix_web::test]
async fn custom_claims_with_the_standard_ones_next_to_them() {
    let issuer = TestIssuer::start().await;
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(issuer.auth()))
            .route("/plan", web::get().to(plan)),
    )
    .await;
    let tok = issuer
        .token()
        .sub("user:5")
        .workspace("ws_p")
        .claim("plan", "pro")
        .mint();
    let r = send(&app, get("/plan", &[("authorization", &bearer(&tok))])).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::OK, json!("pro user:5 ws_p"))
    );
}

// The macros, unchanged, on actix-web handlers.

#[require_scope("write:posts")]
async fn macro_create(user: UserData) -> String {
    format!("created by {}", user.sub.unwrap_or_default())
}

#[require_any_role("editor", "admin")]
async fn macro_content(web::Json(body): web::Json<Value>) -> web::Json<Value> {
    web::Json(json!({"got": body}))
}

#[workspace_scoped]
#[require_scope("read:posts")]
async fn macro_ws(ws: Workspace) -> String {
    ws.id().to_owned()
}

#[actix_web::test]
async fn the_macros_guard_actix_handlers() {
    let issuer = TestIssuer::start().await;
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(issuer.auth()))
            .route("/posts", web::post().to(macro_create))
            .route("/content", web::post().to(macro_content))
            .route("/ws", web::get().to(macro_ws)),
    )
    .await;
    let writer = issuer
        .token()
        .sub("user:w")
        .roles(["editor"])
        .scopes(["write:posts", "read:posts"])
        .workspace("ws_a")
        .mint();
    let viewer = issuer
        .token()
        .sub("user:v")
        .roles(["viewer"])
        .scopes(["read:posts"])
        .mint();
    let post = |uri: &str, token: &str| {
        test::TestRequest::post()
            .uri(uri)
            .insert_header(("authorization", bearer(token)))
            .insert_header(("content-type", "application/json"))
            .set_payload(r#"{"a":1}"#)
    };
    let r = send(&app, post("/posts", &writer)).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::OK, json!("created by user:w"))
    );
    let r = send(&app, post("/posts", &viewer)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.www.unwrap().contains("scope=\"write:posts\""));
    let r = send(&app, post("/content", &writer)).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::OK, json!({"got": {"a": 1}}))
    );
    let r = send(&app, post("/content", &viewer)).await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_role"))
    );
    let r = send(&app, get("/ws", &[("authorization", &bearer(&writer))])).await;
    assert_eq!((r.status, r.body), (StatusCode::OK, json!("ws_a")));
    let r = send(&app, get("/ws", &[("authorization", &bearer(&viewer))])).await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("workspace_required"))
    );
    let r = send(&app, get("/ws", &[])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
