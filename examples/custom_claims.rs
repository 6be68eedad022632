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

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

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

/// A request the demo prints as a `curl` line: method, path, persona whose
/// token is sent, and the status it returns.
pub type Try = (&'static str, &'static str, Option<&'static str>, u16);

/// The printed requests, in order.
pub const TRIES: &[Try] = &[
    ("GET", "/company", Some("pro"), 200),
    ("GET", "/company", None, 401),
    ("GET", "/reports", Some("pro"), 200),
    ("GET", "/reports", Some("free"), 403),
    // `company_id` is a number in this token: the claims don't validate.
    ("GET", "/company", Some("malformed"), 401),
];

/// The `curl` line for a request.
pub fn curl(addr: SocketAddr, (method, path, persona, expect): Try) -> String {
    let mut line = format!("curl -s -w ' %{{http_code}}\\n' -X {method} http://{addr}{path}");
    if let Some(persona) = persona {
        let var = format!("{}_TOKEN", persona.to_uppercase());
        line.push_str(&format!(" -H \"Authorization: Bearer ${var}\""));
    }
    format!("{line}    # {expect}")
}

/// The running demo.
#[derive(Debug)]
pub struct Demo {
    /// Where the API listens.
    pub addr: SocketAddr,
    /// Persona (`pro`, `free`, `malformed`) → token.
    pub tokens: BTreeMap<&'static str, String>,
    /// The embedded issuer, kept alive.
    pub issuer: TestIssuer,
    /// The authenticator the API uses.
    pub auth: UssoAuth,
    /// The server task.
    pub server: tokio::task::JoinHandle<()>,
}

/// Starts an embedded issuer and the API on `addr`.
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().audience("billing-api").start().await;
    let auth = UssoAuth::new(issuer.config_builder().build()?)?;
    let day = Duration::from_secs(24 * 3600);
    let customer = |tier: &str| {
        issuer
            .token()
            .sub(format!("user:{tier}-customer"))
            .scopes(["read:reports"])
            .claim("company_id", "company_acme")
            .claim("subscription_tier", tier)
            .expires_in(day)
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
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let router = app(auth.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(Demo {
        addr,
        tokens,
        issuer,
        auth,
        server,
    })
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let addr = match startup::addr_or_exit("127.0.0.1:8003") {
        Ok(addr) => addr,
        Err(code) => return code,
    };
    startup::exit(run(addr).await, addr)
}

#[allow(dead_code)]
async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let demo = start(addr).await?;
    println!("== verify_token_as::<CustomUserData>() on the pro customer's token");
    verify_custom(&demo.auth, &demo.tokens["pro"]).await?;
    println!("\ncustom-claims API listening on http://{}", demo.addr);
    println!("\nTokens (valid 24 h):");
    for (name, token) in &demo.tokens {
        println!("export {}_TOKEN={token}", name.to_uppercase());
    }
    println!("\nTry it (each line prints the status shown after #):");
    for try_ in TRIES {
        println!("{}", curl(demo.addr, *try_));
    }
    println!("\nCtrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
