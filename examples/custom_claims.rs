//! The Python SDK docs' "Custom User Data": your own claims type, with the standard
//! USSO claims flattened into it.
//!
//! ```text
//! cargo run --example custom_claims
//! ```
//!
//! `CustomUserData` adds `company_id`, `subscription_tier` and
//! `custom_permissions` to [`UserData`]. It is verified with
//! `auth.verify_token_as::<CustomUserData>(token)` (the Python SDK's
//! `USSOAuth(config, user_schema=CustomUserData)`) and taken by handlers as
//! `#[claims] user: CustomUserData` under the usso macros. Starts an embedded
//! dev issuer, prints tokens for a `pro` and a `free` customer and `curl`
//! lines with the status each returns, and listens on `USSO_EXAMPLE_ADDR`
//! (default `127.0.0.1:8003`).

#[allow(dead_code, unreachable_pub)]
#[path = "support/startup.rs"]
mod startup;

#[allow(dead_code, unreachable_pub)]
#[path = "support/demo.rs"]
mod demo;

pub use demo::Try;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use usso::testing::TestIssuer;
use usso::{AuthError, Claims, UserData, UssoAuth, require_auth, require_scope};

/// Extended user data with custom claims (the Python SDK's `class CustomUserData(BaseUserData)`).
///
/// A custom claim of the wrong JSON type makes the token invalid (401
/// `token_invalid`), as pydantic validation would.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomUserData {
    /// The standard claims: `sub`, `roles`, `scopes`, `workspace_id`, …
    #[serde(flatten)]
    pub base: UserData,
    /// Company ID.
    #[serde(default)]
    pub company_id: Option<String>,
    /// Subscription level.
    #[serde(default)]
    pub subscription_tier: Option<String>,
    /// Extra permissions.
    #[serde(default)]
    pub custom_permissions: Vec<String>,
}

/// What lets usso's policies (scopes, roles, workspace) and extractors use it.
impl Claims for CustomUserData {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

/// The Python SDK's `user = auth.verify_token(token)` with `user_schema=CustomUserData`.
pub async fn verify_custom(auth: &UssoAuth, token: &str) -> Result<CustomUserData, AuthError> {
    let user = auth.verify_token_as::<CustomUserData>(token).await?;
    println!("Company: {:?}", user.company_id);
    println!("Tier: {:?}", user.subscription_tier);
    Ok(user)
}

/// `GET /company`: any valid token; the custom claims come typed.
#[require_auth]
async fn company(#[claims] user: CustomUserData) -> Json<Value> {
    Json(json!({
        "user_id": user.base.sub,
        "company": user.company_id,
        "tier": user.subscription_tier,
        "permissions": user.custom_permissions,
    }))
}

/// `GET /reports`: the macro checks the scope (403 before the handler runs);
/// the handler checks the plan, a rule only your claims know about.
#[require_scope("read:reports")]
async fn reports(#[claims] user: CustomUserData) -> Response {
    if user.subscription_tier.as_deref() != Some("pro") {
        let body = json!({"error": "upgrade_required", "detail": "reports need the pro plan"});
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    let export = user.custom_permissions.iter().any(|p| p == "export:csv");
    Json(json!({"company": user.company_id, "reports": ["q1", "q2"], "csv_export": export}))
        .into_response()
}

/// The application, for any authenticator.
pub fn app(auth: UssoAuth) -> Router {
    Router::new()
        .route("/company", get(company))
        .route("/reports", get(reports))
        .with_state(auth)
}

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    Try::new("GET", "/company", Some("pro"), 200),
    Try::new("GET", "/company", None, 401),
    Try::new("GET", "/reports", Some("pro"), 200),
    Try::new("GET", "/reports", Some("free"), 403),
    // `company_id` is a number in this token: the claims don't validate.
    Try::new("GET", "/company", Some("malformed"), 401),
];

/// The running demo.
pub type Demo = demo::Demo<TestIssuer>;

/// Starts an embedded issuer and the API on `addr`.
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().audience("billing-api").start().await;
    let auth = issuer.auth();
    let customer = |tier: &str| {
        issuer
            .token()
            .sub(format!("user:{tier}-customer"))
            .scopes(["read:reports"])
            .claim("company_id", "company_acme")
            .claim("subscription_tier", tier)
            .expires_in(demo::DAY)
    };
    let mut tokens = BTreeMap::new();
    tokens.insert(
        "pro",
        customer("pro")
            .claim("custom_permissions", json!(["export:csv"]))
            .mint(),
    );
    tokens.insert("free", customer("free").mint());
    tokens.insert("malformed", customer("pro").claim("company_id", 42).mint());
    Ok(Demo::start(addr, app(auth), tokens, issuer).await?)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    startup::main("127.0.0.1:8003", run).await
}

#[allow(dead_code)]
async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let demo = start(addr).await?;
    println!("== verify_token_as::<CustomUserData>() on the pro customer's token");
    verify_custom(&demo.issuer.auth(), &demo.tokens["pro"]).await?;
    demo.show("custom-claims API", TRIES).await?;
    Ok(())
}
