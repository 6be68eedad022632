//! The Python SDK docs' "Testing": test an API with a mocked user, and with real
//! tokens from a real (embedded) issuer.
//!
//! ```text
//! cargo run --example testing    # runs both kinds of check once and prints them
//! cargo test --example testing   # the tests at the bottom of this file
//! ```
//!
//! * **Mocking Authentication**: `UssoAuth::mock(user)` authenticates every
//!   request as `user`, without a token: the twin of FastAPI's
//!   `app.dependency_overrides[authenticator] = lambda: mock_user`.
//!   Policies (scopes, roles, workspace) still apply to the mocked user.
//! * **Integration Testing**: `TestIssuer::start().await` runs a real JWKS
//!   issuer on 127.0.0.1 and mints real signed tokens, so the whole path
//!   (token extraction, key fetch, signature, claims, policy) is exercised,
//!   with no identity server and no `login_and_get_token()`. It can also
//!   misbehave on purpose (`fail_with`, `hang`, `rotate`, ...).
//!
//! `tests/examples.rs` runs these tests too, as part of `cargo test`.

use axum::body::Body;
use axum::http::Request;
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use usso::testing::TestIssuer;
use usso::{UserData, UssoAuth, require_scope};

/// The endpoint under test (the Python SDK's `/protected`).
async fn protected_route(user: UserData) -> Json<Value> {
    Json(json!({
        "message": "Access granted",
        "user_id": user.sub,
        "roles": user.roles,
        "scopes": user.scopes,
    }))
}

#[require_scope("write:posts")]
async fn create_post(user: UserData) -> Json<Value> {
    Json(json!({"message": "Post created", "author": user.sub}))
}

/// The application, for any authenticator: a real one in production, a
/// mock or a `TestIssuer`'s in tests.
pub fn app(auth: UssoAuth) -> Router {
    Router::new()
        .route("/protected", get(protected_route))
        .route("/posts", post(create_post))
        .with_state(auth)
}

/// The Python SDK's `mock_user` fixture. (`exp=9999999999` is not needed: a mock
/// is never expired.)
pub fn mock_user() -> UserData {
    UserData::new("user:test123")
        .with_tenant("org_test")
        .with_workspace("ws_test")
        .with_roles(["editor"])
        .with_scopes(["read:posts", "write:posts"])
}

/// The Python SDK's `authenticated_client` fixture: the app with its
/// authentication overridden by `mock_user`.
pub fn authenticated_app() -> Router {
    app(UssoAuth::mock(mock_user()))
}

/// Sends one request through the router in memory (the Python SDK's
/// `TestClient`) and returns the status and the JSON body.
pub async fn call(app: &Router, method: &str, uri: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Body::empty()).expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("== Mocking authentication: UssoAuth::mock(mock_user())");
    let (status, body) = call(&authenticated_app(), "GET", "/protected", None).await;
    println!("GET /protected (no token) -> {status} {body}");

    println!("\n== Integration testing: TestIssuer");
    let issuer = TestIssuer::start().await;
    let app = app(issuer.auth());
    let token = issuer.token().sub("user:1").roles(["editor"]).mint();
    let (status, body) = call(&app, "GET", "/protected", Some(&token)).await;
    println!("GET /protected (real token) -> {status} {body}");
    let expired = issuer.token().expired().mint();
    let (status, body) = call(&app, "GET", "/protected", Some(&expired)).await;
    println!("GET /protected (expired token) -> {status} {body}");
    println!("\nRun the tests with `cargo test --example testing`.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    /// The Python SDK's `test_protected_endpoint`.
    #[tokio::test]
    async fn test_protected_endpoint() {
        let (status, body) = call(&authenticated_app(), "GET", "/protected", None).await;
        assert_eq!(status, StatusCode::OK.as_u16());
        assert_eq!(body["user_id"], "user:test123");
        assert_eq!(body["roles"], json!(["editor"]));
    }

    /// A mock is not a bypass: the route's policy still applies to it.
    #[tokio::test]
    async fn mocked_users_are_still_subject_to_policies() {
        let reader = UssoAuth::mock(UserData::new("user:reader").with_scopes(["read:posts"]));
        let (status, body) = call(&app(reader), "POST", "/posts", None).await;
        assert_eq!(status, 403);
        assert_eq!(body["error"], "insufficient_scope");
        let (status, body) = call(&authenticated_app(), "POST", "/posts", None).await;
        assert_eq!(status, 200);
        assert_eq!(body["author"], "user:test123");
    }

    /// The Python SDK's `test_token_verification`, with a real token from a real issuer.
    #[tokio::test]
    async fn test_token_verification() {
        let issuer = TestIssuer::start().await;
        let usso_auth = issuer.auth();
        let token = issuer.token().sub("user:42").roles(["viewer"]).mint();
        let user = usso_auth.verify_token(&token).await.unwrap();
        assert!(user.sub.as_deref().unwrap().starts_with("user:"));
        assert!(!user.roles.is_empty());
        assert_eq!(issuer.fetch_count(), 1, "keys fetched over HTTP, once");
    }

    /// The whole request path, with real tokens.
    #[tokio::test]
    async fn integration_through_the_router() {
        let issuer = TestIssuer::start().await;
        let app = app(issuer.auth());
        let token = issuer.token().sub("user:7").scopes(["write:posts"]).mint();
        let (status, body) = call(&app, "GET", "/protected", Some(&token)).await;
        assert_eq!((status, body["user_id"].clone()), (200, json!("user:7")));
        assert_eq!(call(&app, "POST", "/posts", Some(&token)).await.0, 200);
        let (status, body) = call(&app, "GET", "/protected", None).await;
        assert_eq!(
            (status, body["error"].clone()),
            (401, json!("token_not_found"))
        );
        let expired = issuer.token().expired().mint();
        let (status, body) = call(&app, "GET", "/protected", Some(&expired)).await;
        assert_eq!(
            (status, body["error"].clone()),
            (401, json!("token_expired"))
        );
        let other_app = issuer.token().audience("another-app").mint();
        let (status, body) = call(&app, "GET", "/protected", Some(&other_app)).await;
        assert_eq!(
            (status, body["error"].clone()),
            (401, json!("invalid_audience"))
        );
    }

    /// The identity server is down before the first request: 503 and not a
    /// 401 (the client should retry, not log in again); then it recovers.
    #[tokio::test]
    async fn identity_server_outage() {
        let issuer = TestIssuer::start().await;
        let app = app(issuer.auth());
        let token = issuer.token().mint();
        issuer.fail_with(500);
        let (status, body) = call(&app, "GET", "/protected", Some(&token)).await;
        assert_eq!(
            (status, body["error"].clone()),
            (503, json!("keys_unavailable"))
        );
        issuer.heal();
        // The store backs off after a failure; wait for its retry.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (status, _) = call(&app, "GET", "/protected", Some(&token)).await;
            if status == 200 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never recovered: {status}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}
