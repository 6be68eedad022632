//! The suite, written once and compiled once per backend: `super` names the
//! database (`Db`), connects (`connect`, `example_db`), and holds the
//! statements whose SQL differs (`numbered`, the schemas).

use crate::example::{self, Project};
use axum::Router;
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::Pool;
use tower::ServiceExt;
use usso::Workspace;
use usso::scope::{FilterMap, ScopeEngine};
use usso::sqlx::{Order, ScopedError, WorkspaceTable};
use usso::testing::TestIssuer;

use super::{Db, connect, numbered};

/// `ws_a`: alpha (u1), beta (u2); `ws_b`: gamma (u1), delta (u3).
async fn seeded() -> (Pool<Db>, Workspace, Workspace) {
    let db = connect().await;
    for (ws, user, name) in [
        ("ws_a", "u1", "alpha"),
        ("ws_a", "u2", "beta"),
        ("ws_b", "u1", "gamma"),
        ("ws_b", "u3", "delta"),
    ] {
        let insert =
            numbered("INSERT INTO projects (name, workspace_id, created_by) VALUES (?, ?, ?)");
        sqlx::query(&insert)
            .bind(name)
            .bind(ws)
            .bind(user)
            .execute(&db)
            .await
            .unwrap();
    }
    (
        db,
        Workspace::trusted("ws_a", None),
        Workspace::trusted("ws_b", None),
    )
}

/// The workspace of a real token, through the `Workspace` extractor.
async fn extract_workspace(issuer: &TestIssuer, token: &str) -> Workspace {
    let (mut parts, ()) = Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
        .into_parts();
    Workspace::from_request_parts(&mut parts, &issuer.auth())
        .await
        .unwrap()
}

fn names(rows: &[Project]) -> Vec<&str> {
    rows.iter().map(|p| p.name.as_str()).collect()
}

async fn all_rows(db: &Pool<Db>) -> Vec<(i64, String, String, Option<String>)> {
    sqlx::query_as("SELECT id, name, workspace_id, created_by FROM projects ORDER BY id")
        .fetch_all(db)
        .await
        .unwrap()
}

fn filter(pairs: &[(&str, &str)]) -> FilterMap {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn list_and_get_see_only_their_workspace() {
    let (db, a, b) = seeded().await;
    let list = |ws: &Workspace| {
        Project::scoped(ws)
            .select()
            .order_by("id", Order::Asc)
            .fetch_all(&db)
    };
    assert_eq!(names(&list(&a).await.unwrap()), ["alpha", "beta"]);
    assert_eq!(names(&list(&b).await.unwrap()), ["gamma", "delta"]);
    let nobody = Workspace::trusted("ws_c", None);
    assert!(list(&nobody).await.unwrap().is_empty());

    // Row 1 is alpha in ws_a: visible there, a missing row from ws_b.
    let in_a = Project::scoped(&a)
        .get(1)
        .fetch_optional(&db)
        .await
        .unwrap();
    assert_eq!(in_a.map(|p| p.name), Some("alpha".into()));
    assert_eq!(
        Project::scoped(&b)
            .get(1)
            .fetch_optional(&db)
            .await
            .unwrap(),
        None
    );

    // Paging stays inside the workspace.
    let page = Project::scoped(&b)
        .select()
        .order_by("name", Order::Desc)
        .limit(1)
        .offset(1)
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(names(&page), ["delta"]);

    // The workspace id is a bound parameter, never SQL text.
    let sql = Project::scoped(&a).select::<Db>().sql().to_owned();
    assert_eq!(
        sql,
        numbered("SELECT * FROM projects WHERE workspace_id = ?")
    );
    let evil = Workspace::trusted("ws_a' OR '1'='1", None);
    assert!(list(&evil).await.unwrap().is_empty());
}

#[tokio::test]
async fn update_and_delete_never_touch_another_workspace() {
    let (db, a, b) = seeded().await;
    let before = all_rows(&db).await;

    // ws_b aims at ws_a's row 1: nothing changes.
    let n = Project::scoped(&b)
        .update()
        .set("name", "pwned")
        .by_id(1)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let n = Project::scoped(&b).delete(1).execute(&db).await.unwrap();
    assert_eq!(n, 0);
    // A workspace-wide update or delete stays in its workspace.
    let n = Project::scoped(&b)
        .update()
        .set("description", "b only")
        .in_workspace()
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let rows = all_rows(&db).await;
    assert_eq!(rows[..2], before[..2], "ws_a untouched");

    // The owner can.
    let n = Project::scoped(&a)
        .update()
        .set("name", "alpha2")
        .by_id(1)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(all_rows(&db).await[0].1, "alpha2");
    let n = Project::scoped(&b)
        .delete_where()
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let left: Vec<_> = all_rows(&db).await.into_iter().map(|r| r.1).collect();
    assert_eq!(left, ["alpha2", "beta"]);

    // Moving a row to another workspace, or re-stamping it, is refused.
    for column in ["workspace_id", "created_by"] {
        let err = Project::scoped(&a)
            .update()
            .set(column, "ws_b")
            .by_id(1)
            .execute(&db)
            .await
            .unwrap_err();
        assert!(matches!(err, ScopedError::ProtectedColumn(c) if c == column));
    }
    let err = Project::scoped(&a)
        .update::<Db>()
        .by_id(1)
        .execute(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, ScopedError::EmptyUpdate), "{err}");
    assert_eq!(all_rows(&db).await[0].2, "ws_a");
}

#[tokio::test]
async fn insert_stamps_the_workspace_and_created_by() {
    let (db, _, _) = seeded().await;
    let issuer = TestIssuer::start().await;
    let token = issuer.token().sub("user:zoe").workspace("ws_b").mint();
    let ws = extract_workspace(&issuer, &token).await;

    let p = Project::scoped(&ws)
        .insert()
        .value("name", "epsilon")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        (p.workspace_id.as_str(), p.created_by.as_deref()),
        ("ws_b", Some("user:zoe"))
    );
    assert_eq!(p.id, 5);

    // `user_id` wins over `sub`, as in `UserData::user_id`.
    let token = issuer
        .token()
        .sub("user:zoe")
        .claim("user_id", "u42")
        .workspace("ws_a")
        .mint();
    let ws = extract_workspace(&issuer, &token).await;
    let n = Project::scoped(&ws)
        .insert()
        .value("name", "zeta")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let last = all_rows(&db).await.pop().unwrap();
    assert_eq!(last, (6, "zeta".into(), "ws_a".into(), Some("u42".into())));

    // Neither stamp can be overridden.
    for column in ["workspace_id", "created_by"] {
        let err = Project::scoped(&ws)
            .insert()
            .value("name", "x")
            .value(column, "ws_b")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(matches!(err, ScopedError::ProtectedColumn(_)), "{err}");
    }
    // A trusted workspace has no user: `created_by` keeps its default.
    let p = Project::scoped(&Workspace::trusted("ws_a", None))
        .insert()
        .value("name", "job")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((p.workspace_id.as_str(), p.created_by), ("ws_a", None));
    assert_eq!(all_rows(&db).await.len(), 7);
}

#[tokio::test]
async fn injection_in_a_filter_value_is_inert() {
    let (db, a, _) = seeded().await;
    let before = all_rows(&db).await;
    let evil = filter(&[("user_id", "x' OR '1'='1")]);
    let rows = Project::scoped(&a)
        .select()
        .scope_filter(Some(&evil))
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(rows.is_empty());
    let n = Project::scoped(&a)
        .delete_where()
        .scope_filters(std::slice::from_ref(&evil))
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let drop = filter(&[("user_id", "u1'; DROP TABLE projects; --")]);
    let rows = Project::scoped(&a)
        .select()
        .scope_filter(Some(&drop))
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(rows.is_empty());
    assert_eq!(all_rows(&db).await, before, "table intact");
}

#[tokio::test]
async fn unknown_filter_keys_globs_and_bad_columns_are_denied() {
    let (db, a, _) = seeded().await;
    let before = all_rows(&db).await;
    let team = filter(&[("team", "red")]);
    let err = Project::scoped(&a)
        .select()
        .scope_filter(Some(&team))
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert!(matches!(&err, ScopedError::UnknownFilterKey(k) if k == "team"));
    assert!(err.is_forbidden());

    // Also when another alternative is mapped, and on writes.
    let mixed = [filter(&[("user_id", "u1")]), team.clone()];
    let err = Project::scoped(&a)
        .delete_where()
        .scope_filters(&mixed)
        .execute(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, ScopedError::UnknownFilterKey(_)));
    // The key is looked up, never pasted: a key that looks like SQL is unknown too.
    let sneaky = filter(&[("1=1 OR workspace_id", "x")]);
    let err = Project::scoped(&a)
        .update()
        .set("name", "x")
        .in_workspace()
        .scope_filter(Some(&sneaky))
        .execute(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, ScopedError::UnknownFilterKey(_)));

    // A glob value has no exact SQL meaning: refused rather than widened.
    let glob = filter(&[("user_id", "u*")]);
    let err = Project::scoped(&a)
        .select()
        .scope_filter(Some(&glob))
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert!(matches!(&err, ScopedError::GlobFilterValue(k) if k == "user_id"));
    assert!(err.is_forbidden());

    // Columns from code must be identifiers.
    let err = Project::scoped(&a)
        .select()
        .and_eq("name = name OR 1", 1)
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, ScopedError::InvalidColumn(_)));
    assert!(!err.is_forbidden());
    let err = Project::scoped(&a)
        .select()
        .order_by("id; DROP TABLE projects", Order::Asc)
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, ScopedError::InvalidColumn(_)));
    assert_eq!(all_rows(&db).await, before);
}

#[tokio::test]
async fn scope_filters_become_a_parameterised_where() {
    let (db, a, _) = seeded().await;
    let engine = ScopeEngine::strict();
    let visible = |scopes: &'static [&'static str]| {
        let db = db.clone();
        let a = a.clone();
        async move {
            let filters = engine
                .get_scope_filters("read", "projects", scopes)
                .unwrap();
            let all = Project::scoped(&a)
                .select()
                .scope_filters(&filters)
                .order_by("id", Order::Asc)
                .fetch_all(&db)
                .await
                .unwrap();
            let broadest = Project::scoped(&a)
                .select()
                .scope_filter(ScopeEngine::broadest_scope_filter(&filters).as_ref())
                .order_by("id", Order::Asc)
                .fetch_all(&db)
                .await
                .unwrap();
            (names(&all).join(","), Some(names(&broadest).join(",")))
        }
    };
    // Unfiltered: the whole workspace, never more.
    assert_eq!(
        visible(&["read:projects"]).await,
        ("alpha,beta".into(), Some("alpha,beta".into()))
    );
    // A workspace filter on the caller's own workspace, then on another one.
    assert_eq!(
        visible(&["read:projects?workspace_id=ws_a"]).await.0,
        "alpha,beta"
    );
    assert_eq!(visible(&["read:projects?workspace_id=ws_b"]).await.0, "");
    // A user filter.
    assert_eq!(
        visible(&["read:projects?user_id=u1"]).await,
        ("alpha".into(), Some("alpha".into()))
    );
    assert_eq!(visible(&["read:projects?user_id=u2"]).await.0, "beta");
    // Two scopes: either grants; the broadest (workspace_id) wins.
    assert_eq!(
        visible(&[
            "read:projects?user_id=u9",
            "read:projects?workspace_id=ws_a"
        ])
        .await,
        ("alpha,beta".into(), Some("alpha,beta".into()))
    );
    // Two keys in one scope: both must match.
    assert_eq!(
        visible(&["read:projects?user_id=u1&workspace_id=ws_b"])
            .await
            .0,
        ""
    );
    // An unfiltered scope next to a filtered one: nothing to narrow.
    assert_eq!(
        visible(&["read:projects?user_id=u1", "admin:projects"])
            .await
            .0,
        "alpha,beta"
    );
    // No scope grants `read` on projects: nothing at all, through both the
    // list of filters and the broadest one (`None`, never "unfiltered").
    assert_eq!(
        visible(&["read:invoices"]).await,
        (String::new(), Some(String::new()))
    );

    // The SQL has placeholders only.
    let filters = [
        filter(&[("user_id", "u1")]),
        filter(&[("workspace_id", "ws_a")]),
    ];
    let q = Project::scoped(&a).select::<Db>().scope_filters(&filters);
    assert_eq!(
        q.sql(),
        numbered(
            "SELECT * FROM projects WHERE workspace_id = ? AND ((created_by = ?) OR (workspace_id = ?))"
        )
    );
    let none = Project::scoped(&a).select::<Db>().scope_filters(&[]);
    assert_eq!(
        none.sql(),
        numbered("SELECT * FROM projects WHERE workspace_id = ? AND 1 = 0")
    );
}

#[tokio::test]
async fn hand_written_queries_get_the_same_conditions() {
    let (db, a, b) = seeded().await;
    let count = |ws: Workspace, filters: Vec<FilterMap>| {
        let db = db.clone();
        async move {
            let s = Project::scoped(&ws);
            let mut qb = sqlx::QueryBuilder::<Db>::new("SELECT COUNT(*) FROM projects WHERE ");
            s.push_workspace_condition(&mut qb).push(" AND ");
            s.push_scope_filters(&mut qb, &filters).unwrap();
            let n: i64 = qb.build_query_scalar().fetch_one(&db).await.unwrap();
            n
        }
    };
    assert_eq!(count(a.clone(), vec![FilterMap::new()]).await, 2);
    assert_eq!(
        count(b.clone(), vec![filter(&[("user_id", "u1")])]).await,
        1
    );
    assert_eq!(
        count(a.clone(), vec![filter(&[("user_id", "x' OR '1'='1")])]).await,
        0
    );
    assert_eq!(count(a.clone(), vec![]).await, 0);

    let mut qb = sqlx::QueryBuilder::<Db>::new("SELECT 1 WHERE ");
    let err = Project::scoped(&a)
        .push_scope_filters(&mut qb, &[filter(&[("team", "red")])])
        .unwrap_err();
    assert!(matches!(err, ScopedError::UnknownFilterKey(_)));
    assert_eq!(qb.sql(), "SELECT 1 WHERE ", "nothing pushed");
}

// ---------------------------------------------------------------------------
// `#[workspace_scoped]` handlers of examples/workspace.rs on a real router
// ---------------------------------------------------------------------------

const SCOPES: [&str; 3] = ["read:projects", "create:projects", "delete:projects"];

struct Api {
    issuer: TestIssuer,
    app: Router,
    db: Pool<Db>,
}

impl Api {
    async fn start() -> Self {
        let issuer = TestIssuer::start().await;
        let db = connect().await;
        let app = example::app(issuer.auth(), db.clone()).await.unwrap();
        Self { issuer, app, db }
    }

    fn token(&self, sub: &str, ws: Option<&str>, scopes: &[&str]) -> String {
        let t = self.issuer.token().sub(sub).scopes(scopes.iter().copied());
        match ws {
            Some(ws) => t.workspace(ws).mint(),
            None => t.mint(),
        }
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let res = self
            .app
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn create(&self, token: &str, name: &str) -> Value {
        let (status, body) = self
            .send("POST", "/projects", token, Some(json!({ "name": name })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["project"].clone()
    }

    async fn list(&self, token: &str) -> Vec<String> {
        let (status, body) = self.send("GET", "/projects", token, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn router_needs_a_workspace_bound_token() {
    let api = Api::start().await;
    let unbound = api.token("user:alice", None, &SCOPES);
    for (method, uri, body) in [
        ("GET", "/projects", None),
        ("POST", "/projects", Some(json!({ "name": "x" }))),
        ("GET", "/projects/1", None),
        ("DELETE", "/projects/1", None),
    ] {
        let (status, body) = api.send(method, uri, &unbound, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(body["error"], "workspace_required", "{method} {uri}");
    }
    let (status, _) = api.send("GET", "/projects", "not-a-token", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(all_rows(&api.db).await.is_empty());
}

#[tokio::test]
async fn router_listings_and_stamps_are_per_workspace() {
    let api = Api::start().await;
    let alice = api.token("user:alice", Some("ws_a"), &SCOPES);
    let bob = api.token("user:bob", Some("ws_b"), &SCOPES);
    let p = api.create(&alice, "alpha").await;
    assert_eq!(p["workspace_id"], "ws_a");
    assert_eq!(p["created_by"], "user:alice");
    // A body can't pick the workspace: extra fields are ignored.
    let p = api
        .send(
            "POST",
            "/projects",
            &bob,
            Some(json!({ "name": "beta", "workspace_id": "ws_a", "created_by": "user:alice" })),
        )
        .await
        .1;
    assert_eq!(p["project"]["workspace_id"], "ws_b");
    assert_eq!(p["project"]["created_by"], "user:bob");

    assert_eq!(api.list(&alice).await, ["alpha"]);
    assert_eq!(api.list(&bob).await, ["beta"]);
    let carol = api.token("user:carol", Some("ws_c"), &SCOPES);
    assert!(api.list(&carol).await.is_empty());

    // A user-filtered read scope sees only that user's projects.
    api.create(&alice, "alpha-2").await;
    let erin = api.token("user:erin", Some("ws_a"), &SCOPES);
    api.create(&erin, "erin's").await;
    let own = api.token(
        "user:erin",
        Some("ws_a"),
        &["read:projects?user_id=user:erin"],
    );
    assert_eq!(api.list(&own).await, ["erin's"]);
    let (status, _) = api.send("GET", "/projects/1", &own, None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "alice's project is not erin's"
    );
    // No scope granting `read` on projects: 403. (A higher action such as
    // `create:projects` does grant `read`.)
    let other = api.token("user:w", Some("ws_a"), &["read:invoices"]);
    let (status, body) = api.send("GET", "/projects", &other, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
    // A scope filter key the table doesn't map: refused.
    let odd = api.token("user:w", Some("ws_a"), &["read:projects?team=red"]);
    let (status, _) = api.send("GET", "/projects", &odd, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn router_cannot_reach_another_workspaces_row() {
    let api = Api::start().await;
    let alice = api.token("user:alice", Some("ws_a"), &SCOPES);
    let bob = api.token("user:bob", Some("ws_b"), &SCOPES);
    let id = api.create(&alice, "alpha").await["id"].as_i64().unwrap();
    let uri = format!("/projects/{id}");

    let (status, body) = api.send("DELETE", &uri, &bob, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "not_found");
    let (status, _) = api.send("GET", &uri, &bob, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Still there for its owner.
    let (status, body) = api.send("GET", &uri, &alice, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["project"]["name"], "alpha");
    assert_eq!(all_rows(&api.db).await.len(), 1);

    // Without a delete scope, even the owner can't.
    let reader = api.token("user:alice", Some("ws_a"), &["read:projects"]);
    let (status, _) = api.send("DELETE", &uri, &reader, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = api.send("DELETE", &uri, &alice, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.send("DELETE", &uri, &alice, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(all_rows(&api.db).await.is_empty());
}

/// The example's printed `curl` lines, run by `sh` against the example's app
/// on a real socket, twice over: every line ends with the status it promises.
#[tokio::test]
async fn the_examples_printed_lines_show_their_statuses_on_replay() {
    for tool in ["sh", "curl"] {
        let found = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "this test runs the printed lines and needs `{tool}` on PATH"
        );
    }
    let issuer = TestIssuer::start().await;
    // `DATABASE_URL`'s path: the example connects by itself.
    let db = super::example_db().await;
    let app = example::app(issuer.auth(), db).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut script = String::new();
    for (name, token) in example::tokens(&issuer) {
        script.push_str(&format!("export {name}={token}\n"));
    }
    let mut want = Vec::new();
    for _ in 0..2 {
        for (line, status) in example::try_lines(addr) {
            script.push_str(&line);
            script.push('\n');
            want.push(status.to_string());
        }
    }
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the replay did not finish in two minutes");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let got: Vec<&str> = stdout
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        got,
        want,
        "output:\n{stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The body is shown too: Bob's workspace lists nothing.
    assert!(
        stdout
            .lines()
            .nth(2)
            .is_some_and(|l| l.starts_with(r#"{"projects":[]}"#)),
        "{stdout}"
    );
    server.abort();
}

mod tenant_keyed {
    //! A multi-tenant schema: rows keyed by (tenant, workspace), so that two
    //! tenants of one issuer may both name a workspace `shared`.

    use axum::Json;
    use axum::extract::{FromRef, Path, State};
    use axum::routing::{delete, get};
    use sqlx::{Database, FromRow, Row};
    use usso::{UssoAuth, workspace_scoped};

    use super::*;

    pub(super) struct Doc {
        title: String,
    }

    impl WorkspaceTable for Doc {
        const TABLE: &'static str = "docs";
        const TENANT_COLUMN: Option<&'static str> = Some("tenant_id");
        const CREATED_BY_COLUMN: Option<&'static str> = None;
    }

    impl FromRow<'_, <Db as Database>::Row> for Doc {
        fn from_row(row: &<Db as Database>::Row) -> sqlx::Result<Self> {
            Ok(Self {
                title: row.try_get("title")?,
            })
        }
    }

    #[derive(Clone, FromRef)]
    struct AppState {
        auth: UssoAuth,
        db: Pool<Db>,
    }

    fn status(result: Result<u64, ScopedError>) -> StatusCode {
        match result {
            Ok(0) => StatusCode::NOT_FOUND,
            Ok(_) => StatusCode::OK,
            Err(e) if e.is_forbidden() => StatusCode::FORBIDDEN,
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    #[workspace_scoped]
    async fn remove(State(db): State<Pool<Db>>, ws: Workspace, Path(id): Path<i64>) -> StatusCode {
        status(Doc::scoped(&ws).delete(id).execute(&db).await)
    }

    #[workspace_scoped]
    async fn list(
        State(db): State<Pool<Db>>,
        ws: Workspace,
    ) -> Result<Json<Vec<String>>, StatusCode> {
        match Doc::scoped(&ws)
            .select()
            .order_by("id", Order::Asc)
            .fetch_all(&db)
            .await
        {
            Ok(docs) => Ok(Json(docs.into_iter().map(|d| d.title).collect())),
            Err(e) if e.is_forbidden() => Err(StatusCode::FORBIDDEN),
            Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    #[workspace_scoped]
    async fn add(
        State(db): State<Pool<Db>>,
        ws: Workspace,
        Path(title): Path<String>,
    ) -> StatusCode {
        let inserted = Doc::scoped(&ws)
            .insert()
            .value("title", title)
            .execute(&db)
            .await;
        status(inserted)
    }

    pub(super) async fn app(auth: UssoAuth) -> (Router, Pool<Db>) {
        let db = connect().await;
        sqlx::query(super::super::DOCS_SCHEMA)
            .execute(&db)
            .await
            .unwrap();
        let app = Router::new()
            .route("/docs", get(list))
            .route("/docs/{id}", delete(remove))
            .route("/docs/new/{title}", axum::routing::post(add))
            .with_state(AppState {
                auth,
                db: db.clone(),
            });
        (app, db)
    }
}

#[tokio::test]
async fn a_tenant_keyed_table_refuses_another_tenants_same_named_workspace() {
    let issuer = TestIssuer::start().await;
    let (app, db) = tenant_keyed::app(issuer.auth()).await;
    let send = |method: &str, uri: &str, token: &str| {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let app = app.clone();
        async move {
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let token = |tenant: Option<&str>| {
        let t = issuer.token().workspace("shared");
        match tenant {
            Some(tenant) => t.tenant(tenant).mint(),
            None => t.mint(),
        }
    };
    let (org_a, org_b, no_tenant) = (token(Some("org_a")), token(Some("org_b")), token(None));
    // Insert stamps the tenant from the token.
    assert_eq!(
        send("POST", "/docs/new/a-secret", &org_a).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send("POST", "/docs/new/b-notes", &org_b).await.0,
        StatusCode::OK
    );
    let stamped: Vec<(String, String, String)> =
        sqlx::query_as("SELECT title, tenant_id, workspace_id FROM docs ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        stamped,
        [
            ("a-secret".into(), "org_a".into(), "shared".into()),
            ("b-notes".into(), "org_b".into(), "shared".into())
        ]
    );
    // Same workspace name, other tenant: nothing of org_a's is reachable.
    assert_eq!(send("GET", "/docs", &org_b).await.1, json!(["b-notes"]));
    assert_eq!(
        send("DELETE", "/docs/1", &org_b).await.0,
        StatusCode::NOT_FOUND
    );
    // A token without a tenant reaches no row of a tenant-keyed table.
    assert_eq!(
        send("GET", "/docs", &no_tenant).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send("DELETE", "/docs/1", &no_tenant).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send("POST", "/docs/new/x", &no_tenant).await.0,
        StatusCode::FORBIDDEN
    );
    // org_a's row is intact, and its owner can delete it.
    assert_eq!(send("GET", "/docs", &org_a).await.1, json!(["a-secret"]));
    assert_eq!(send("DELETE", "/docs/1", &org_a).await.0, StatusCode::OK);
    let left: Vec<(String,)> = sqlx::query_as("SELECT title FROM docs")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(left, [("b-notes".to_owned(),)]);
    // The tenant column can't be written by hand.
    let ws = Workspace::trusted("shared", Some("org_b".into()));
    let err = tenant_keyed::Doc::scoped(&ws)
        .insert()
        .value("tenant_id", "org_a")
        .execute(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScopedError::ProtectedColumn("tenant_id")),
        "{err}"
    );
}

mod typed {
    //! Typed columns: a UUID primary key, a timestamp with time zone and an
    //! integer, bound and decoded as themselves (sqlx's `uuid` and `time`).

    use sqlx::types::Uuid;
    use sqlx::types::time::OffsetDateTime;
    use sqlx::{Database, FromRow, Row};

    use super::*;

    #[derive(Debug, PartialEq)]
    pub(super) struct Event {
        pub(super) id: Uuid,
        pub(super) at: OffsetDateTime,
        pub(super) attempts: i64,
        pub(super) workspace_id: String,
        pub(super) created_by: Option<String>,
    }

    impl WorkspaceTable for Event {
        const TABLE: &'static str = "events";
        const COLUMNS: &'static [&'static str] =
            &["id", "at", "attempts", "workspace_id", "created_by"];
    }

    impl FromRow<'_, <Db as Database>::Row> for Event {
        fn from_row(row: &<Db as Database>::Row) -> sqlx::Result<Self> {
            Ok(Self {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                attempts: row.try_get("attempts")?,
                workspace_id: row.try_get("workspace_id")?,
                created_by: row.try_get("created_by")?,
            })
        }
    }

    pub(super) fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    pub(super) async fn db() -> Pool<Db> {
        let db = connect().await;
        sqlx::query(super::super::EVENTS_SCHEMA)
            .execute(&db)
            .await
            .unwrap();
        db
    }
}

#[tokio::test]
async fn typed_columns_uuid_timestamptz_and_integers() {
    use sqlx::types::Uuid;
    use typed::{Event, at};

    let db = typed::db().await;
    let issuer = TestIssuer::start().await;
    let token = issuer.token().sub("user:ada").workspace("ws_a").mint();
    let a = extract_workspace(&issuer, &token).await;
    let b = Workspace::trusted("ws_b", None);
    let (id, other) = (
        Uuid::from_u128(0x0192_d3a1_7c4e_7a00_8b1c_5e2f_9a3b_4c5d),
        Uuid::from_u128(0x0192_d3a1_7c4e_7a00_8b1c_5e2f_9a3b_4c5e),
    );
    let t0 = at(1_767_225_600); // 2026-01-01T00:00:00Z

    let stored = Event::scoped(&a)
        .insert()
        .value("id", id)
        .value("at", t0)
        .value("attempts", 3_i64)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        stored,
        Event {
            id,
            at: t0,
            attempts: 3,
            workspace_id: "ws_a".into(),
            created_by: Some("user:ada".into()),
        }
    );
    Event::scoped(&b)
        .insert()
        .value("id", other)
        .value("at", t0)
        .value("attempts", 1_i64)
        .execute(&db)
        .await
        .unwrap();

    // By UUID: found in its workspace only.
    let get = |ws: &Workspace, id: Uuid| {
        let (ws, db) = (ws.clone(), db.clone());
        async move {
            Event::scoped(&ws)
                .get(id)
                .fetch_optional(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(get(&a, id).await.map(|e| e.attempts), Some(3));
    assert_eq!(get(&b, id).await, None);
    assert_eq!(get(&a, other).await, None);

    // A timestamp and an integer as conditions.
    let found = Event::scoped(&a)
        .select()
        .and_eq("at", t0)
        .and_eq("attempts", 3_i64)
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|e| e.id).collect::<Vec<_>>(), [id]);
    let none = Event::scoped(&a)
        .select()
        .and_eq("at", at(1_767_225_601))
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(none.is_empty());

    // Typed updates, by UUID, in the workspace only.
    let t1 = at(1_767_312_000);
    let update = |ws: &Workspace| {
        let (ws, db) = (ws.clone(), db.clone());
        async move {
            Event::scoped(&ws)
                .update()
                .set("at", t1)
                .set("attempts", 4_i64)
                .by_id(id)
                .execute(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(update(&b).await, 0);
    assert_eq!(get(&a, id).await.map(|e| (e.at, e.attempts)), Some((t0, 3)));
    assert_eq!(update(&a).await, 1);
    assert_eq!(get(&a, id).await.map(|e| (e.at, e.attempts)), Some((t1, 4)));

    // Delete by UUID: not from another workspace.
    assert_eq!(Event::scoped(&b).delete(id).execute(&db).await.unwrap(), 0);
    assert_eq!(Event::scoped(&a).delete(id).execute(&db).await.unwrap(), 1);
    assert_eq!(get(&a, id).await, None);
    assert!(get(&b, other).await.is_some());
}
