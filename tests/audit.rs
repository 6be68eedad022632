//! `UssoAuth::on_authenticated`: one event per request, in the extractor
//! path, the layer path and the layer + extractor path, for successes and
//! rejections, over real axum routers with real signed tokens. The event
//! carries who and how, never the token.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use serde::Deserialize;
use tower::ServiceExt;
use usso::testing::TestIssuer;
use usso::{
    ApiKeyFuture, ApiKeyVerifier, ApiKeys, AuthError, Authorized, Claims, MultiTenant, TokenSource,
    UserData, UssoAuth, UssoLayer, Workspace,
};

/// What a hook saw, copied out of the borrowed event.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    code: &'static str,
    subject: Option<String>,
    session: Option<String>,
    tenant: Option<String>,
    source: Option<&'static str>,
    /// The event's `Debug` text (checked for tokens).
    debug: String,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// `auth` with a hook that records every event into the returned log.
fn audited(auth: UssoAuth) -> (UssoAuth, Log) {
    let log: Log = Arc::default();
    let sink = Arc::clone(&log);
    let auth = auth.on_authenticated(move |event| {
        sink.lock().unwrap().push(Seen {
            code: event.code(),
            subject: event.subject().map(str::to_owned),
            session: event.session_id().map(str::to_owned),
            tenant: event.tenant().map(str::to_owned),
            source: event.source().map(|s| s.kind()),
            debug: format!("{event:?}"),
        });
    });
    (auth, log)
}

/// Takes the events recorded so far.
fn take(log: &Log) -> Vec<Seen> {
    std::mem::take(&mut *log.lock().unwrap())
}

fn codes(events: &[Seen]) -> Vec<&'static str> {
    events.iter().map(|e| e.code).collect()
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

async fn status(app: &Router, request: Request<Body>) -> StatusCode {
    app.clone().oneshot(request).await.unwrap().status()
}

async fn me(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

async fn plain() -> &'static str {
    "ok"
}

#[tokio::test]
async fn extractor_path_reports_each_request_once() {
    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth());
    let app = Router::new().route("/me", get(me)).with_state(auth);
    let token = issuer
        .token()
        .sub("user:1")
        .claim("session_id", "s-1")
        .tenant("org-1")
        .mint();

    let ok = get_with("/me", &[("authorization", &bearer(&token))]);
    assert_eq!(status(&app, ok).await, StatusCode::OK);
    let events = take(&log);
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = &events[0];
    assert_eq!(event.code, "ok");
    assert_eq!(event.subject.as_deref(), Some("user:1"));
    assert_eq!(event.session.as_deref(), Some("s-1"));
    assert_eq!(event.tenant.as_deref(), Some("org-1"));
    assert_eq!(event.source, Some("header"));
    assert!(!event.debug.contains(&token));

    let expired = issuer.token().sub("user:1").expired().mint();
    let rejected = get_with("/me", &[("authorization", &bearer(&expired))]);
    assert_eq!(status(&app, rejected).await, StatusCode::UNAUTHORIZED);
    let none = get_with("/me", &[]);
    assert_eq!(status(&app, none).await, StatusCode::UNAUTHORIZED);
    let events = take(&log);
    assert_eq!(codes(&events), ["token_expired", "token_not_found"]);
    // A refused token's claims are attacker input: none is reported.
    assert_eq!(events[0].subject, None);
    assert_eq!(events[0].source, Some("header"));
    assert_eq!(events[1].source, None);
    assert!(!events[0].debug.contains(&expired));
}

#[tokio::test]
async fn layer_path_reports_each_request_once() {
    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth());
    let app = Router::new()
        .route("/plain", get(plain))
        .layer(UssoLayer::required(auth));

    let token = issuer.token().sub("user:2").mint();
    let ok = get_with("/plain", &[("authorization", &bearer(&token))]);
    assert_eq!(status(&app, ok).await, StatusCode::OK);
    let bad = get_with("/plain", &[("authorization", "Bearer not.a.token")]);
    assert_eq!(status(&app, bad).await, StatusCode::UNAUTHORIZED);
    let none = get_with("/plain", &[]);
    assert_eq!(status(&app, none).await, StatusCode::UNAUTHORIZED);

    let events = take(&log);
    assert_eq!(
        codes(&events),
        ["ok", "token_invalid", "token_not_found"],
        "{events:#?}"
    );
    assert_eq!(events[0].subject.as_deref(), Some("user:2"));
}

#[derive(Clone, Deserialize)]
struct MyClaims {
    #[serde(flatten)]
    base: UserData,
}

impl Claims for MyClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

async fn custom(Authorized(claims, _): Authorized<MyClaims>) -> String {
    claims.base.sub.unwrap_or_default()
}

async fn two_extractors(user: UserData, ws: Workspace) -> String {
    format!("{}@{ws:?}", user.sub.unwrap_or_default())
}

#[tokio::test]
async fn layer_and_extractors_share_one_report() {
    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth());
    let app = Router::new()
        .route("/me", get(me))
        // Another claims type than the layer's: verified again, reported once.
        .route("/custom", get(custom))
        .route("/two", get(two_extractors))
        .layer(UssoLayer::required(auth.clone()))
        .with_state(auth);
    let token = issuer.token().sub("user:3").workspace("ws-1").mint();

    for uri in ["/me", "/custom", "/two"] {
        let request = get_with(uri, &[("authorization", &bearer(&token))]);
        assert_eq!(status(&app, request).await, StatusCode::OK, "{uri}");
        let events = take(&log);
        assert_eq!(codes(&events), ["ok"], "{uri}: {events:#?}");
        assert_eq!(events[0].subject.as_deref(), Some("user:3"));
    }

    let expired = issuer.token().expired().mint();
    for uri in ["/me", "/custom", "/two"] {
        let request = get_with(uri, &[("authorization", &bearer(&expired))]);
        assert_eq!(status(&app, request).await, StatusCode::UNAUTHORIZED);
        assert_eq!(codes(&take(&log)), ["token_expired"], "{uri}");
    }
}

#[tokio::test]
async fn extractors_without_a_layer_share_one_report() {
    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth());
    let app = Router::new()
        .route("/two", get(two_extractors))
        .with_state(auth);
    let token = issuer.token().sub("user:4").workspace("ws-1").mint();
    let request = get_with("/two", &[("authorization", &bearer(&token))]);
    assert_eq!(status(&app, request).await, StatusCode::OK);
    assert_eq!(codes(&take(&log)), ["ok"]);
}

async fn maybe(user: Option<UserData>) -> String {
    user.and_then(|u| u.sub)
        .unwrap_or_else(|| "anonymous".into())
}

#[tokio::test]
async fn an_optional_layer_and_an_optional_extractor_report_no_token_once() {
    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth());
    let app = Router::new()
        .route("/maybe", get(maybe))
        .layer(UssoLayer::optional(auth.clone()))
        .with_state(auth);

    assert_eq!(status(&app, get_with("/maybe", &[])).await, StatusCode::OK);
    assert_eq!(codes(&take(&log)), ["token_not_found"]);

    let token = issuer.token().sub("user:5").mint();
    let request = get_with("/maybe", &[("authorization", &bearer(&token))]);
    assert_eq!(status(&app, request).await, StatusCode::OK);
    assert_eq!(codes(&take(&log)), ["ok"]);
}

#[tokio::test]
async fn an_outer_layer_and_the_router_authenticator_each_report_their_own() {
    // Two different authenticators (say, a gateway-wide one and the
    // router's stricter one) each decide, and each tells its own hook.
    let issuer = TestIssuer::start().await;
    let (outer, outer_log) = audited(issuer.auth());
    let (inner, inner_log) = audited(issuer.auth());
    let app = Router::new()
        .route("/me", get(me))
        .with_state(inner)
        .layer(UssoLayer::required(outer));
    let token = issuer.token().mint();
    let request = get_with("/me", &[("authorization", &bearer(&token))]);
    assert_eq!(status(&app, request).await, StatusCode::OK);
    assert_eq!(codes(&take(&outer_log)), ["ok"]);
    assert_eq!(codes(&take(&inner_log)), ["ok"]);
}

#[tokio::test]
async fn cookie_and_api_key_sources_are_named() {
    struct StaticKeys;
    impl ApiKeyVerifier for StaticKeys {
        fn verify<'a>(&'a self, api_key: &'a str) -> ApiKeyFuture<'a> {
            Box::pin(async move {
                match api_key {
                    "k-good" => Ok(UserData::new("service:reports")),
                    _ => Err(AuthError::TokenInvalid {
                        reason: "unknown API key".into(),
                    }),
                }
            })
        }
    }

    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth().with_api_keys(ApiKeys::new(StaticKeys)));
    let app = Router::new().route("/me", get(me)).with_state(auth);
    let token = issuer.token().sub("user:6").mint();

    let cookie = format!("usso-access-token={token}");
    let by_cookie = get_with("/me", &[("cookie", &cookie)]);
    assert_eq!(status(&app, by_cookie).await, StatusCode::OK);
    let by_key = get_with("/me", &[("x-api-key", "k-good")]);
    assert_eq!(status(&app, by_key).await, StatusCode::OK);
    let bad_key = get_with("/me", &[("x-api-key", "k-bad")]);
    assert_eq!(status(&app, bad_key).await, StatusCode::UNAUTHORIZED);

    let events = take(&log);
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.code, e.source, e.subject.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("ok", Some("cookie"), Some("user:6")),
            ("ok", Some("api_key"), Some("service:reports")),
            ("token_invalid", Some("api_key"), None),
        ]
    );
    for event in &events {
        assert!(!event.debug.contains(&token));
        assert!(!event.debug.contains("k-good") && !event.debug.contains("k-bad"));
    }
}

#[tokio::test]
async fn multi_tenant_events_name_the_configured_tenant() {
    let a = TestIssuer::start().await;
    let b = TestIssuer::start().await;
    let tenants = MultiTenant::by_header("x-tenant-id")
        .tenant("tenant1", a.config())
        .tenant("tenant2", b.config())
        .build()
        .unwrap();
    let (auth, log) = audited(tenants);
    let app = Router::new().route("/me", get(me)).with_state(auth);
    let ta = a.token().sub("user:a").mint();

    let ok = get_with(
        "/me",
        &[("authorization", &bearer(&ta)), ("x-tenant-id", "tenant1")],
    );
    assert_eq!(status(&app, ok).await, StatusCode::OK);
    // Tenant 2's keys refuse tenant 1's token: the tenant is still known.
    let wrong = get_with(
        "/me",
        &[("authorization", &bearer(&ta)), ("x-tenant-id", "tenant2")],
    );
    assert_eq!(status(&app, wrong).await, StatusCode::UNAUTHORIZED);
    // A tenant id that is not configured is never echoed.
    let unknown = get_with(
        "/me",
        &[
            ("authorization", &bearer(&ta)),
            ("x-tenant-id", "evil<script>"),
        ],
    );
    assert_eq!(status(&app, unknown).await, StatusCode::BAD_REQUEST);

    let events = take(&log);
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.code, e.tenant.as_deref()))
        .collect();
    assert_eq!(summary.len(), 3, "{events:#?}");
    assert_eq!(summary[0], ("ok", Some("tenant1")));
    assert_eq!(summary[1].1, Some("tenant2"));
    assert_ne!(summary[1].0, "ok");
    assert_eq!(summary[2], ("unknown_tenant", None));
}

#[tokio::test]
async fn authenticate_reports_and_verify_token_does_not() {
    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth());
    let token = issuer.token().sub("user:7").mint();
    let (parts, ()) = Request::get("/")
        .header("authorization", bearer(&token))
        .body(())
        .unwrap()
        .into_parts();

    auth.authenticate::<UserData>(&parts).await.unwrap();
    assert_eq!(codes(&take(&log)), ["ok"]);
    // A bare token, outside any request: no event.
    auth.verify_token(&token).await.unwrap();
    assert!(take(&log).is_empty());
}

#[tokio::test]
async fn a_mock_authenticator_reports_its_user() {
    let (auth, log) = audited(UssoAuth::mock(UserData::new("user:test")));
    let app = Router::new().route("/me", get(me)).with_state(auth);
    assert_eq!(status(&app, get_with("/me", &[])).await, StatusCode::OK);
    let events = take(&log);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].source, Some("mock"));
    assert_eq!(events[0].subject.as_deref(), Some("user:test"));
}

#[tokio::test]
async fn custom_token_sources_are_reported_as_header_or_cookie() {
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config_builder()
        .token_sources([
            TokenSource::header("x-access-token").unwrap(),
            TokenSource::cookie("access_token"),
        ])
        .build()
        .unwrap();
    let (auth, log) = audited(UssoAuth::new(config).unwrap());
    let app = Router::new().route("/me", get(me)).with_state(auth);
    let token = issuer.token().mint();
    let by_header = get_with("/me", &[("x-access-token", &token)]);
    assert_eq!(status(&app, by_header).await, StatusCode::OK);
    let cookie = format!("access_token={token}");
    let by_cookie = get_with("/me", &[("cookie", &cookie)]);
    assert_eq!(status(&app, by_cookie).await, StatusCode::OK);
    let sources: Vec<_> = take(&log).iter().map(|e| e.source).collect();
    assert_eq!(sources, [Some("header"), Some("cookie")]);
}

/// actix-web: the middleware and the extractors after it, or extractors
/// alone, make one event per request, as in axum.
#[actix_web::test]
async fn actix_middleware_and_extractors_share_one_report() {
    use actix_web::{App, test, web};
    use usso::actix::UssoMiddleware;

    async fn both(user: UserData, ws: Workspace) -> String {
        format!("{} {}", user.sub.unwrap_or_default(), ws.id())
    }
    let issuer = TestIssuer::start().await;
    let (auth, log) = audited(issuer.auth());
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(auth.clone()))
            .service(
                web::scope("/mw")
                    .wrap(UssoMiddleware::required(auth.clone()))
                    .route("/both", web::get().to(both)),
            )
            .route("/both", web::get().to(both)),
    )
    .await;
    let token = issuer
        .token()
        .sub("user:7")
        .claim("workspace_id", "ws_1")
        .mint();
    for path in ["/mw/both", "/both"] {
        let req = test::TestRequest::get()
            .uri(path)
            .insert_header(("authorization", bearer(&token)))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let events = take(&log);
        assert_eq!(codes(&events), ["ok"], "{path}: one event");
        assert_eq!(events[0].subject.as_deref(), Some("user:7"));
        let req = test::TestRequest::get().uri(path).to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status().as_u16(), 401, "{path}");
        assert_eq!(codes(&take(&log)), ["token_not_found"], "{path}: one event");
    }
}
