//! The posts API the two complete examples share (`complete.rs` on axum,
//! `complete_actix.rs` on actix-web): its storage, its personas and their
//! tokens, what it trusts, the demo requests and their `curl` lines, and
//! the start-up report. Nothing here knows the web framework: each example
//! brings only its handlers and its server.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{FromRow, Row};
use usso::sqlx::{Order, ScopedError, WorkspaceTable};
use usso::testing::TestIssuer;
use usso::{TokenSource, UssoAuth, Workspace};

/// A post, stored per workspace.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    id: i64,
    title: String,
    content: String,
    workspace_id: String,
    author_id: Option<String>,
}

impl WorkspaceTable for Post {
    const TABLE: &'static str = "posts";
    // `created_by` is stamped from the verified token on insert.
    const CREATED_BY_COLUMN: Option<&'static str> = Some("author_id");
}

impl FromRow<'_, SqliteRow> for Post {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            content: row.try_get("content")?,
            workspace_id: row.try_get("workspace_id")?,
            author_id: row.try_get("author_id")?,
        })
    }
}

/// The body of `POST /posts` (the Python SDK's `class Post(BaseModel)`).
#[derive(Debug, Deserialize)]
pub struct NewPost {
    title: String,
    content: String,
}

/// The posts table in SQLite; every query goes through usso's workspace
/// helpers, so it always names the caller's workspace.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// An in-memory database with the `posts` table.
    pub async fn memory() -> Result<Self, sqlx::Error> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect("sqlite::memory:")
            .await?;
        sqlx::query(
            "CREATE TABLE posts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                title TEXT NOT NULL,
                content TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                author_id TEXT
            )",
        )
        .execute(&pool)
        .await?;
        Ok(Self { pool })
    }

    /// The caller's workspace's posts, oldest first.
    pub async fn get_posts(&self, ws: &Workspace) -> Result<Vec<Post>, ScopedError> {
        Post::scoped(ws)
            .select()
            .order_by("id", Order::Asc)
            .fetch_all(&self.pool)
            .await
    }

    /// A new post in the caller's workspace, stamped with its author.
    pub async fn create_post(&self, ws: &Workspace, new: NewPost) -> Result<Post, ScopedError> {
        Post::scoped(ws)
            .insert()
            .value("title", new.title)
            .value("content", new.content)
            .fetch_one(&self.pool)
            .await
    }

    /// Deletes only inside the caller's workspace; another workspace's post
    /// is indistinguishable from a missing one.
    pub async fn delete_post(&self, ws: &Workspace, id: i64) -> Result<bool, ScopedError> {
        Ok(Post::scoped(ws).delete(id).execute(&self.pool).await? > 0)
    }
}

/// The body of a database failure (500).
pub fn db_error_body(e: &ScopedError) -> Value {
    json!({"error": "database", "detail": e.to_string()})
}

/// The body of `GET /`.
pub fn welcome() -> Value {
    json!({"message": "Welcome to My API"})
}

/// The body of `GET /me`.
pub fn me_body(user: &usso::UserData) -> Value {
    json!({
        "user_id": user.sub,
        "tenant": user.tenant_id,
        "workspace": user.workspace_id,
        "roles": user.roles,
        "scopes": user.scopes,
    })
}

/// The body of `DELETE /posts/{post_id}` for another workspace's post or a missing one (404).
pub fn not_found_body() -> Value {
    json!({"error": "not_found", "detail": "no such post in your workspace"})
}

/// The routes and the policy guarding each, as printed at start-up.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/", "public"),
    ("GET", "/me", "any valid token"),
    ("GET", "/posts", "scope read:posts (your workspace's posts)"),
    ("POST", "/posts", "scope write:posts"),
    (
        "DELETE",
        "/posts/{post_id}",
        "scope delete:posts (your workspace only)",
    ),
    ("GET", "/admin/users", "role admin"),
    ("POST", "/content", "role editor or admin"),
];

/// The shell variable the `POST /posts` line stores the new post's id in.
pub const POST_ID_VAR: &str = "POST_ID";

/// One demo request: what the printed `curl` line does and what it returns.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    /// HTTP method.
    pub method: &'static str,
    /// Path.
    pub path: String,
    /// Persona whose token is sent (`None`: no token).
    pub persona: Option<&'static str>,
    /// Send the token as the `access_token` cookie instead of a header.
    pub cookie: bool,
    /// JSON body.
    pub body: Option<&'static str>,
    /// The status the demo promises.
    pub expect: u16,
    /// This line also stores the new post's id in `$POST_ID`, which later
    /// paths use.
    pub saves_post_id: bool,
}

/// The running demo: its address, tokens and the promised requests.
#[derive(Debug)]
pub struct Demo {
    /// Where the API listens.
    pub addr: SocketAddr,
    /// Persona name → token.
    pub tokens: BTreeMap<&'static str, String>,
    /// The requests printed as `curl` lines, in order.
    pub plan: Vec<DemoRequest>,
    /// Keeps the embedded issuer alive.
    pub issuer: Option<TestIssuer>,
    /// The JWKS URL, issuers and audiences the API trusts.
    pub trust: Trust,
    /// Why the JWKS could not be fetched at start, if it could not (the API
    /// still starts: the keys are fetched again on first use).
    pub jwks_warning: Option<String>,
    /// The server task.
    pub server: tokio::task::JoinHandle<()>,
}

fn config_sources(b: usso::JwtConfigBuilder) -> usso::JwtConfigBuilder {
    // The Python SDK's Multiple Token Sources: the Authorization header or the
    // `access_token` cookie.
    b.token_sources([
        TokenSource::authorization(),
        TokenSource::cookie("access_token"),
    ])
    // Repeated tokens skip signature work (see BENCHMARKS.md); every
    // time-based check still runs on each request.
    .token_cache(usso::TokenCacheOptions::default())
}

/// What the API trusts.
#[derive(Debug, Clone)]
pub struct Trust {
    /// Where its keys come from.
    pub jwks_url: Option<String>,
    /// The accepted `iss` values.
    pub issuers: Vec<String>,
    /// The accepted `aud` values.
    pub audiences: Vec<String>,
}

/// The variables of a Python usso fleet's env, or usso's own, any of which
/// switches the demo to the environment's identity server.
const ENV_VARS: [&str; 4] = [
    "JWT_CONFIGS",
    "JWT_CONFIG",
    "USSO_BASE_URL",
    "USSO_JWKS_URL",
];

/// Starts the demo on `addr` with `serve`, the example's server. Uses the
/// environment's identity server when one of [`ENV_VARS`] is set (read by
/// `usso::FleetConfig`, as a Python usso service reads them), else an
/// embedded dev issuer.
pub async fn start<S, F>(addr: SocketAddr, serve: S) -> Result<Demo, Box<dyn std::error::Error>>
where
    S: FnOnce(SocketAddr, UssoAuth, Db) -> F,
    F: Future<Output = std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)>>,
{
    let from_env = ENV_VARS
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|v| !v.trim().is_empty()));
    let fleet = if from_env {
        Some(usso::FleetConfig::from_env()?)
    } else {
        None
    };
    start_with(addr, fleet, serve).await
}

/// Starts the demo trusting `identity_server`, else an embedded dev issuer.
pub async fn start_with<S, F>(
    addr: SocketAddr,
    identity_server: Option<usso::FleetConfig>,
    serve: S,
) -> Result<Demo, Box<dyn std::error::Error>>
where
    S: FnOnce(SocketAddr, UssoAuth, Db) -> F,
    F: Future<Output = std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)>>,
{
    let (auth, trust, issuer) = if let Some(fleet) = identity_server {
        let fleet = fleet.with(config_sources);
        let configs = fleet.configs()?;
        let trust = Trust {
            jwks_url: configs
                .iter()
                .find_map(usso::JwtConfig::jwks_url)
                .map(str::to_owned),
            issuers: configs.iter().flat_map(|c| c.issuers().to_vec()).collect(),
            audiences: configs
                .iter()
                .flat_map(|c| c.audiences().to_vec())
                .collect(),
        };
        let mut auth = fleet.build()?;
        // `USSO_ERROR_FORMAT=usso-py`: error bodies as the Python services send them.
        if std::env::var("USSO_ERROR_FORMAT").is_ok_and(|f| f == "usso-py") {
            auth = auth.with_error_format(usso::ErrorFormat::UssoPy);
        }
        (auth, trust, None)
    } else {
        let issuer = TestIssuer::builder().audience("usso-demo").start().await;
        let config = config_sources(issuer.config_builder()).build()?;
        let trust = Trust {
            jwks_url: config.jwks_url().map(str::to_owned),
            issuers: config.issuers().to_vec(),
            audiences: config.audiences().to_vec(),
        };
        (UssoAuth::new(config)?, trust, Some(issuer))
    };
    let mut jwks_warning = None;
    if let Some(store) = auth.jwks_store() {
        // Warm the key cache so the first request doesn't wait; an identity
        // server that is down now may be up later, so this is not fatal.
        if let Err(e) = store.prefetch().await {
            jwks_warning = Some(e.to_string());
        }
    }
    let db = Db::memory().await?;
    let mut tokens = BTreeMap::new();
    if let Some(issuer) = &issuer {
        let day = Duration::from_secs(24 * 3600);
        // (name, sub, workspace, roles, scopes)
        type Persona = (
            &'static str,
            &'static str,
            &'static str,
            &'static [&'static str],
            &'static [&'static str],
        );
        let personas: [Persona; 4] = [
            (
                "admin_a",
                "user:alice",
                "ws_a",
                &["admin"],
                &["read:posts", "write:posts", "delete:posts"],
            ),
            (
                "editor_a",
                "user:erin",
                "ws_a",
                &["editor"],
                &["read:posts", "write:posts"],
            ),
            (
                "viewer_a",
                "user:victor",
                "ws_a",
                &["viewer"],
                &["read:posts"],
            ),
            (
                "editor_b",
                "user:bob",
                "ws_b",
                &["editor"],
                &["read:posts", "write:posts", "delete:posts"],
            ),
        ];
        for (name, sub, ws, roles, scopes) in personas {
            let token = issuer
                .token()
                .sub(sub)
                .tenant("org_demo")
                .workspace(ws)
                .roles(roles.iter().copied())
                .scopes(scopes.iter().copied())
                .expires_in(day)
                .mint();
            tokens.insert(name, token);
        }
        // A first post in ws_a, so the delete lines have something to aim at.
        let ws_a = Workspace::trusted("ws_a", Some("org_demo".into()));
        db.create_post(
            &ws_a,
            NewPost {
                title: "Hello".into(),
                content: "First post in ws_a".into(),
            },
        )
        .await?;
    }
    let (addr, server) = serve(addr, auth, db).await?;
    let r = |method, path: &str, persona, cookie, body, expect| DemoRequest {
        method,
        path: path.to_owned(),
        persona,
        cookie,
        body,
        expect,
        saves_post_id: false,
    };
    let new_post = format!("/posts/${POST_ID_VAR}");
    let post_body = Some(r#"{"title":"Hi","content":"from curl"}"#);
    let plan = vec![
        r("GET", "/", None, false, None, 200),
        r("GET", "/me", None, false, None, 401),
        r("GET", "/me", Some("editor_a"), false, None, 200),
        r("GET", "/me", Some("viewer_a"), true, None, 200),
        r("GET", "/posts", Some("viewer_a"), false, None, 200),
        r("POST", "/posts", Some("viewer_a"), false, post_body, 403),
        DemoRequest {
            saves_post_id: true,
            ..r("POST", "/posts", Some("editor_a"), false, post_body, 201)
        },
        r("GET", "/posts", Some("editor_b"), false, None, 200),
        // Each replay deletes the post its own `POST` line created.
        r("DELETE", &new_post, Some("editor_a"), false, None, 403),
        r("DELETE", &new_post, Some("editor_b"), false, None, 404),
        r("DELETE", &new_post, Some("admin_a"), false, None, 200),
        r("GET", "/admin/users", Some("editor_a"), false, None, 403),
        r("GET", "/admin/users", Some("admin_a"), false, None, 200),
        r(
            "POST",
            "/content",
            Some("viewer_a"),
            false,
            Some(r#"{"body":"x"}"#),
            403,
        ),
        r(
            "POST",
            "/content",
            Some("editor_b"),
            false,
            Some(r#"{"body":"x"}"#),
            200,
        ),
    ];
    Ok(Demo {
        addr,
        tokens,
        plan,
        issuer,
        trust,
        jwks_warning,
        server,
    })
}

/// The `curl` line for a request: it prints the status (and, for the line
/// that creates a post, stores the new post's id in `$POST_ID`).
pub fn curl(demo: &Demo, req: &DemoRequest) -> String {
    let mut args = format!("-X {} \"http://{}{}\"", req.method, demo.addr, req.path);
    if let Some(persona) = req.persona {
        let var = format!("${}", persona.to_uppercase());
        if req.cookie {
            args.push_str(&format!(" --cookie \"access_token={var}\""));
        } else {
            args.push_str(&format!(" -H \"Authorization: Bearer {var}\""));
        }
    }
    if let Some(body) = req.body {
        args.push_str(&format!(" -H 'content-type: application/json' -d '{body}'"));
    }
    if req.saves_post_id {
        // The body goes to the variable, the status to the terminal (POSIX sh).
        format!(
            "OUT=$(curl -s -w '\\n%{{http_code}}' {args}); \
             {POST_ID_VAR}=$(echo \"$OUT\" | sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p'); \
             echo \"$OUT\" | tail -n 1"
        )
    } else {
        format!("curl -s -o /dev/null -w '%{{http_code}}\\n' {args}")
    }
}

/// Prints the routes, what the API trusts and, with the embedded issuer,
/// the tokens and `curl` lines.
pub fn print_start(demo: &Demo) {
    println!("usso demo API listening on http://{}", demo.addr);
    println!("\nRoutes:");
    for (method, path, policy) in ROUTES {
        println!("  {method:<6} {path:<18} {policy}");
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "any".to_owned()
        } else {
            v.join(", ")
        }
    };
    let source = if demo.issuer.is_some() {
        "the embedded dev issuer (USSO_JWKS_URL unset)"
    } else {
        "USSO_JWKS_URL, USSO_ISSUER, USSO_AUDIENCE"
    };
    println!("\nTrusts tokens from {source}:");
    println!(
        "  JWKS URL: {}",
        demo.trust.jwks_url.as_deref().unwrap_or("-")
    );
    println!("  issuer:   {}", list(&demo.trust.issuers));
    println!("  audience: {}", list(&demo.trust.audiences));
    if let Some(warning) = &demo.jwks_warning {
        println!(
            "\nwarning: the JWKS could not be fetched at start ({warning}); requests \
             get 503 until it can be, and it is retried on each request"
        );
    }
    if demo.issuer.is_some() {
        println!("\nTokens (valid 24 h):");
        for (name, token) in &demo.tokens {
            println!("export {}={token}", name.to_uppercase());
        }
        println!(
            "\nTry it (each line prints the status shown after #; replay them in order, as often as you like):"
        );
        for req in &demo.plan {
            println!("{}    # {}", curl(demo, req), req.expect);
        }
    }
}

/// Prints the start-up report, then serves until Ctrl-C.
pub async fn run(demo: Demo) -> Result<(), Box<dyn std::error::Error>> {
    print_start(&demo);
    println!("\nCtrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
