//! OpenAPI from the macros (`usso/utoipa`): the document of a small axum
//! API whose handlers carry a usso attribute above `#[utoipa::path]`, with
//! each operation's `security` and description asserted, and the same
//! handlers driven with real tokens to show that documenting them changed
//! nothing in what they let through.

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tower::ServiceExt;
use usso::openapi::SecurityAddon;
use usso::testing::TestIssuer;
use usso::{UserData, require, require_any_scope, require_role, require_scope, workspace_scoped};
use utoipa::OpenApi;

usso::roles! {
    pub MODERATOR = "moderator";
}

/// Create a post.
///
/// Stores the post as a draft.
#[require_scope("write:posts")]
#[utoipa::path(post, path = "/posts", responses((status = 201, description = "Created")))]
async fn create_post(user: UserData) -> (StatusCode, String) {
    (StatusCode::CREATED, user.sub.unwrap_or_default())
}

/// List posts.
#[require_any_scope("read:posts", "admin:posts")]
#[utoipa::path(get, path = "/posts", responses((status = 200, description = "The posts")))]
async fn list_posts() -> &'static str {
    "[]"
}

/// Hide a post.
#[require_role(MODERATOR)]
#[workspace_scoped]
#[utoipa::path(
    post,
    path = "/posts/{id}/hide",
    description = "Hides the post from every listing.",
    params(("id" = u64, Path, description = "The post")),
    responses((status = 200, description = "Hidden"))
)]
async fn hide_post(Path(id): Path<u64>) -> String {
    format!("hid {id}")
}

/// Review the queue.
// A scope, and either a role or a second scope: `security` lists what a
// scope check needs at least (`read:posts`); the description has the rule.
#[require(all(
    scope("read:posts"),
    any(role("editor"), scope("review:posts")),
    not(role("banned"))
))]
#[utoipa::path(get, path = "/review", responses((status = 200, description = "The queue")))]
// A usso attribute below `#[utoipa::path]` is folded into the one above.
#[require_scope("queue:read")]
async fn review() -> &'static str {
    "queue"
}

/// Whether the service is up.
#[utoipa::path(get, path = "/health", responses((status = 200, description = "Up")))]
async fn health() -> &'static str {
    "ok"
}

#[derive(OpenApi)]
#[openapi(
    paths(create_post, list_posts, hide_post, review, health),
    modifiers(&SecurityAddon)
)]
struct ApiDoc;

fn app(issuer: &TestIssuer) -> Router {
    Router::new()
        .route("/posts", post(create_post).get(list_posts))
        .route("/posts/{id}/hide", post(hide_post))
        .route("/review", get(review))
        .route("/health", get(health))
        .with_state(issuer.auth())
}

fn doc() -> Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap()
}

fn operation<'d>(doc: &'d Value, path: &str, method: &str) -> &'d Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "no {method} {path} in {doc:#}");
    op
}

fn description(op: &Value) -> &str {
    op["description"].as_str().unwrap_or_default()
}

#[test]
fn the_scheme_is_registered() {
    let doc = doc();
    assert_eq!(
        doc["components"]["securitySchemes"][usso::openapi::SCHEME],
        json!({
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A USSO (or OIDC) access token: `Authorization: Bearer <token>`."
        })
    );
}

#[test]
fn each_operation_names_the_scopes_it_needs() {
    let doc = doc();
    let security = |path: &str, method: &str| operation(&doc, path, method)["security"].clone();
    assert_eq!(
        security("/posts", "post"),
        json!([{ "usso": ["write:posts"] }])
    );
    // Either scope: two alternatives.
    assert_eq!(
        security("/posts", "get"),
        json!([{ "usso": ["admin:posts"] }, { "usso": ["read:posts"] }])
    );
    // A role and a workspace: a token, no particular scope.
    assert_eq!(
        security("/posts/{id}/hide", "post"),
        json!([{ "usso": [] }])
    );
    // Both scopes every alternative needs; `review:posts` is only one way.
    assert_eq!(
        security("/review", "get"),
        json!([{ "usso": ["queue:read", "read:posts"] }])
    );
    // No usso attribute: public, as written.
    assert_eq!(security("/health", "get"), Value::Null);
}

#[test]
fn descriptions_state_the_whole_policy_after_the_users_text() {
    let doc = doc();
    let create = operation(&doc, "/posts", "post");
    // utoipa's summary (the doc comment's first paragraph) is untouched.
    assert_eq!(create["summary"], "Create a post.");
    assert_eq!(
        description(create),
        "Stores the post as a draft.\n\n\
         **Authorization** (usso): a bearer token with:\n- scope `write:posts`"
    );
    assert_eq!(
        description(operation(&doc, "/posts", "get")),
        "**Authorization** (usso): a bearer token with:\n\
         - any of (scope `read:posts`, scope `admin:posts`)"
    );
    // An explicit description is kept; the role constant is shown by value.
    assert_eq!(
        description(operation(&doc, "/posts/{id}/hide", "post")),
        "Hides the post from every listing.\n\n\
         **Authorization** (usso): a bearer token with:\n\
         - role `moderator`\n\
         - a workspace (`workspace_id` claim)"
    );
    assert_eq!(
        description(operation(&doc, "/review", "get")),
        "**Authorization** (usso): a bearer token with:\n\
         - scope `read:posts`\n\
         - any of (role `editor`, scope `review:posts`)\n\
         - not role `banned`\n\
         - scope `queue:read`"
    );
    assert!(
        !description(operation(&doc, "/health", "get")).contains("usso"),
        "a public route says nothing of usso"
    );
    // The rest of the operation is utoipa's.
    let hide = operation(&doc, "/posts/{id}/hide", "post");
    assert_eq!(hide["parameters"][0]["name"], "id");
    assert_eq!(hide["responses"]["200"]["description"], "Hidden");
}

/// The documented handlers enforce exactly their policies.
#[tokio::test]
async fn documented_handlers_still_enforce_their_policies() {
    let issuer = TestIssuer::start().await;
    let app = app(&issuer);
    let send = |method: &str, uri: &str, token: Option<String>| {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let req = req.body(Body::empty()).unwrap();
        let app = app.clone();
        async move { app.oneshot(req).await.unwrap().status() }
    };
    let token = |scopes: &[&str], roles: &[&str], ws: Option<&str>| {
        let t = issuer
            .token()
            .sub("user:1")
            .scopes(scopes.iter().copied())
            .roles(roles.iter().copied());
        Some(match ws {
            Some(ws) => t.workspace(ws).mint(),
            None => t.mint(),
        })
    };

    assert_eq!(send("POST", "/posts", None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send("POST", "/posts", token(&["read:posts"], &[], None)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send("POST", "/posts", token(&["write:posts"], &[], None)).await,
        StatusCode::CREATED
    );
    assert_eq!(
        send("GET", "/posts", token(&["admin:posts"], &[], None)).await,
        StatusCode::OK
    );
    let hide = "/posts/7/hide";
    assert_eq!(
        send("POST", hide, token(&[], &["moderator"], None)).await,
        StatusCode::FORBIDDEN,
        "no workspace"
    );
    assert_eq!(
        send("POST", hide, token(&[], &["moderator"], Some("ws"))).await,
        StatusCode::OK
    );
    let reviewer = token(&["read:posts", "queue:read"], &["editor"], None);
    assert_eq!(send("GET", "/review", reviewer).await, StatusCode::OK);
    let banned = token(&["read:posts", "queue:read"], &["editor", "banned"], None);
    assert_eq!(send("GET", "/review", banned).await, StatusCode::FORBIDDEN);
    let no_queue = token(&["read:posts", "review:posts"], &[], None);
    assert_eq!(
        send("GET", "/review", no_queue).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(send("GET", "/health", None).await, StatusCode::OK);
}
