//! `usso dev-issuer`: the test kit's issuer as a standalone development server.

use std::net::SocketAddr;
use std::time::Duration;

use super::args;
use super::{Failure, Outcome, out, runtime, time};
use crate::testing::TestIssuer;

/// `(name, roles, scopes)` of the sample tokens.
const PERSONAS: [(&str, &[&str], &[&str]); 3] = [
    (
        "admin",
        &["admin"],
        &["read:posts", "write:posts", "delete:posts"],
    ),
    ("editor", &["editor"], &["read:posts", "write:posts"]),
    ("viewer", &["viewer"], &["read:posts"]),
];

pub(crate) fn run(args: &args::DevIssuer) -> Outcome {
    runtime()?.block_on(serve(args.addr, args.audience.clone(), args.ttl))
}

async fn serve(addr: SocketAddr, audience: String, ttl: Duration) -> Outcome {
    // The issuer listens on the address asked for itself, so that its own
    // discovery document names it.
    let issuer = TestIssuer::builder()
        .bind(addr)
        .audience(&audience)
        .try_start()
        .await
        .map_err(|e| Failure::failed(format!("cannot listen on {addr}: {e}")))?;
    let base = issuer.base_url().to_owned();
    let jwks_url = issuer.jwks_url();
    let mut text = format!(
        "usso dev-issuer: a local issuer for development (in-memory keys; never use in production)\n\n\
         \x20 JWKS URL: {jwks_url}\n\
         \x20 issuer:   {base}\n\
         \x20 audience: {audience}\n\n\
         Point a service at it:\n\
         \x20 export USSO_JWKS_URL={jwks_url}\n\
         \x20 export USSO_ISSUER={base}\n\
         \x20 export USSO_AUDIENCE={audience}\n\n\
         Sample tokens (valid {}, tenant org_dev, workspace ws_dev):\n",
        time::span(ttl.as_secs())
    );
    for (name, roles, scopes) in PERSONAS {
        let token = issuer
            .token()
            .sub(format!("user:{name}"))
            .tenant("org_dev")
            .workspace("ws_dev")
            .roles(roles.iter().copied())
            .scopes(scopes.iter().copied())
            .expires_in(ttl)
            .mint();
        text.push_str(&format!(
            "  # {name}: roles {}; scopes {}\n  export {}_TOKEN={token}\n",
            roles.join(" "),
            scopes.join(" "),
            name.to_uppercase()
        ));
    }
    text.push_str(&format!(
        "\nCheck one:\n  echo \"$ADMIN_TOKEN\" | usso verify - --jwks-url {jwks_url} --issuer {base} --audience {audience}\n\n\
         Ctrl-C to stop.\n"
    ));
    out(&text);
    let stopped = tokio::signal::ctrl_c().await;
    drop(issuer);
    stopped.map_err(|e| Failure::failed(format!("cannot wait for Ctrl-C: {e}")))
}
