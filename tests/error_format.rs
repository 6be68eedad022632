//! `ErrorFormat::Usso` (default) and `ErrorFormat::UssoPy` (the Python
//! package's body), case by case through real routers with real tokens:
//! same status, same `WWW-Authenticate`, the body in each format. The
//! Python texts are those of usso 0.33.5 / usso-jwt 0.2.19
//! (`usso_jwt.exceptions`, `usso.exceptions.PermissionDenied`).

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse as _;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use usso::testing::TestIssuer;
use usso::{AuthError, ErrorFormat, UserData, UssoAuth, UssoLayer, require_scope};

async fn me(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

#[require_scope("write:posts")]
async fn write() -> &'static str {
    "written"
}

fn app(auth: &UssoAuth) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/write", get(write))
        .with_state(auth.clone())
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    challenge: Option<String>,
    retry_after: Option<String>,
    body: Value,
}

async fn call(app: Router, path: &str, token: Option<&str>) -> Reply {
    let mut req = Request::get(path);
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let res = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (status, challenge, retry_after) = (
        res.status(),
        header("www-authenticate"),
        header("retry-after"),
    );
    let json = header("content-type").as_deref() == Some("application/json");
    assert!(
        json || status.is_success(),
        "{status}: an error body is JSON"
    );
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = match json {
        true => serde_json::from_slice(&bytes).unwrap(),
        false => Value::String(String::from_utf8_lossy(&bytes).into_owned()),
    };
    Reply {
        status,
        challenge,
        retry_after,
        body,
    }
}

/// One case: the request, then what each format must answer.
struct Case {
    name: &'static str,
    path: &'static str,
    token: Option<String>,
    status: u16,
    usso_code: &'static str,
    py_code: &'static str,
    py_detail: &'static str,
}

/// Sends the case to both routers and compares.
async fn check(case: &Case, usso: &UssoAuth, py: &UssoAuth) {
    let a = call(app(usso), case.path, case.token.as_deref()).await;
    let b = call(app(py), case.path, case.token.as_deref()).await;
    let name = case.name;
    assert_eq!(a.status.as_u16(), case.status, "{name}: {a:?}");
    assert_eq!(
        b.status, a.status,
        "{name}: the status is the same in both formats"
    );
    assert_eq!(
        b.challenge, a.challenge,
        "{name}: WWW-Authenticate is the same"
    );
    // Its value follows each key store's own back-off, so only its presence
    // is compared.
    assert_eq!(
        b.retry_after.is_some(),
        a.retry_after.is_some(),
        "{name}: Retry-After is sent alike"
    );
    // usso's body: its code and its own text.
    assert_eq!(a.body["error"], case.usso_code, "{name}: {}", a.body);
    assert!(a.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(a.body.as_object().unwrap().len(), 2, "{name}: {}", a.body);
    // The Python package's body, exactly.
    let message = if case.py_code == "permission_denied" {
        json!({"en": "Permission denied", "fa": "مجوز دسترسی ندارید"})
    } else {
        json!({"en": case.py_detail})
    };
    let detail = if case.py_code == "permission_denied" {
        a.body["detail"].clone()
    } else {
        json!(case.py_detail)
    };
    assert_eq!(
        b.body,
        json!({"message": message, "error_code": case.py_code, "detail": detail}),
        "{name}"
    );
}

fn tamper(token: &str) -> String {
    let (rest, sig) = token.rsplit_once('.').unwrap();
    let mut sig = sig.as_bytes().to_vec();
    sig[5] = if sig[5] == b'A' { b'B' } else { b'A' };
    format!("{rest}.{}", String::from_utf8(sig).unwrap())
}

/// An unsigned token (`alg: none`, empty signature) with these claims.
fn alg_none(claims: &Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", part(&json!({"alg": "none"})), part(claims))
}

#[tokio::test]
async fn every_token_failure_in_both_formats() {
    let issuer = TestIssuer::start().await;
    let config = || {
        issuer
            .config_builder()
            .require_claims(["sub"])
            .build()
            .unwrap()
    };
    let usso = UssoAuth::new(config()).unwrap();
    let py = UssoAuth::new(config())
        .unwrap()
        .with_error_format(ErrorFormat::UssoPy);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let case = |name, token: Option<String>, usso_code, py_detail| Case {
        name,
        path: "/me",
        token,
        status: 401,
        usso_code,
        py_code: "Unauthorized",
        py_detail,
    };
    let t = || issuer.token();
    let cases = [
        case("no token", None, "token_not_found", "No token provided"),
        case(
            "expired",
            Some(t().expired().mint()),
            "token_expired",
            "JWT has expired",
        ),
        case(
            "not yet valid",
            Some(t().not_yet_valid().mint()),
            "token_not_yet_valid",
            "JWT is not valid yet",
        ),
        case(
            "tampered signature",
            Some(tamper(&t().mint())),
            "invalid_signature",
            "JWT signature is invalid",
        ),
        case(
            "other audience",
            Some(t().audience("another-app").mint()),
            "invalid_audience",
            "JWT audience claim is invalid",
        ),
        case(
            "other issuer",
            Some(t().issuer("https://evil.example").mint()),
            "invalid_issuer",
            "JWT issuer claim is invalid",
        ),
        case(
            "unknown kid",
            Some(t().kid("no-such-key").mint()),
            "unknown_key",
            "JWK with the specified kid is not found",
        ),
        case(
            "not a JWT",
            Some("not-a-jwt".into()),
            "token_invalid",
            "JWT has an invalid format",
        ),
        case(
            "alg none",
            Some(alg_none(&t().claims())),
            "token_invalid",
            "JWT has an invalid format",
        ),
        case(
            "issued in the future",
            Some(t().claim("iat", now + 3600).mint()),
            "token_invalid",
            "JWT is issued in the future",
        ),
        case(
            "refresh token",
            Some(t().token_type("refresh").mint()),
            "invalid_token_type",
            "JWT token type claim is invalid (expected: access, provided: refresh)",
        ),
        case(
            "missing required claim",
            Some(t().without("sub").mint()),
            "missing_claim",
            "JWT sub claim is required but missing",
        ),
    ];
    for case in &cases {
        check(case, &usso, &py).await;
    }
    // The bare challenge for a missing token, `invalid_token` for the rest.
    let bare = call(app(&py), "/me", None).await;
    assert_eq!(bare.challenge.as_deref(), Some("Bearer realm=\"usso\""));
    let bad = call(app(&py), "/me", Some("not-a-jwt")).await;
    assert!(bad.challenge.unwrap().contains("error=\"invalid_token\""));

    // 403: the Python package's PermissionDenied.
    let forbidden = Case {
        name: "missing scope",
        path: "/write",
        token: Some(t().scopes(["read:posts"]).mint()),
        status: 403,
        usso_code: "insufficient_scope",
        py_code: "permission_denied",
        py_detail: "",
    };
    check(&forbidden, &usso, &py).await;
    let allowed = call(
        app(&py),
        "/write",
        Some(&t().scopes(["write:posts"]).mint()),
    )
    .await;
    assert_eq!(allowed.status, StatusCode::OK);
}

#[tokio::test]
async fn keys_unavailable_keeps_its_code_and_retry_after() {
    let issuer = TestIssuer::start().await;
    issuer.fail_with(500);
    let usso = issuer.auth();
    let py = issuer.auth().with_error_format(ErrorFormat::UssoPy);
    let case = Case {
        name: "JWKS down",
        path: "/me",
        token: Some(issuer.token().mint()),
        status: 503,
        usso_code: "keys_unavailable",
        py_code: "keys_unavailable",
        py_detail: "the signing keys are temporarily unavailable",
    };
    check(&case, &usso, &py).await;
    let r = call(app(&py), "/me", case.token.as_deref()).await;
    assert!(r.retry_after.is_some());
}

#[tokio::test]
async fn the_layer_uses_the_format_and_on_error_still_wins() {
    let issuer = TestIssuer::start().await;
    let py = issuer.auth().with_error_format(ErrorFormat::UssoPy);
    let layered = Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(UssoLayer::required(py.clone()));
    let r = call(layered, "/", Some(&issuer.token().expired().mint())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error_code"], "Unauthorized");
    assert_eq!(r.body["detail"], "JWT has expired");

    let custom = py.on_error(|e: &AuthError| {
        (e.status(), axum::Json(json!({"mine": e.code()}))).into_response()
    });
    let r = call(app(&custom), "/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, json!({"mine": "token_not_found"}));
    // The default is usso's own body.
    assert_eq!(issuer.auth().error_format(), ErrorFormat::Usso);
}
