//! Interop with the real Python package `usso` 0.33.5 from PyPI, both ways:
//!
//! * tokens from the package (its lite identity server, logged in over
//!   HTTP; an agent token from `generate_agent_jwt`) verify in usso, through
//!   the library and through `examples/complete`'s `/me` run as a separate
//!   process with the fleet's env (the `usso verify` CLI is covered by
//!   `usso/tests/interop_cli.rs`);
//! * tokens from usso's `TestIssuer` verify in the package's
//!   `UssoAuth(jwt_config=…).user_data_from_token`, with equal claims;
//! * one `JWT_CONFIG`, copied into a Python service and into `complete`,
//!   accepts and rejects the same tokens, with the same error body.
//!
//! The venv with the package is built on first use (see
//! `tests/python/harness.rs`); without it these tests fail, never skip.

#[path = "python/harness.rs"]
mod harness;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/complete.rs"]
mod complete;

use std::process::Command;

use harness::{LiteLogin, Server, TempDir, lite_jwt_config, lite_login, payload, tamper};
use serde_json::{Value, json};
use usso::testing::TestIssuer;
use usso::{Algorithm, AuthError, ErrorFormat, FleetConfig, UssoAuth};

/// Runs `examples/complete` in its own process (this test binary, running
/// only [`complete_child`]) with `env` as its whole usso environment.
fn start_complete(env: &[(&str, &str)]) -> Server {
    let (server, _) = harness::spawn_server(
        complete_command(env),
        "ADDR=",
        "examples/complete",
        TempDir::new("complete"),
    );
    server
}

fn complete_command(env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["complete_child", "--exact", "--ignored", "--nocapture"]);
    for var in [
        "JWT_CONFIGS",
        "JWT_CONFIG",
        "USSO_BASE_URL",
        "USSO_JWKS_URL",
        "USSO_ISSUER",
        "USSO_AUDIENCE",
        "USSO_ERROR_FORMAT",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd
}

/// `examples/complete` as a child process of the tests above: serves until
/// its standard input closes (the parent dies or drops it).
#[tokio::test]
#[ignore = "started as a child process by the interop tests"]
async fn complete_child() {
    let demo = complete::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap_or_else(|e| panic!("complete did not start: {e}"));
    println!("ADDR={}", demo.addr);
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut sink);
    })
    .await
    .unwrap();
}

/// `GET {base}/me` with an optional bearer token: status and JSON body.
async fn get_me(base: &str, token: Option<&str>) -> (u16, Value) {
    get(base, "/me", token).await
}

/// `GET {base}{path}` with an optional bearer token: status and JSON body.
async fn get(base: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = usso::reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let res = req
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .expect("GET /me");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn lite_auth(lite: &Server) -> UssoAuth {
    FleetConfig::from_json(&lite_jwt_config(lite).to_string())
        .unwrap()
        .build()
        .unwrap()
}

/// The agent token and its public key from `generate_agent_jwt`.
async fn agent_token(agent_id: &str, aud: &str) -> (String, String) {
    let answer = harness::tool_async(
        "agent",
        json!({"scopes": ["read:posts"], "aud": aud, "tenant_id": "t1", "agent_id": agent_id}),
    )
    .await;
    (
        answer["token"].as_str().unwrap().to_owned(),
        answer["public_pem"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn lite_server_tokens_verify_and_bad_ones_are_rejected_with_the_right_codes() {
    let lite = harness::start_lite().await;
    let other = harness::start_lite().await;
    let alice: LiteLogin = lite_login(&lite, "alice@example.com").await;
    let mallory = lite_login(&other, "mallory@example.com").await;
    let auth = lite_auth(&lite);

    let user = auth.verify_token(&alice.access).await.unwrap();
    let claims = payload(&alice.access);
    assert_eq!(user.sub.as_deref(), claims["sub"].as_str());
    assert_eq!(user.iss.as_deref(), Some("usso-lite"));
    assert_eq!(user.token_type.as_deref(), Some("access"));
    assert_eq!(user.roles, ["editor"]);
    assert_eq!(user.scopes, ["read:posts", "write:posts"]);
    assert_eq!(user.session_id.as_deref(), claims["session_id"].as_str());
    assert_eq!(user.email.as_deref(), Some("alice@example.com"));

    // The refresh token (HS256, no kid) is no access token.
    let refresh = auth.verify_token(&alice.refresh).await.unwrap_err();
    assert_eq!(refresh.code(), "token_invalid", "{refresh:?}");
    assert_eq!(payload(&alice.refresh)["token_type"], "refresh");
    // Tampered: invalid signature.
    let tampered = tamper(&alice.access);
    assert_eq!(
        auth.verify_token(&tampered).await,
        Err(AuthError::InvalidSignature)
    );
    // Another lite server's token (same iss and aud, another key): its kid
    // is not in this server's JWKS…
    let foreign = auth.verify_token(&mallory.access).await.unwrap_err();
    assert_eq!(foreign.code(), "unknown_key", "{foreign:?}");
    // …and checked against this server's key as a static JWK: with its
    // `kid` the key ids differ, without it the signature fails.
    let jwks: Value = usso::reqwest::get(format!("{}/.well-known/jwks.json", lite.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pin = |jwk: &Value| {
        let config = json!({"key": jwk, "issuer": "usso-lite", "audience": "usso-lite"});
        FleetConfig::from_json(&config.to_string())
            .unwrap()
            .build()
            .unwrap()
    };
    let with_kid = pin(&jwks["keys"][0]);
    assert!(with_kid.verify_token(&alice.access).await.is_ok());
    let err = with_kid.verify_token(&mallory.access).await.unwrap_err();
    assert_eq!(err.code(), "unknown_key", "{err:?}");
    let mut bare = jwks["keys"][0].clone();
    bare.as_object_mut().unwrap().remove("kid");
    let without_kid = pin(&bare);
    assert!(without_kid.verify_token(&alice.access).await.is_ok());
    assert_eq!(
        without_kid.verify_token(&mallory.access).await,
        Err(AuthError::InvalidSignature)
    );

    // The package itself says the same, in the words ErrorFormat::UssoPy uses.
    let config = lite_jwt_config(&lite);
    for (token, ours) in [
        (tampered.clone(), AuthError::InvalidSignature),
        (mallory.access.clone(), foreign.clone()),
    ] {
        let py = harness::tool_async("verify", json!({"jwt_config": config, "token": token})).await;
        assert_eq!(py["error_code"], "Unauthorized", "{py}");
        assert_eq!(
            py["detail"],
            ErrorFormat::python_detail(&ours).as_ref(),
            "{py}"
        );
    }
    let py = harness::tool_async(
        "verify",
        json!({"jwt_config": config, "token": alice.access}),
    )
    .await;
    assert_eq!(py["claims"]["sub"], claims["sub"], "{py}");
}

#[tokio::test(flavor = "multi_thread")]
async fn agent_tokens_with_header_alg_ed25519_verify() {
    let (token, public_pem) = agent_token("agent-42", "svc").await;
    let header = {
        use base64::Engine as _;
        let part = token.split('.').next().unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    assert_eq!(header["alg"], "ED25519", "{header}");
    let config = json!({"key": public_pem, "issuer": "agent-42", "audience": "svc"});
    let auth = FleetConfig::from_json(&config.to_string())
        .unwrap()
        .build()
        .unwrap();
    let user = auth.verify_token(&token).await.unwrap();
    assert_eq!(user.iss.as_deref(), Some("agent-42"));
    assert_eq!(user.scopes, ["read:posts"]);
    assert_eq!(user.tenant_id.as_deref(), Some("t1"));
    assert_eq!(user.token_type, None);
    assert_eq!(
        auth.verify_token(&tamper(&token)).await,
        Err(AuthError::InvalidSignature)
    );
    // Another agent's key can't sign for this one.
    let (impostor, _) = agent_token("agent-42", "svc").await;
    assert_eq!(
        auth.verify_token(&impostor).await,
        Err(AuthError::InvalidSignature)
    );
    // Another audience is refused.
    let (elsewhere, elsewhere_pem) = agent_token("agent-42", "other-svc").await;
    let config = json!({"key": elsewhere_pem, "issuer": "agent-42", "audience": "svc"});
    let auth = FleetConfig::from_json(&config.to_string())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        auth.verify_token(&elsewhere).await,
        Err(AuthError::InvalidAudience)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn completes_me_accepts_lite_and_agent_tokens_from_the_fleets_env() {
    let lite = harness::start_lite().await;
    let alice = lite_login(&lite, "alice@example.com").await;
    let (agent, agent_pem) = agent_token("agent-7", "usso-lite").await;
    let configs = json!([
        lite_jwt_config(&lite),
        {"key": agent_pem, "issuer": "agent-7", "audience": "usso-lite"},
    ])
    .to_string();
    let complete = start_complete(&[("JWT_CONFIGS", &configs)]);

    let (status, me) = get_me(&complete.base, Some(&alice.access)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user_id"], payload(&alice.access)["sub"]);
    assert_eq!(me["roles"], json!(["editor"]));
    let (status, me) = get_me(&complete.base, Some(&agent)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["scopes"], json!(["read:posts"]));
    assert_eq!(me["tenant"], "t1");

    for (token, code) in [
        (Some(alice.refresh.as_str()), "token_invalid"),
        (Some(&*tamper(&alice.access)), "invalid_signature"),
        (Some(&*tamper(&agent)), "invalid_signature"),
        (None, "token_not_found"),
    ] {
        let (status, body) = get_me(&complete.base, token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some(code)),
            "{body}"
        );
    }
    // The lite server's key can't vouch for the agent's issuer: a lite token
    // re-labelled is not even signed right, and the routing is by `iss`.
    drop(complete);

    // The package's unsafe `?domain=` mode is refused at start-up.
    let mut cmd = complete_command(&[("USSO_BASE_URL", &lite.base)]);
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .expect("complete runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("refused") && text.contains("USSO_ISSUER"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_from_usso_are_accepted_by_the_python_package_with_equal_claims() {
    let issuer = TestIssuer::builder().audience("svc").start().await;
    let config =
        json!({"jwks_url": issuer.jwks_url(), "issuer": issuer.issuer(), "audience": "svc"});
    for alg in [Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256] {
        let builder = issuer
            .token()
            .alg(alg)
            .sub("user:abc123")
            .tenant("org_1")
            .workspace("ws_1")
            .roles(["editor"])
            .scopes(["read:posts", "write:posts"])
            .claim("session_id", "s-1")
            .claim("email", "ann@example.com")
            .claim("custom", json!({"plan": "pro", "seats": 3}));
        let sent = builder.claims();
        let token = builder.mint();
        assert!(issuer.auth().verify_token(&token).await.is_ok());
        let py = harness::tool_async("verify", json!({"jwt_config": config, "token": token})).await;
        let back = py["claims"]
            .as_object()
            .unwrap_or_else(|| panic!("{alg}: {py}"));
        let sent = sent.as_object().unwrap();
        for (name, value) in sent {
            assert_eq!(back.get(name), Some(value), "{alg}: claim {name}: {py}");
        }
        for (name, value) in back {
            assert!(
                sent.contains_key(name),
                "{alg}: the package added {name} = {value}"
            );
        }
    }
    // A static PEM key in the package's config, too.
    let key = issuer.key(Algorithm::EdDSA).unwrap();
    let pem_config =
        json!({"key": key.public_pem().unwrap(), "issuer": issuer.issuer(), "audience": "svc"});
    let token = issuer.token().mint();
    let py = harness::tool_async("verify", json!({"jwt_config": pem_config, "token": token})).await;
    assert_eq!(py["claims"]["sub"], "user:test", "{py}");
    // The package rejects what usso rejects, in the words ErrorFormat::UssoPy uses.
    let auth = issuer.auth();
    for token in [
        issuer.token().expired().mint(),
        issuer.token().not_yet_valid().mint(),
        issuer.token().audience("other").mint(),
        issuer.token().issuer("https://evil.example").mint(),
        issuer.token().token_type("refresh").mint(),
        tamper(&issuer.token().mint()),
        issuer.token().kid("no-such-kid").mint(),
    ] {
        let ours = auth.verify_token(&token).await.unwrap_err();
        let py = harness::tool_async("verify", json!({"jwt_config": config, "token": token})).await;
        assert_eq!(py["status"], 401, "{ours:?}: {py}");
        assert_eq!(py["error_code"], "Unauthorized", "{ours:?}: {py}");
        assert_eq!(
            py["detail"],
            ErrorFormat::python_detail(&ours).as_ref(),
            "{ours:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_jwt_config_makes_complete_accept_what_the_python_service_accepts() {
    let lite = harness::start_lite().await;
    let other = harness::start_lite().await;
    let alice = lite_login(&lite, "alice@example.com").await;
    let mallory = lite_login(&other, "mallory@example.com").await;
    let (agent, _) = agent_token("agent-9", "usso-lite").await;
    // Copied from the Python service's deployment, as is.
    let jwt_config = lite_jwt_config(&lite).to_string();
    let env = [("JWT_CONFIG", jwt_config.as_str())];
    let python = harness::start_service(&env).await;
    let rust = start_complete(&[
        ("JWT_CONFIG", jwt_config.as_str()),
        ("USSO_ERROR_FORMAT", "usso-py"),
    ]);
    let cases: [(&str, Option<String>); 5] = [
        ("lite access token", Some(alice.access.clone())),
        ("tampered", Some(tamper(&alice.access))),
        ("another lite server", Some(mallory.access.clone())),
        ("an agent token (another key)", Some(agent)),
        ("no token", None),
    ];
    let mut accepted = 0;
    for (name, token) in &cases {
        let (py_status, py_body) = get_me(&python.base, token.as_deref()).await;
        let (rs_status, rs_body) = get_me(&rust.base, token.as_deref()).await;
        assert_eq!(
            rs_status,
            py_status,
            "{name}: python {py_body} / complete {rs_body}; {}",
            python.log()
        );
        if py_status == 200 {
            accepted += 1;
            assert_eq!(rs_body["user_id"], py_body["sub"], "{name}");
            assert_eq!(rs_body["roles"], py_body["roles"], "{name}");
            assert_eq!(rs_body["scopes"], py_body["scopes"], "{name}");
        } else {
            // The same error body, field for field.
            assert_eq!(rs_body, py_body, "{name}");
        }
    }
    assert_eq!(accepted, 1, "only the lite server's own access token");

    // A refusal (the lite user is no admin): the package's PermissionDenied,
    // same status, message and code; the detail is each side's own text.
    let (py_status, py_body) = get(&python.base, "/admin/users", Some(&alice.access)).await;
    let (rs_status, rs_body) = get(&rust.base, "/admin/users", Some(&alice.access)).await;
    assert_eq!((rs_status, py_status), (403, 403), "{py_body} / {rs_body}");
    assert_eq!(rs_body["error_code"], "permission_denied");
    assert_eq!(rs_body["error_code"], py_body["error_code"]);
    assert_eq!(rs_body["message"], py_body["message"]);
    assert!(
        rs_body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("admin"))
    );
    assert!(
        py_body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("admin"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn complete_keeps_its_usso_env_contract_and_reads_usso_base_url() {
    // No Python here: usso's own variables, and the fleet's USSO_BASE_URL.
    let issuer = TestIssuer::builder().audience("svc").start().await;
    let jwks = issuer.jwks_url();
    let envs: [Vec<(&str, &str)>; 2] = [
        vec![
            ("USSO_JWKS_URL", &jwks),
            ("USSO_ISSUER", issuer.issuer()),
            ("USSO_AUDIENCE", "svc"),
        ],
        vec![
            ("USSO_BASE_URL", issuer.base_url()),
            ("USSO_ISSUER", issuer.issuer()),
            ("USSO_AUDIENCE", "svc"),
        ],
    ];
    for env in &envs {
        let complete = start_complete(env);
        let token = issuer.token().sub("user:env").mint();
        let (status, me) = get_me(&complete.base, Some(&token)).await;
        assert_eq!(
            (status, &me["user_id"]),
            (200, &json!("user:env")),
            "{env:?}"
        );
        let other_aud = issuer.token().audience("elsewhere").mint();
        let (status, body) = get_me(&complete.base, Some(&other_aud)).await;
        assert_eq!((status, &body["error"]), (401, &json!("invalid_audience")));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn configs_the_package_itself_serialises_are_read_as_is() {
    // `AuthConfig(...).model_dump_json()` spells out every field, defaults
    // included (`"type": "EDDSA"`, `api_key_header`, `static_api_keys: null`).
    let issuer = TestIssuer::builder().audience("svc").start().await;
    let dumped = harness::tool_async(
        "dump",
        json!({"jwks_url": issuer.jwks_url(), "issuer": issuer.issuer(), "audience": ["svc", "x"], "maximum_age": 600}),
    )
    .await;
    let text = dumped["jwt_config"].as_str().unwrap();
    assert!(
        text.contains("\"type\":\"EDDSA\"") && text.contains("api_key_header"),
        "{text}"
    );
    let auth = FleetConfig::from_json(text).unwrap().build().unwrap();
    assert!(auth.verify_token(&issuer.token().mint()).await.is_ok());
    let old = issuer.token().claim("iat", 1).mint();
    assert_eq!(auth.verify_token(&old).await, Err(AuthError::TokenExpired));

    // A static key: the package stores it as its own JWK.
    for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
        let key = issuer.key(alg).unwrap();
        let mut fields =
            json!({"key": key.public_pem().unwrap(), "issuer": issuer.issuer(), "audience": "svc"});
        if alg != Algorithm::EdDSA {
            fields["type"] = json!(alg.as_str());
        }
        let dumped = harness::tool_async("dump", fields).await;
        let text = dumped["jwt_config"].as_str().unwrap();
        let auth = FleetConfig::from_json(text)
            .unwrap_or_else(|e| panic!("{alg}: {e}: {text}"))
            .build()
            .unwrap_or_else(|e| panic!("{alg}: {e}: {text}"));
        let token = issuer.token().alg(alg).mint();
        assert!(auth.verify_token(&token).await.is_ok(), "{alg}: {text}");
    }
}
