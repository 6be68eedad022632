//! The Python SDK docs' "Workspace Isolation" in Rust: projects in SQLite, and every
//! query bound to the caller's workspace by the `usso::sqlx` helpers.
//!
//! ```text
//! cargo run --example workspace
//! ```
//!
//! With `USSO_JWKS_URL`, `USSO_ISSUER` and `USSO_AUDIENCE` set it trusts that
//! identity server. Without them it starts an embedded dev issuer on
//! 127.0.0.1 and prints tokens for two workspaces and `curl` lines. It
//! listens on `USSO_EXAMPLE_ADDR` (default `127.0.0.1:8006`) and keeps its
//! data in an in-memory SQLite database.
//!
//! | route | scope that must grant it | what the helpers add |
//! |---|---|---|
//! | `GET /projects` | `read` on `projects` | `WHERE workspace_id = ?` and the scope filters |
//! | `POST /projects` | `create` on `projects`, unfiltered | `workspace_id` and `created_by` stamps |
//! | `GET /projects/{id}` | `read` on `projects` | `WHERE workspace_id = ? AND id = ?` and the scope filters |
//! | `DELETE /projects/{id}` | `delete` on `projects` | `WHERE workspace_id = ? AND id = ?` and the scope filters |
//!
//! A project in another workspace is indistinguishable from a missing one (404).

#[allow(dead_code, unreachable_pub)]
#[path = "support/startup.rs"]
mod startup;

#[allow(dead_code, unreachable_pub)]
#[path = "support/demo.rs"]
mod demo;

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{FromRow, Row};
use usso::scope::{FilterMap, ScopeEngine, ScopeError};
use usso::sqlx::{Order, ScopedError, WorkspaceTable};
use usso::testing::TestIssuer;
use usso::{JwtConfig, UserData, UssoAuth, workspace_scoped};

/// A project row. The `workspace_id` and `created_by` columns are written
/// only by the helpers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    /// Primary key.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The workspace it belongs to (stamped on insert).
    pub workspace_id: String,
    /// Who created it (stamped on insert: the token's `user_id`, else `sub`).
    pub created_by: Option<String>,
}

impl WorkspaceTable for Project {
    const TABLE: &'static str = "projects";
    // The only scope-filter keys this table honours; any other is refused.
    const FILTER_COLUMNS: &'static [(&'static str, &'static str)] =
        &[("workspace_id", "workspace_id"), ("user_id", "created_by")];
}

impl FromRow<'_, SqliteRow> for Project {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            workspace_id: row.try_get("workspace_id")?,
            created_by: row.try_get("created_by")?,
        })
    }
}

/// The body of `POST /projects`. It has no workspace field: the workspace
/// comes from the token.
#[derive(Debug, Deserialize)]
pub struct NewProject {
    name: String,
    #[serde(default)]
    description: String,
}

/// The schema.
pub const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS projects (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    workspace_id TEXT NOT NULL,
    created_by   TEXT
)";

/// An in-memory SQLite database with the schema. One connection that never
/// closes, since every `sqlite::memory:` connection is its own database.
pub async fn memory_db() -> Result<SqlitePool, sqlx::Error> {
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await?;
    sqlx::query(SCHEMA).execute(&db).await?;
    Ok(db)
}

/// Router state.
#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    auth: UssoAuth,
    db: SqlitePool,
}

/// The application on `db`, whose schema it creates if needed.
pub async fn app(auth: UssoAuth, db: SqlitePool) -> Result<Router, sqlx::Error> {
    sqlx::query(SCHEMA).execute(&db).await?;
    Ok(Router::new()
        .route("/projects", get(list_projects).post(create_project))
        .route("/projects/{id}", get(get_project).delete(delete_project))
        .with_state(AppState { auth, db }))
}

/// The Python SDK's `list_projects`: only the caller's workspace, narrowed by the
/// filters of the caller's `read` scopes (`read:projects?user_id=u1` lists
/// only u1's projects).
#[workspace_scoped]
async fn list_projects(
    State(db): State<SqlitePool>,
    ws: usso::Workspace,
    user: UserData,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = grants(&user, "read")?;
    let projects = Project::scoped(&ws)
        .select()
        .scope_filters(&filters)
        .order_by("id", Order::Asc)
        .fetch_all(&db)
        .await?;
    Ok(Json(json!({ "projects": projects })))
}

/// The Python SDK's `create_project`: the row is stamped with the caller's
/// workspace and user; the body can't choose either.
#[workspace_scoped]
async fn create_project(
    State(db): State<SqlitePool>,
    ws: usso::Workspace,
    user: UserData,
    Json(new): Json<NewProject>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    // A filtered `create` scope would need the new row checked against its
    // filters; this example honours unfiltered ones only.
    if !grants(&user, "create")?.iter().any(FilterMap::is_empty) {
        return Err(ApiError::forbidden(
            "no unfiltered `create` scope on projects",
        ));
    }
    let project = Project::scoped(&ws)
        .insert()
        .value("name", new.name)
        .value("description", new.description)
        .fetch_one(&db)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "project": project }))))
}

#[workspace_scoped]
async fn get_project(
    State(db): State<SqlitePool>,
    ws: usso::Workspace,
    user: UserData,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = grants(&user, "read")?;
    Project::scoped(&ws)
        .get(id)
        .scope_filters(&filters)
        .fetch_optional(&db)
        .await?
        .map(|project| Json(json!({ "project": project })))
        .ok_or(ApiError::NotFound)
}

#[workspace_scoped]
async fn delete_project(
    State(db): State<SqlitePool>,
    ws: usso::Workspace,
    user: UserData,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = grants(&user, "delete")?;
    let deleted = Project::scoped(&ws)
        .delete(id)
        .scope_filters(&filters)
        .execute(&db)
        .await?;
    if deleted == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(Json(json!({ "message": "Project deleted" })))
}

/// The filters of the caller's scopes that grant `action` on `projects`;
/// none is a 403.
fn grants(user: &UserData, action: &str) -> Result<Vec<FilterMap>, ApiError> {
    let filters = ScopeEngine::strict().get_scope_filters(action, "projects", &user.scopes)?;
    if filters.is_empty() {
        return Err(ApiError::forbidden(format!(
            "no scope grants `{action}` on projects"
        )));
    }
    Ok(filters)
}

/// The handlers' errors, as `{"error": "<code>", "detail": "…"}`.
#[derive(Debug)]
pub enum ApiError {
    /// 403 with a code.
    Forbidden(&'static str, String),
    /// 404: missing, or in another workspace.
    NotFound,
    /// 500; the detail is logged, not sent.
    Internal(String),
}

impl ApiError {
    fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden("insufficient_scope", detail.into())
    }
}

impl From<ScopedError> for ApiError {
    fn from(e: ScopedError) -> Self {
        if e.is_forbidden() {
            Self::Forbidden("insufficient_scope", e.to_string())
        } else {
            Self::Internal(e.to_string())
        }
    }
}

impl From<ScopeError> for ApiError {
    fn from(e: ScopeError) -> Self {
        Self::Forbidden("invalid_scope", e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, detail) = match self {
            Self::Forbidden(code, detail) => (StatusCode::FORBIDDEN, code, detail),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "no such project in your workspace".to_owned(),
            ),
            Self::Internal(detail) => {
                eprintln!("internal error: {detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_owned(),
                )
            }
        };
        (status, Json(json!({ "error": code, "detail": detail }))).into_response()
    }
}

/// The demo's tokens, by shell variable: Alice in ws_a, Bob in ws_b, and a
/// token without a workspace, each with every projects scope (valid 24 h).
pub fn tokens(issuer: &TestIssuer) -> Vec<(&'static str, String)> {
    let scopes = ["read:projects", "create:projects", "delete:projects"];
    let day = Duration::from_secs(24 * 3600);
    let mint = |sub: &str, ws: Option<&str>| {
        let token = issuer.token().sub(sub).scopes(scopes).expires_in(day);
        match ws {
            Some(ws) => token.workspace(ws).mint(),
            None => token.mint(),
        }
    };
    vec![
        ("ALICE_A", mint("user:alice", Some("ws_a"))),
        ("BOB_B", mint("user:bob", Some("ws_b"))),
        ("NO_WS", mint("user:nowhere", None)),
    ]
}

/// The printed `curl` lines, with the status each one ends with. They use the
/// exported `ALICE_A`, `BOB_B` and `NO_WS` tokens and can be replayed in
/// order, as often as you like.
pub fn try_lines(addr: SocketAddr) -> Vec<(String, u16)> {
    let base = format!("http://{addr}/projects");
    let curl = |method: &str, url: &str, token: &str| {
        format!(
            "curl -s -w ' %{{http_code}}\\n' -X {method} \"{url}\" \
             -H \"Authorization: Bearer ${token}\""
        )
    };
    let create = format!(
        "{} -H 'content-type: application/json' -d '{{\"name\":\"alpha\"}}'",
        curl("POST", &base, "ALICE_A")
    );
    vec![
        // A new `alpha` in ws_a, stamped with Alice as its creator.
        (create, 201),
        // Alice's workspace: her projects.
        (curl("GET", &base, "ALICE_A"), 200),
        // Bob's workspace: none of them.
        (curl("GET", &base, "BOB_B"), 200),
        // Project 1 is in ws_a: from ws_b it does not exist.
        (curl("DELETE", &format!("{base}/1"), "BOB_B"), 404),
        // A token without a workspace: `workspace_required`.
        (curl("GET", &base, "NO_WS"), 403),
    ]
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let addr = match startup::addr_or_exit("127.0.0.1:8006") {
        Ok(addr) => addr,
        Err(code) => return code,
    };
    startup::exit(run(addr).await, addr)
}

#[allow(dead_code)]
async fn run(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let (auth, issuer) = if std::env::var_os("USSO_JWKS_URL").is_some() {
        (UssoAuth::new(JwtConfig::from_env()?)?, None)
    } else {
        let issuer = TestIssuer::builder().audience("usso-demo").start().await;
        (issuer.auth(), Some(issuer))
    };
    let router = app(auth, memory_db().await?).await?;
    let (addr, server) = demo::serve(addr, router).await?;
    println!("workspace demo listening on http://{addr}");
    if let Some(issuer) = &issuer {
        println!("\nTokens (valid 24 h):");
        for (name, token) in tokens(issuer) {
            println!("export {name}={token}");
        }
        println!("\nTry it (each line prints the body, then the status shown after #):");
        for (line, status) in try_lines(addr) {
            println!("{line}   # {status}");
        }
    }
    println!("\nCtrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    server.abort();
    Ok(())
}
