//! The Python SDK docs' "Complete Example" on actix-web: the same protected
//! posts API as `examples/complete.rs` (axum), with the same macros.
//!
//! ```text
//! cargo run --example complete_actix --features usso/actix
//! ```
//!
//! Same routes, statuses, JSON bodies and headers as `complete`, and the
//! same environment contract: with `USSO_JWKS_URL`, `USSO_ISSUER` and
//! `USSO_AUDIENCE` (or a Python usso service's `JWT_CONFIGS`, `JWT_CONFIG`
//! or `USSO_BASE_URL`) it trusts that identity server; without them it
//! starts an embedded dev issuer on 127.0.0.1 and prints ready-to-paste
//! tokens and `curl` lines. It listens on `USSO_EXAMPLE_ADDR` (default
//! `127.0.0.1:8007`). `tests/example_twins.rs` sends one request table to
//! both examples and requires identical answers.

#[allow(dead_code, unreachable_pub)]
#[path = "support/startup.rs"]
pub mod startup;

#[allow(dead_code, unreachable_pub)]
#[path = "support/posts.rs"]
pub mod posts;

use std::net::SocketAddr;
use std::process::ExitCode;

use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use usso::{UserData, UssoAuth, Workspace, require_any_role, require_role, require_scope};

// What the tests use of the shared posts API, by this example's name.
#[allow(unused_imports)]
pub use posts::{Db, Demo, NewPost, POST_ID_VAR, ROUTES, curl};

/// How long a client may take to send its request headers (as `complete`).
const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

fn db_error(e: usso::sqlx::ScopedError) -> HttpResponse {
    HttpResponse::InternalServerError().json(posts::db_error_body(&e))
}

async fn read_root() -> web::Json<Value> {
    web::Json(posts::welcome())
}

async fn get_current_user(user: UserData) -> web::Json<Value> {
    web::Json(posts::me_body(&user))
}

#[require_scope("read:posts")]
async fn list_posts(db: web::Data<Db>, ws: Workspace) -> HttpResponse {
    match db.get_posts(&ws).await {
        Ok(posts) => HttpResponse::Ok().json(json!({"posts": posts})),
        Err(e) => db_error(e),
    }
}

#[require_scope("write:posts")]
async fn create_post(
    db: web::Data<Db>,
    ws: Workspace,
    web::Json(post): web::Json<NewPost>,
) -> HttpResponse {
    // The author is stamped from the verified token (`user_id`, else `sub`).
    match db.create_post(&ws, post).await {
        Ok(new_post) => HttpResponse::Created().json(json!({"post": new_post})),
        Err(e) => db_error(e),
    }
}

#[require_scope("delete:posts")]
async fn delete_post(db: web::Data<Db>, ws: Workspace, post_id: web::Path<i64>) -> HttpResponse {
    match db.delete_post(&ws, post_id.into_inner()).await {
        Ok(true) => HttpResponse::Ok().json(json!({"message": "Post deleted"})),
        Ok(false) => HttpResponse::build(StatusCode::NOT_FOUND).json(posts::not_found_body()),
        Err(e) => db_error(e),
    }
}

#[require_role("admin")]
async fn list_all_users() -> web::Json<Value> {
    web::Json(json!({"users": []}))
}

#[require_any_role("editor", "admin")]
async fn create_content(web::Json(_content): web::Json<Value>) -> web::Json<Value> {
    web::Json(json!({"message": "Content created"}))
}

/// The application's routes, for any authenticator (app data).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(read_root))
        .route("/me", web::get().to(get_current_user))
        .service(
            web::resource("/posts")
                .route(web::get().to(list_posts))
                .route(web::post().to(create_post)),
        )
        .route("/posts/{post_id}", web::delete().to(delete_post))
        .route("/admin/users", web::get().to(list_all_users))
        .route("/content", web::post().to(create_content));
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

/// Serves the actix-web app on `addr` (two workers, a header timeout; the
/// server task runs on the caller's tokio runtime).
async fn serve(
    addr: SocketAddr,
    auth: UssoAuth,
    db: Db,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = std::net::TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let auth = web::Data::new(auth);
    let db = web::Data::new(db);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(auth.clone())
            .app_data(db.clone())
            .configure(routes)
    })
    .workers(2)
    .client_request_timeout(HEADER_TIMEOUT)
    .disable_signals()
    .listen(listener)?
    .run();
    let server = tokio::spawn(async move {
        let _ = server.await;
    });
    Ok((addr, server))
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> ExitCode {
    let addr = match startup::addr_or_exit("127.0.0.1:8007") {
        Ok(addr) => addr,
        Err(code) => return code,
    };
    startup::exit(run(addr).await, addr)
}

async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    posts::run(start(addr).await?).await
}
