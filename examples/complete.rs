//! The Python SDK docs' "Complete Example" in Rust: a protected posts API.
//!
//! ```text
//! cargo run --example complete
//! ```
//!
//! With `USSO_JWKS_URL`, `USSO_ISSUER` and `USSO_AUDIENCE` set it trusts that
//! identity server; a Python usso service's `JWT_CONFIGS`, `JWT_CONFIG` or
//! `USSO_BASE_URL` work too (see `usso::FleetConfig`), and
//! `USSO_ERROR_FORMAT=usso-py` answers errors in the Python package's body.
//! Without them it starts an embedded dev issuer on
//! 127.0.0.1 and prints ready-to-paste tokens and `curl` lines, so the demo
//! needs no setup. Either way it prints its routes and the issuer and
//! audience it trusts. It listens on `USSO_EXAMPLE_ADDR` (default
//! `127.0.0.1:8001`).
//!
//! The `curl` lines can be replayed top to bottom, as often as you like: the
//! delete lines aim at the post the `POST` line just created (`$POST_ID`).

#[allow(dead_code, unreachable_pub)]
#[path = "support/startup.rs"]
pub mod startup;

#[allow(dead_code, unreachable_pub)]
#[path = "support/demo.rs"]
pub mod demo;

#[allow(dead_code, unreachable_pub)]
#[path = "support/posts.rs"]
pub mod posts;

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use usso::sqlx::ScopedError;
use usso::{UserData, UssoAuth, Workspace, require_any_role, require_role, require_scope};

// What the tests use of the shared posts API, by this example's name.
#[allow(unused_imports)]
pub use posts::{Db, Demo, NewPost, POST_ID_VAR, ROUTES, curl};

fn db_error(e: ScopedError) -> (StatusCode, Json<Value>) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(posts::db_error_body(&e)),
    )
}

/// Router state: the authenticator and the database.
#[derive(Debug, Clone, axum::extract::FromRef)]
pub struct AppState {
    auth: UssoAuth,
    db: Db,
}

async fn read_root() -> Json<Value> {
    Json(posts::welcome())
}

async fn get_current_user(user: UserData) -> Json<Value> {
    Json(posts::me_body(&user))
}

#[require_scope("read:posts")]
async fn list_posts(
    State(db): State<Db>,
    ws: Workspace,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let posts = db.get_posts(&ws).await.map_err(db_error)?;
    Ok(Json(json!({"posts": posts})))
}

#[require_scope("write:posts")]
async fn create_post(
    State(db): State<Db>,
    ws: Workspace,
    Json(post): Json<NewPost>,
) -> Result<impl IntoResponse, (StatusCode, Json<Value>)> {
    // The author is stamped from the verified token (`user_id`, else `sub`).
    let new_post = db.create_post(&ws, post).await.map_err(db_error)?;
    Ok((StatusCode::CREATED, Json(json!({"post": new_post}))))
}

#[require_scope("delete:posts")]
async fn delete_post(
    State(db): State<Db>,
    ws: Workspace,
    Path(post_id): Path<i64>,
) -> impl IntoResponse {
    match db.delete_post(&ws, post_id).await {
        Ok(true) => (StatusCode::OK, Json(json!({"message": "Post deleted"}))),
        Ok(false) => (StatusCode::NOT_FOUND, Json(posts::not_found_body())),
        Err(e) => db_error(e),
    }
}

#[require_role("admin")]
async fn list_all_users() -> Json<Value> {
    Json(json!({"users": []}))
}

#[require_any_role("editor", "admin")]
async fn create_content(Json(_content): Json<Value>) -> Json<Value> {
    Json(json!({"message": "Content created"}))
}

/// The application, for any authenticator.
pub fn app(auth: UssoAuth, db: Db) -> Router {
    Router::new()
        .route("/", get(read_root))
        .route("/me", get(get_current_user))
        .route("/posts", get(list_posts).post(create_post))
        .route("/posts/{post_id}", delete(delete_post))
        .route("/admin/users", get(list_all_users))
        .route("/content", post(create_content))
        .with_state(AppState { auth, db })
}

/// Starts the demo on `addr` (see [`posts::start`]).
pub async fn start(addr: SocketAddr) -> Result<Demo, Box<dyn std::error::Error>> {
    posts::start(addr, serve).await
}

/// Starts the demo trusting `identity_server`, else an embedded dev issuer.
pub async fn start_with(
    addr: SocketAddr,
    identity_server: Option<usso::FleetConfig>,
) -> Result<Demo, Box<dyn std::error::Error>> {
    posts::start_with(addr, identity_server, serve).await
}

/// Serves the axum app, with header and request timeouts.
async fn serve(
    addr: SocketAddr,
    auth: UssoAuth,
    db: Db,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    demo::serve(addr, app(auth, db)).await
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> ExitCode {
    let addr = match startup::addr_or_exit("127.0.0.1:8001") {
        Ok(addr) => addr,
        Err(code) => return code,
    };
    startup::exit(run(addr).await, addr)
}

async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    posts::run(start(addr).await?).await
}
