//! `usso dev-issuer`: the test kit's issuer as a standalone development server.

use std::net::SocketAddr;
use std::time::Duration;

use super::args::{self, Opt};
use super::{Failure, Outcome, out, runtime, time};
use crate::testing::TestIssuer;

const HELP: &str = "\
usso dev-issuer: run a local development issuer, until Ctrl-C

Usage: usso dev-issuer [--addr <IP:PORT>] [--audience <AUD>] [--ttl <DURATION>]

Starts usso's test issuer (the one behind `usso::testing::TestIssuer`): a real
JWKS endpoint (`/.well-known/jwks.json`, `/.well-known/openid-configuration`)
with fresh EdDSA, RS256 and ES256 keys, and prints its JWKS URL, issuer and
audience, the matching `export USSO_...` lines, and three sample tokens
(admin, editor, viewer). The keys live in memory and die with the process:
for development and demos only.

Options:
  --addr <IP:PORT>       Where to listen (default 127.0.0.1:0: a free loopback port)
  --audience <AUD>       The `aud` of the sample tokens (default usso-dev)
  --ttl <DURATION>       Lifetime of the sample tokens: 90s, 15m, 2h, 7d (default 24h)
  -h, --help             Print this help

Exit status: 0 stopped with Ctrl-C, 1 cannot listen, 2 usage error.
";

const OPTS: &[Opt] = &[
    Opt::value("--addr"),
    Opt::value("--audience"),
    Opt::value("--ttl"),
];

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

pub(crate) fn run(args: &[String]) -> Outcome {
    let parsed = args::parse("dev-issuer", args, OPTS)?;
    if parsed.help {
        out(HELP);
        return Ok(());
    }
    if !parsed.positionals.is_empty() {
        return Err(Failure::usage(
            "`usso dev-issuer` takes no arguments, only options (see `usso dev-issuer --help`)",
        ));
    }
    let addr: SocketAddr = parsed
        .get("--addr")
        .unwrap_or("127.0.0.1:0")
        .parse()
        .map_err(|_| Failure::usage("`--addr` must be an IP:PORT, e.g. 127.0.0.1:8000"))?;
    let audience = parsed.get("--audience").unwrap_or("usso-dev").to_owned();
    if audience.is_empty() {
        return Err(Failure::usage("`--audience` can't be empty"));
    }
    let ttl = match parsed.get("--ttl") {
        Some(text) => parse_duration(text).ok_or_else(|| {
            Failure::usage("`--ttl` must be a duration like 90s, 15m, 2h or 7d (at most 365d)")
        })?,
        None => Duration::from_secs(24 * 3600),
    };
    runtime()?.block_on(serve(addr, audience, ttl))
}

/// `90`, `90s`, `15m`, `2h`, `7d`; positive and at most a year.
fn parse_duration(text: &str) -> Option<Duration> {
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let secs = n.checked_mul(match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    })?;
    (1..=365 * 86_400)
        .contains(&secs)
        .then(|| Duration::from_secs(secs))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        for bad in ["", "0", "h", "1w", "-5m", "366d", "99999999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
