//! Writes the seed corpus `fuzz/seeds/<target>/`: real tokens minted with
//! the fixed fuzz keys (valid for ten years), real headers, the scope
//! vectors of the Python SDK's tests, real JWKS/JWK/PEM keys and real
//! claims. Run from `fuzz/`: `cargo run --example make_seeds`.
//! Re-running rewrites the generated files (tokens get fresh times).

use std::fs;
use std::path::Path;

use serde_json::{Value, json};
use usso::Algorithm;
use usso::testing::SigningKey;
use usso_fuzz::{AUDIENCE, HMAC_SECRET, b64, claims, jwks_document, keys, now};

const TEN_YEARS: i64 = 10 * 365 * 86_400;

fn write(target: &str, name: &str, bytes: impl AsRef<[u8]>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    fs::create_dir_all(&dir).expect("create the seed directory");
    fs::write(dir.join(name), bytes).expect("write a seed");
}

fn sign(key: &SigningKey, claims: &Value, header: Option<Value>) -> String {
    key.sign_json(claims, header.as_ref().and_then(Value::as_object))
        .expect("sign a seed token")
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().expect("object").remove(name);
    } else {
        claims[name] = value;
    }
    claims
}

fn tokens() -> Vec<(&'static str, String)> {
    let k = keys();
    let good = claims(TEN_YEARS);
    vec![
        ("ed25519", sign(&k.ed, &good, None)),
        (
            "ed25519-no-kid",
            sign(&k.ed, &good, Some(json!({ "kid": null }))),
        ),
        ("p256", sign(&k.es, &good, None)),
        ("rsa", sign(&k.rs, &good, None)),
        ("hmac", sign(&k.hs, &good, None)),
        (
            "expired",
            sign(&k.ed, &with(good.clone(), "exp", json!(now() - 3600)), None),
        ),
        (
            "wrong-aud",
            sign(&k.ed, &with(good.clone(), "aud", json!("other-api")), None),
        ),
        (
            "aud-list",
            sign(
                &k.hs,
                &with(good.clone(), "aud", json!(["x", AUDIENCE])),
                None,
            ),
        ),
        (
            "no-iss",
            sign(&k.hs, &with(good.clone(), "iss", Value::Null), None),
        ),
        (
            "refresh-type",
            sign(
                &k.hs,
                &with(good.clone(), "token_type", json!("refresh")),
                None,
            ),
        ),
        (
            "unknown-kid",
            sign(&k.ed, &good, Some(json!({ "kid": "rotated-away" }))),
        ),
        ("crit", sign(&k.ed, &good, Some(json!({ "crit": ["exp"] })))),
        (
            "typ-at-jwt",
            sign(&k.ed, &good, Some(json!({ "typ": "at+jwt" }))),
        ),
        (
            "hmac-confusion",
            sign(
                &SigningKey::hmac(Algorithm::HS256, k.ed.public_pem().expect("pem").as_bytes())
                    .with_kid(usso_fuzz::KID_ED),
                &good,
                None,
            ),
        ),
        (
            "alg-none",
            format!(
                "{}.{}.",
                b64(br#"{"alg":"none","typ":"JWT"}"#),
                b64(good.to_string().as_bytes())
            ),
        ),
        ("jwe-shape", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d".to_owned()),
    ]
}

fn token_verify() {
    for (name, token) in tokens() {
        // The good tokens must verify, or the seeds would not reach the
        // claim checks.
        let auths: &[&usso::UssoAuth] = match name {
            "ed25519" => &[usso_fuzz::static_ed_auth(), usso_fuzz::jwks_auth()],
            "ed25519-no-kid" | "p256" | "rsa" => &[usso_fuzz::jwks_auth()],
            "hmac" | "aud-list" => &[usso_fuzz::static_hs_auth()],
            _ => &[],
        };
        for auth in auths {
            if let Err(e) = auth.verify_token_sync::<usso::UserData>(&token) {
                panic!("seed token {name} does not verify: {e}");
            }
        }
        write("token_verify", name, token);
    }
}

fn header_extraction() {
    let token = sign(&keys().hs, &claims(TEN_YEARS), None);
    let seeds = [
        ("bearer", format!("authorization: Bearer {token}\n")),
        (
            "bearer-lowercase",
            format!("authorization: bearer   {token}\n"),
        ),
        (
            "cookie",
            format!("cookie: theme=dark; usso-access-token={token}; lang=en\n"),
        ),
        (
            "cookie-quoted",
            format!("cookie: usso-access-token=\"{token}\"\n"),
        ),
        ("basic", "authorization: Basic dXNlcjpwYXNz\n".to_owned()),
        (
            "two-authorization",
            format!("authorization: Bearer {token}\nauthorization: Bearer x\n"),
        ),
        (
            "custom",
            format!(
                "x-access-token: {token}\nx-token: Token {token}\ncookie: access_token={token}\n"
            ),
        ),
        (
            "empty-cookie",
            "cookie: a=b\ncookie: usso-access-token=\n".to_owned(),
        ),
        (
            "bearer-two-values",
            "authorization: Bearer a b\n".to_owned(),
        ),
        (
            "crlf",
            format!("Authorization: Bearer {token}\r\nCookie: x=1\r\n"),
        ),
    ];
    for (name, text) in seeds {
        write("header_extraction", name, text);
    }
}

fn scope_parse() {
    // resource, action, filters (`|` = alternatives), then user scopes;
    // the vectors of ussoio/usso-python tests/test_authorization.py.
    let seeds: &[(&str, &[&str])] = &[
        (
            "access-1",
            &[
                "files",
                "read",
                "namespace=media|service=file-manager|uid=file123",
                "read:media/file-manager/files?uid=file123",
            ],
        ),
        (
            "access-2",
            &[
                "media/files/transactions",
                "read",
                "user_id=abc",
                "update:media/files/transactions?user_id=abc",
                "read:media/files/*",
            ],
        ),
        (
            "access-3",
            &[
                "transactions",
                "update",
                "uid=def",
                "update:media/files/transactions?user_id=abc",
                "read:media/files/*",
            ],
        ),
        (
            "access-4",
            &[
                "media/files/transactions",
                "delete",
                "user_id=abc",
                "update:media/files/transactions?user_id=abc",
                "read:media/files/*",
            ],
        ),
        (
            "access-5",
            &[
                "file",
                "update",
                "namespace=finance|service=wallet|workspace_id=ws_7",
                "read:media/files/file:uid:file123",
            ],
        ),
        (
            "access-6",
            &[
                "file",
                "update",
                "namespace=finance&service=wallet&workspace_id=ws_7",
                "manage:media/files/file?*",
            ],
        ),
        (
            "access-7",
            &[
                "transaction",
                "update",
                "namespace=finance&user=user_1",
                "manage:finance/wallet/transaction?user=user_1",
            ],
        ),
        (
            "access-8",
            &[
                "transaction",
                "delete",
                "namespace=finance|service=wallet|workspace_id=ws_7",
                "delete:finance/wallet/transaction?workspace_id=ws_7",
            ],
        ),
        (
            "access-9",
            &["file", "create", "", "create:file?*", "read:file?*", "file"],
        ),
        (
            "paths",
            &[
                "media/file-manager/files",
                "read",
                "",
                "read:media//files",
                "read:*//files",
                "read://files",
                "read:*/*/transactions",
                "read:media/**",
                "read:files",
            ],
        ),
        (
            "subsets",
            &[
                "media/files",
                "read",
                "",
                "read:media/files?user_id=123",
                "read:media/*",
                "create:files",
                "*:*",
                "*://files",
                "read:[a-z]*/f?les",
            ],
        ),
        (
            "odd",
            &[
                "a//b",
                "superadmin",
                "k=v&k=w",
                "owner:a/[!x]/b?k=v&z=1",
                "*:a",
                ":a",
                "a:",
                "read:a?",
                "read:a?=1",
                "read:é/ü",
            ],
        ),
    ];
    for (name, lines) in seeds {
        write("scope_parse", name, lines.join("\n"));
    }
}

fn jwks_parse() {
    let k = keys();
    let mut rsa_no_alg = k.rs.jwk();
    rsa_no_alg.as_object_mut().expect("object").remove("alg");
    let seeds = [
        ("jwks", jwks_document()),
        ("jwk-ed25519", k.ed.jwk().to_string()),
        ("jwk-p256", k.es.jwk().to_string()),
        ("jwk-rsa-no-alg", rsa_no_alg.to_string()),
        ("jwk-oct", k.hs.jwk().to_string()),
        ("jwks-oct", json!({ "keys": [k.hs.jwk()] }).to_string()),
        (
            "jwks-mixed",
            json!({ "keys": [
                k.ed.jwk(),
                k.ed.jwk(),
                { "kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA", "kid": "k1" },
                { "kty": "RSA", "n": "AQAB", "e": "AQAB", "use": "enc" },
                "not a key",
                rsa_no_alg,
            ] })
            .to_string(),
        ),
        ("pem-ed25519", k.ed.public_pem().expect("pem")),
        ("pem-p256", k.es.public_pem().expect("pem")),
        ("pem-rsa", k.rs.public_pem().expect("pem")),
        (
            "raw-ed25519",
            k.ed.jwk()["x"].as_str().expect("x").to_owned(),
        ),
        (
            "hmac-secret",
            String::from_utf8(HMAC_SECRET.to_vec()).expect("ascii"),
        ),
    ];
    for (name, text) in seeds {
        write("jwks_parse", name, text);
    }
}

fn policy_check() {
    let good = claims(TEN_YEARS);
    let seeds = [
        ("user", good.clone()),
        (
            "oauth-scope",
            with(
                with(good.clone(), "scopes", Value::Null),
                "scope",
                json!("read:posts admin:posts"),
            ),
        ),
        (
            "agent",
            json!({ "iss": "agent-issuer", "aud": [AUDIENCE, "other"], "exp": 4_102_444_800i64,
                    "scopes": ["read:media/files", "update:media/files?user_id=abc"] }),
        ),
        (
            "admin-no-workspace",
            with(
                with(good.clone(), "roles", json!(["admin", "banned"])),
                "workspace_id",
                json!(""),
            ),
        ),
        (
            "extra",
            with(
                with(good.clone(), "claims", json!({ "nested": [1, 2.5, null] })),
                "plan",
                json!("pro"),
            ),
        ),
        ("empty", json!({})),
    ];
    let selectors: [&[u8; 8]; 6] = [
        b"\x00\x00\x05\x07\x0a\x03\x41\x10",
        b"\x01\x02\x06\x09\x45\x33\x82\x21",
        b"\x04\x08\x0c\x0f\x50\x60\x70\x80",
        b"\x09\x01\xc5\x02\x0e\x0c\x16\x17",
        b"\x02\x0b\x41\x2c\x8d\x3e\xff\x07",
        b"\x05\x05\x05\x05\x05\x05\x05\x05",
    ];
    for ((name, claims), selector) in seeds.into_iter().zip(selectors) {
        let mut bytes = selector.to_vec();
        bytes.extend_from_slice(
            serde_json::to_string_pretty(&claims)
                .expect("json")
                .as_bytes(),
        );
        write("policy_check", name, bytes);
    }
}

fn main() {
    token_verify();
    header_extraction();
    scope_parse();
    jwks_parse();
    policy_check();
    println!("seeds written to {}/seeds", env!("CARGO_MANIFEST_DIR"));
}
