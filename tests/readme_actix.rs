//! The README's "actix-web Integration" snippets compile: each is below, in
//! a module of its own, and a test checks that every line the README shows
//! is here, so the two can't drift apart. One app is also driven, to show
//! the snippets do what the README says.

// As the README shows them, so not reformatted.
#[rustfmt::skip]
mod protected {
    use actix_web::{App, web};
    use usso::{UserData, UssoAuth};

    async fn protected_route(user: UserData) -> web::Json<serde_json::Value> {
        web::Json(serde_json::json!({"message": "Access granted", "user_id": user.sub, "roles": user.roles}))
    }

    pub(crate) fn app(
        auth: UssoAuth,
    ) -> App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        App::new().app_data(web::Data::new(auth)).route("/protected", web::get().to(protected_route))
    }
}

#[rustfmt::skip]
mod macros {
    use usso::{UserData, require_scope, require_role, require_any_role};

    #[require_scope("write:posts")]
    pub(crate) async fn create_post(user: UserData) -> String { format!("Post created by {:?}", user.sub) }

    #[require_role("admin")]
    pub(crate) async fn list_all_users() -> &'static str { "[]" }

    #[require_any_role("editor", "admin")]
    pub(crate) async fn create_content() -> &'static str { "Content created" }
}

/// The code blocks of the README's actix-web section, without the hidden
/// (`# `) lines.
fn readme_snippets() -> Vec<Vec<String>> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("## actix-web Integration")
        .expect("the README has an actix-web section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in section.lines() {
        if line.starts_with("```rust") {
            current = Some(Vec::new());
        } else if line.starts_with("```") {
            blocks.extend(current.take());
        } else if let Some(block) = &mut current
            && !line.starts_with('#')
            && !line.trim().is_empty()
        {
            block.push(line.trim().to_owned());
        }
    }
    blocks
}

#[test]
fn every_readme_line_is_compiled_here() {
    let here = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/readme_actix.rs"
    ))
    .unwrap();
    let lines: Vec<&str> = here.lines().map(str::trim).collect();
    let blocks = readme_snippets();
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    for line in blocks.iter().flatten() {
        let compiled = line.strip_prefix("pub(crate) ").unwrap_or(line);
        assert!(
            lines
                .iter()
                .any(|l| *l == line || l.strip_prefix("pub(crate) ") == Some(compiled)),
            "the README's `{line}` is not compiled in tests/readme_actix.rs"
        );
    }
}

#[actix_web::test]
async fn the_snippets_serve_and_guard() {
    use actix_web::{App, test, web};
    let issuer = usso::testing::TestIssuer::start().await;
    let app = test::init_service(protected::app(issuer.auth())).await;
    let token = issuer.token().sub("user:1").roles(["editor"]).mint();
    let req = test::TestRequest::get()
        .uri("/protected")
        .insert_header(("authorization", format!("Bearer {token}")))
        .to_request();
    let body: serde_json::Value = test::call_and_read_body_json(&app, req).await;
    assert_eq!(body["user_id"], "user:1");
    let req = test::TestRequest::get().uri("/protected").to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 401);

    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(issuer.auth()))
            .route("/posts", web::post().to(macros::create_post))
            .route("/users", web::get().to(macros::list_all_users))
            .route("/content", web::post().to(macros::create_content)),
    )
    .await;
    let call = |method: actix_web::http::Method, uri: &str| {
        test::TestRequest::default()
            .method(method)
            .uri(uri)
            .insert_header(("authorization", format!("Bearer {token}")))
            .to_request()
    };
    use actix_web::http::Method;
    assert_eq!(
        test::call_service(&app, call(Method::POST, "/posts"))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&app, call(Method::GET, "/users"))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&app, call(Method::POST, "/content"))
            .await
            .status(),
        200
    );
}
