//! The usso attribute macros on real `Router`s, driven with `oneshot` and
//! real tokens signed by a loopback [`TestIssuer`]: 200 when the policy
//! holds, 401 without a valid token, 403 (RFC 6750 `insufficient_scope`)
//! when it doesn't.

use axum::body::Body;
use axum::extract::{FromRef, Json, State};
use axum::http::{Method, Request, StatusCode, header};
use axum::routing::{get, post};
use axum::{Router, debug_handler};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt;
use usso::testing::TestIssuer;
use usso::{
    Claims, TokenCacheOptions, UserData, UssoAuth, Workspace, WorkspaceClaims, require,
    require_any_role, require_any_scope, require_auth, require_role, require_scope,
    workspace_scoped,
};

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// What a request came back with.
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    www: Option<String>,
    body: Value,
}

impl Reply {
    /// The `error` code of a usso JSON rejection body.
    fn code(&self) -> Option<&str> {
        self.body["error"].as_str()
    }
}

async fn send(app: &Router, method: Method, uri: &str, token: Option<&str>, body: &str) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if !body.is_empty() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req.body(Body::from(body.to_owned())).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let www = res
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Reply { status, www, body }
}

async fn get_as(app: &Router, uri: &str, token: Option<&str>) -> Reply {
    send(app, Method::GET, uri, token, "").await
}

/// 200 with this text body.
async fn assert_ok(app: &Router, uri: &str, token: &str, body: &str) {
    let r = get_as(app, uri, Some(token)).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some(body)),
        "GET {uri}: {r:?}"
    );
}

/// 403 with this usso error code.
async fn assert_forbidden(app: &Router, uri: &str, token: &str, code: &str) -> Reply {
    let r = get_as(app, uri, Some(token)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, Some(code)),
        "GET {uri}: {r:?}"
    );
    let www = r.www.as_deref().unwrap_or_default();
    assert!(
        www.starts_with("Bearer realm=\"usso\", error=\"insufficient_scope\""),
        "GET {uri}: {www}"
    );
    r
}

/// 401 without a token (bare challenge) and with a garbage or expired token
/// (`invalid_token`): the handler never runs.
async fn assert_unauthorized(app: &Router, issuer: &TestIssuer, uri: &str) {
    let r = get_as(app, uri, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "GET {uri}: {r:?}");
    assert_eq!(r.www.as_deref(), Some("Bearer realm=\"usso\""), "GET {uri}");
    assert_eq!(r.code(), Some("token_not_found"), "GET {uri}");

    let expired = issuer.token().expired().mint();
    for (token, code) in [
        ("not.a.jwt", None),
        (expired.as_str(), Some("token_expired")),
    ] {
        let r = get_as(app, uri, Some(token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "GET {uri}: {r:?}");
        let www = r.www.as_deref().unwrap_or_default();
        assert!(
            www.starts_with("Bearer realm=\"usso\", error=\"invalid_token\""),
            "GET {uri}: {www}"
        );
        if let Some(code) = code {
            assert_eq!(r.code(), Some(code), "GET {uri}");
        }
    }
}

fn sub(user: &UserData) -> String {
    user.sub.clone().unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

usso::scopes! {
    pub READ_POSTS = "read:posts";
    pub WRITE_POSTS = "write:posts";
}

usso::roles! {
    pub ADMIN = "admin";
    pub EDITOR = "editor";
}

#[require_auth]
async fn auth_me(user: UserData) -> String {
    sub(&user)
}

#[require_auth]
async fn auth_ping() -> &'static str {
    "pong"
}

#[require_scope("read:posts")]
async fn scope_one(user: UserData) -> String {
    sub(&user)
}

#[require_scope("read:posts", "write:posts")]
async fn scope_all() -> &'static str {
    "read+write"
}

#[require_any_scope("read:posts", "admin:posts")]
async fn scope_any(user: UserData) -> String {
    user.scopes.join(" ")
}

#[require_role("admin")]
async fn role_one(admin: UserData) -> String {
    sub(&admin)
}

#[require_any_role("editor", "admin")]
async fn role_any(user: UserData) -> String {
    user.roles.join(" ")
}

#[require(all(
    scope("write:posts"),
    any(role("editor"), role("admin")),
    not(role("banned")),
))]
async fn expr(user: UserData) -> String {
    sub(&user)
}

#[require(any(scope("admin:*"), all(role("owner"), workspace())))]
async fn expr_any() -> &'static str {
    "settings"
}

#[workspace_scoped]
async fn workspace_only(user: UserData) -> String {
    user.workspace_id.unwrap_or_default()
}

#[require_scope("write:posts")]
#[require_role("editor")]
async fn stacked(user: UserData) -> String {
    sub(&user)
}

#[workspace_scoped]
#[require_scope(READ_POSTS)]
#[require_any_role(EDITOR, ADMIN)]
async fn stacked_workspace(ws: Workspace, user: UserData) -> String {
    format!("{}:{}", ws.id(), sub(&user))
}

#[require_scope(READ_POSTS, WRITE_POSTS)]
#[require(role(ADMIN))]
async fn constants() -> &'static str {
    "constants"
}

#[derive(Deserialize)]
struct NewPost {
    title: String,
}

#[require_scope("write:posts")]
async fn create_post(user: UserData, Json(post): Json<NewPost>) -> String {
    format!("{} wrote {}", sub(&user), post.title)
}

#[require_role("editor")]
async fn create_post_injected(Json(post): Json<NewPost>) -> String {
    post.title
}

#[require_scope("write:posts")]
#[tracing::instrument(skip_all)]
async fn traced_below(user: UserData) -> String {
    tracing::info!("in handler");
    sub(&user)
}

#[tracing::instrument(skip_all)]
#[require_scope("write:posts")]
async fn traced_above(user: UserData) -> String {
    sub(&user)
}

#[require_role("admin")]
#[debug_handler(state = UssoAuth)]
async fn debugged(user: UserData) -> String {
    sub(&user)
}

fn app(auth: UssoAuth) -> Router {
    Router::new()
        .route("/auth/me", get(auth_me))
        .route("/auth/ping", get(auth_ping))
        .route("/scope/one", get(scope_one))
        .route("/scope/all", get(scope_all))
        .route("/scope/any", get(scope_any))
        .route("/role/one", get(role_one))
        .route("/role/any", get(role_any))
        .route("/expr", get(expr))
        .route("/expr/any", get(expr_any))
        .route("/workspace", get(workspace_only))
        .route("/stacked", get(stacked))
        .route("/stacked/workspace", get(stacked_workspace))
        .route("/constants", get(constants))
        .route("/posts", post(create_post))
        .route("/posts/injected", post(create_post_injected))
        .route("/traced/below", get(traced_below))
        .route("/traced/above", get(traced_above))
        .route("/debugged", get(debugged))
        .with_state(auth)
}

async fn setup() -> (TestIssuer, Router) {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.auth());
    (issuer, app)
}

// ---------------------------------------------------------------------------
// One test per macro
// ---------------------------------------------------------------------------

#[tokio::test]
async fn require_auth_any_valid_token() {
    let (issuer, app) = setup().await;
    let token = issuer.token().sub("user:1").mint();
    assert_ok(&app, "/auth/me", &token, "user:1").await;
    // No claims parameter: one is injected.
    assert_ok(&app, "/auth/ping", &token, "pong").await;
    assert_unauthorized(&app, &issuer, "/auth/me").await;
    assert_unauthorized(&app, &issuer, "/auth/ping").await;
}

#[tokio::test]
async fn require_scope_single() {
    let (issuer, app) = setup().await;
    let reader = issuer.token().sub("user:r").scopes(["read:posts"]).mint();
    assert_ok(&app, "/scope/one", &reader, "user:r").await;
    assert_unauthorized(&app, &issuer, "/scope/one").await;

    let writer = issuer.token().scopes(["write:posts"]).mint();
    let r = assert_forbidden(&app, "/scope/one", &writer, "insufficient_scope").await;
    assert!(r.www.unwrap().contains("scope=\"read:posts\""));
    // A scope is matched exactly, not by prefix.
    let prefixed = issuer.token().scopes(["read:posts/drafts"]).mint();
    assert_forbidden(&app, "/scope/one", &prefixed, "insufficient_scope").await;
}

#[tokio::test]
async fn require_scope_multiple_needs_all() {
    let (issuer, app) = setup().await;
    let both = issuer
        .token()
        .scopes(["read:posts", "write:posts", "other:x"])
        .mint();
    assert_ok(&app, "/scope/all", &both, "read+write").await;
    assert_unauthorized(&app, &issuer, "/scope/all").await;

    let reader = issuer.token().scopes(["read:posts"]).mint();
    let r = assert_forbidden(&app, "/scope/all", &reader, "insufficient_scope").await;
    assert!(r.www.unwrap().contains("scope=\"write:posts\""));
    // Every missing scope is listed.
    let none = issuer.token().mint();
    let r = assert_forbidden(&app, "/scope/all", &none, "insufficient_scope").await;
    assert!(r.www.unwrap().contains("scope=\"read:posts write:posts\""));
}

#[tokio::test]
async fn require_any_scope_needs_one() {
    let (issuer, app) = setup().await;
    let reader = issuer.token().scopes(["read:posts"]).mint();
    let admin = issuer.token().scopes(["admin:posts"]).mint();
    assert_ok(&app, "/scope/any", &reader, "read:posts").await;
    assert_ok(&app, "/scope/any", &admin, "admin:posts").await;
    assert_unauthorized(&app, &issuer, "/scope/any").await;

    let writer = issuer.token().scopes(["write:posts"]).mint();
    let r = assert_forbidden(&app, "/scope/any", &writer, "insufficient_scope").await;
    assert!(r.www.unwrap().contains("scope=\"read:posts admin:posts\""));
}

#[tokio::test]
async fn require_role_single() {
    let (issuer, app) = setup().await;
    let admin = issuer.token().sub("user:a").roles(["admin"]).mint();
    assert_ok(&app, "/role/one", &admin, "user:a").await;
    assert_unauthorized(&app, &issuer, "/role/one").await;

    let editor = issuer.token().roles(["editor"]).mint();
    let r = assert_forbidden(&app, "/role/one", &editor, "insufficient_role").await;
    assert_eq!(r.body["detail"], "missing required role: admin");
    // Roles are matched exactly.
    let admins = issuer.token().roles(["Admin", "admins"]).mint();
    assert_forbidden(&app, "/role/one", &admins, "insufficient_role").await;
}

#[tokio::test]
async fn require_any_role_needs_one() {
    let (issuer, app) = setup().await;
    let editor = issuer.token().roles(["editor"]).mint();
    let admin = issuer.token().roles(["viewer", "admin"]).mint();
    assert_ok(&app, "/role/any", &editor, "editor").await;
    assert_ok(&app, "/role/any", &admin, "viewer admin").await;
    assert_unauthorized(&app, &issuer, "/role/any").await;

    let viewer = issuer.token().roles(["viewer"]).mint();
    let r = assert_forbidden(&app, "/role/any", &viewer, "insufficient_role").await;
    assert_eq!(r.body["detail"], "missing required role: editor or admin");
}

#[tokio::test]
async fn require_expression_all_any_not() {
    let (issuer, app) = setup().await;
    let editor = issuer
        .token()
        .sub("user:e")
        .scopes(["write:posts"])
        .roles(["editor"])
        .mint();
    let admin = issuer
        .token()
        .sub("user:a")
        .scopes(["write:posts"])
        .roles(["admin"])
        .mint();
    assert_ok(&app, "/expr", &editor, "user:e").await;
    assert_ok(&app, "/expr", &admin, "user:a").await;
    assert_unauthorized(&app, &issuer, "/expr").await;

    // all(..): the scope is missing.
    let no_scope = issuer.token().roles(["editor"]).mint();
    let r = assert_forbidden(&app, "/expr", &no_scope, "insufficient_scope").await;
    assert!(r.www.unwrap().contains("scope=\"write:posts\""));
    // any(..): neither role.
    let no_role = issuer
        .token()
        .scopes(["write:posts"])
        .roles(["viewer"])
        .mint();
    assert_forbidden(&app, "/expr", &no_role, "insufficient_role").await;
    // not(..): banned, although everything else holds.
    let banned = issuer
        .token()
        .scopes(["write:posts"])
        .roles(["editor", "banned"])
        .mint();
    assert_forbidden(&app, "/expr", &banned, "forbidden").await;

    // any(scope, all(role, workspace())).
    let scoped = issuer.token().scopes(["admin:*"]).mint();
    let owner_ws = issuer.token().roles(["owner"]).workspace("ws_1").mint();
    assert_ok(&app, "/expr/any", &scoped, "settings").await;
    assert_ok(&app, "/expr/any", &owner_ws, "settings").await;
    let owner = issuer.token().roles(["owner"]).mint();
    let r = get_as(&app, "/expr/any", Some(&owner)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    assert_unauthorized(&app, &issuer, "/expr/any").await;
}

#[tokio::test]
async fn workspace_scoped_needs_workspace_id() {
    let (issuer, app) = setup().await;
    let bound = issuer.token().workspace("ws_1").mint();
    assert_ok(&app, "/workspace", &bound, "ws_1").await;
    assert_unauthorized(&app, &issuer, "/workspace").await;

    let unbound = issuer.token().mint();
    let r = assert_forbidden(&app, "/workspace", &unbound, "workspace_required").await;
    assert_eq!(r.body["detail"], "the token is not bound to a workspace");
    // An empty workspace id is no workspace.
    let empty = issuer.token().workspace("").mint();
    assert_forbidden(&app, "/workspace", &empty, "workspace_required").await;
}

// ---------------------------------------------------------------------------
// Combinations and surroundings
// ---------------------------------------------------------------------------

#[tokio::test]
async fn stacked_attributes_need_everything() {
    let (issuer, app) = setup().await;
    let both = issuer
        .token()
        .sub("user:e")
        .scopes(["write:posts"])
        .roles(["editor"])
        .mint();
    assert_ok(&app, "/stacked", &both, "user:e").await;
    assert_unauthorized(&app, &issuer, "/stacked").await;

    let scope_only = issuer.token().scopes(["write:posts"]).mint();
    let role_only = issuer.token().roles(["editor"]).mint();
    assert_forbidden(&app, "/stacked", &scope_only, "insufficient_role").await;
    let r = assert_forbidden(&app, "/stacked", &role_only, "insufficient_scope").await;
    // The challenge names the missing scope.
    let www = r.www.unwrap();
    assert!(www.contains("error=\"insufficient_scope\""), "{www}");
    assert!(www.contains("scope=\"write:posts\""), "{www}");
}

#[tokio::test]
async fn stacked_attributes_with_workspace_extractor() {
    let (issuer, app) = setup().await;
    let good = issuer
        .token()
        .sub("user:1")
        .scopes(["read:posts"])
        .roles(["admin"])
        .workspace("ws_9")
        .mint();
    assert_ok(&app, "/stacked/workspace", &good, "ws_9:user:1").await;
    assert_unauthorized(&app, &issuer, "/stacked/workspace").await;

    let no_ws = issuer
        .token()
        .scopes(["read:posts"])
        .roles(["admin"])
        .mint();
    assert_forbidden(&app, "/stacked/workspace", &no_ws, "workspace_required").await;
    let no_role = issuer
        .token()
        .scopes(["read:posts"])
        .workspace("ws_9")
        .mint();
    assert_forbidden(&app, "/stacked/workspace", &no_role, "insufficient_role").await;
    let no_scope = issuer.token().roles(["editor"]).workspace("ws_9").mint();
    assert_forbidden(&app, "/stacked/workspace", &no_scope, "insufficient_scope").await;
}

/// With the verified-token cache on, every verification is a cache lookup
/// (a miss the first time, a hit after): one lookup per request shows that
/// stacked attributes, the claims parameter and `Workspace` share one
/// verification.
#[tokio::test]
async fn one_verification_per_request() {
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config_builder()
        .token_cache(TokenCacheOptions::default())
        .build()
        .unwrap();
    let auth = UssoAuth::new(config).unwrap();
    let app = app(auth.clone());
    let lookups = || {
        let stats = auth.token_cache_stats().unwrap();
        stats.hits + stats.misses
    };

    let good = issuer
        .token()
        .sub("user:1")
        .scopes(["read:posts"])
        .roles(["editor"])
        .workspace("ws_1")
        .mint();
    assert_ok(&app, "/stacked/workspace", &good, "ws_1:user:1").await;
    assert_eq!(lookups(), 1);
    assert_ok(&app, "/stacked/workspace", &good, "ws_1:user:1").await;
    assert_eq!(lookups(), 2);
    let stats = auth.token_cache_stats().unwrap();
    assert_eq!((stats.misses, stats.hits), (1, 1));

    // A rejected request is verified once too.
    let no_ws = issuer
        .token()
        .scopes(["read:posts"])
        .roles(["editor"])
        .mint();
    assert_forbidden(&app, "/stacked/workspace", &no_ws, "workspace_required").await;
    assert_eq!(lookups(), 3);
}

#[tokio::test]
async fn policy_is_checked_before_the_body() {
    let (issuer, app) = setup().await;
    let writer = issuer.token().sub("user:w").scopes(["write:posts"]).mint();
    let reader = issuer.token().scopes(["read:posts"]).mint();
    let good = r#"{"title":"hello"}"#;
    let malformed = r#"{"title": "#;

    let r = send(&app, Method::POST, "/posts", Some(&writer), good).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("user:w wrote hello"))
    );
    // The body is only looked at once the policy holds.
    let r = send(&app, Method::POST, "/posts", Some(&writer), malformed).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");

    // A failing policy wins over a malformed body: 403, not 400 or 422.
    let r = send(&app, Method::POST, "/posts", Some(&reader), malformed).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope")),
        "{r:?}"
    );
    let r = send(&app, Method::POST, "/posts", Some(&reader), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    // And no token: 401.
    let r = send(&app, Method::POST, "/posts", None, malformed).await;
    assert_eq!(
        (r.status, r.www.as_deref()),
        (StatusCode::UNAUTHORIZED, Some("Bearer realm=\"usso\""))
    );

    // Same with the injected claims parameter.
    let viewer = issuer.token().roles(["viewer"]).mint();
    let r = send(
        &app,
        Method::POST,
        "/posts/injected",
        Some(&viewer),
        malformed,
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, Some("insufficient_role"))
    );
    let r = send(&app, Method::POST, "/posts/injected", None, malformed).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let editor = issuer.token().roles(["editor"]).mint();
    let r = send(&app, Method::POST, "/posts/injected", Some(&editor), good).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, Some("hello")));
}

#[tokio::test]
async fn tracing_instrument_and_debug_handler_stack_with_guards() {
    let (issuer, app) = setup().await;
    let writer = issuer.token().sub("user:w").scopes(["write:posts"]).mint();
    let reader = issuer.token().scopes(["read:posts"]).mint();
    for uri in ["/traced/below", "/traced/above"] {
        assert_ok(&app, uri, &writer, "user:w").await;
        assert_forbidden(&app, uri, &reader, "insufficient_scope").await;
        assert_unauthorized(&app, &issuer, uri).await;
    }

    let admin = issuer.token().sub("user:a").roles(["admin"]).mint();
    assert_ok(&app, "/debugged", &admin, "user:a").await;
    assert_forbidden(&app, "/debugged", &writer, "insufficient_role").await;
    assert_unauthorized(&app, &issuer, "/debugged").await;
}

#[tokio::test]
async fn constants_from_scopes_and_roles() {
    let (issuer, app) = setup().await;
    assert_eq!((READ_POSTS, WRITE_POSTS), ("read:posts", "write:posts"));
    let admin = issuer
        .token()
        .scopes([READ_POSTS, WRITE_POSTS])
        .roles([ADMIN])
        .mint();
    assert_ok(&app, "/constants", &admin, "constants").await;
    assert_unauthorized(&app, &issuer, "/constants").await;

    let reader = issuer.token().scopes([READ_POSTS]).roles([ADMIN]).mint();
    let r = assert_forbidden(&app, "/constants", &reader, "insufficient_scope").await;
    assert!(r.www.unwrap().contains("scope=\"write:posts\""));
    let no_admin = issuer
        .token()
        .scopes([READ_POSTS, WRITE_POSTS])
        .roles([EDITOR])
        .mint();
    assert_forbidden(&app, "/constants", &no_admin, "insufficient_role").await;
}

// ---------------------------------------------------------------------------
// Generic handlers and application state
// ---------------------------------------------------------------------------

#[derive(Clone)]
struct AppState {
    auth: UssoAuth,
    greeting: &'static str,
}

impl FromRef<AppState> for UssoAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

trait Greets {
    fn greeting(&self) -> &'static str;
}

impl Greets for AppState {
    fn greeting(&self) -> &'static str {
        self.greeting
    }
}

#[require_scope("read:posts")]
async fn generic<T>(State(state): State<T>, user: UserData) -> String
where
    T: Greets + Clone + Send + Sync + 'static,
{
    format!("{} {}", state.greeting(), sub(&user))
}

#[require_role("admin")]
async fn generic_injected<T>(State(state): State<T>) -> &'static str
where
    T: Greets + Clone + Send + Sync + 'static,
{
    state.greeting()
}

#[tokio::test]
async fn generic_handler_with_where_clause_and_app_state() {
    let issuer = TestIssuer::start().await;
    let state = AppState {
        auth: issuer.auth(),
        greeting: "hello",
    };
    let app = Router::new()
        .route("/generic", get(generic::<AppState>))
        .route("/generic/injected", get(generic_injected::<AppState>))
        .with_state(state);

    let token = issuer
        .token()
        .sub("user:g")
        .scopes(["read:posts"])
        .roles(["admin"])
        .mint();
    assert_ok(&app, "/generic", &token, "hello user:g").await;
    assert_ok(&app, "/generic/injected", &token, "hello").await;
    let nobody = issuer.token().mint();
    assert_forbidden(&app, "/generic", &nobody, "insufficient_scope").await;
    assert_forbidden(&app, "/generic/injected", &nobody, "insufficient_role").await;
    assert_unauthorized(&app, &issuer, "/generic").await;
    assert_unauthorized(&app, &issuer, "/generic/injected").await;
}

// ---------------------------------------------------------------------------
// Custom claims
// ---------------------------------------------------------------------------

#[derive(Clone, Deserialize)]
struct MyClaims {
    #[serde(flatten)]
    base: UserData,
    plan: Option<String>,
}

impl Claims for MyClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

impl WorkspaceClaims for MyClaims {}

#[require_scope("read:billing")]
async fn billing(#[claims] user: MyClaims) -> String {
    format!("{}:{}", sub(&user.base), user.plan.unwrap_or_default())
}

#[workspace_scoped]
#[require_any_role("owner", "admin")]
async fn team(#[claims] MyClaims { base, plan }: MyClaims) -> String {
    format!(
        "{}:{}",
        base.workspace_id.unwrap_or_default(),
        plan.unwrap_or_default()
    )
}

#[workspace_scoped]
async fn team_with_workspace(ws: Workspace, #[claims] user: MyClaims) -> String {
    format!("{}:{}", ws.id(), user.plan.unwrap_or_default())
}

#[tokio::test]
async fn custom_claims_type() {
    let issuer = TestIssuer::start().await;
    let app = Router::new()
        .route("/billing", get(billing))
        .route("/team", get(team))
        .route("/team/ws", get(team_with_workspace))
        .with_state(issuer.auth());

    let pro = issuer
        .token()
        .sub("user:p")
        .scopes(["read:billing"])
        .claim("plan", "pro")
        .mint();
    assert_ok(&app, "/billing", &pro, "user:p:pro").await;
    let free = issuer.token().sub("user:f").scopes(["read:billing"]).mint();
    assert_ok(&app, "/billing", &free, "user:f:").await;
    let no_scope = issuer.token().claim("plan", "pro").mint();
    assert_forbidden(&app, "/billing", &no_scope, "insufficient_scope").await;
    assert_unauthorized(&app, &issuer, "/billing").await;

    // `#[workspace_scoped]` on a custom claims type that declares a workspace.
    let owner = issuer
        .token()
        .roles(["owner"])
        .workspace("ws_7")
        .claim("plan", "team")
        .mint();
    assert_ok(&app, "/team", &owner, "ws_7:team").await;
    assert_ok(&app, "/team/ws", &owner, "ws_7:team").await;
    let no_ws = issuer.token().roles(["owner"]).claim("plan", "team").mint();
    assert_forbidden(&app, "/team", &no_ws, "workspace_required").await;
    assert_forbidden(&app, "/team/ws", &no_ws, "workspace_required").await;
    let viewer = issuer.token().roles(["viewer"]).workspace("ws_7").mint();
    assert_forbidden(&app, "/team", &viewer, "insufficient_role").await;
    assert_unauthorized(&app, &issuer, "/team").await;
    assert_unauthorized(&app, &issuer, "/team/ws").await;
}
