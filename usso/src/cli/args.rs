//! The command line, as clap sees it, and clap's errors as usso's one-line
//! usage errors. Nothing a user typed is echoed unless it is clearly a word
//! or an option name: a mistyped argument may well be a token.

use std::net::SocketAddr;
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand};

use super::Failure;
use crate::Algorithm;

/// inspect, verify and debug USSO / OIDC access tokens and key sets
#[derive(Debug, Parser)]
#[command(
    name = "usso",
    version,
    after_help = "Give `-` instead of a token to read it from standard input, so it stays out
of your shell history: `pbpaste | usso verify - --jwks-url ...`. A leading
`Bearer ` is ignored. Tokens are never echoed in error messages.

Exit status: 0 success, 1 the check failed (invalid token, unusable JWKS),
2 the command could not run as given (usage error, unreadable file, bad setting)."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Decode a token WITHOUT verifying it: header, claims, times
    #[command(long_about = "Decode a token WITHOUT verifying it.

Prints the header and the claims as JSON, and `iat`, `nbf` and `exp` as UTC
dates with how far they are from now (\"expires in 4m 10s\", \"expired 3h 2m ago\").
Nothing is checked: not the signature, the issuer, the audience or the times.
Use `usso verify` to know whether usso would accept the token.")]
    #[command(
        after_help = "Exit status: 0 decoded, 1 not a decodable JWT, 2 usage error.

Example:
  echo \"$TOKEN\" | usso inspect -"
    )]
    Inspect(Inspect),
    /// Verify a token the way usso does; print its claims or the failed rule
    #[command(long_about = "Verify a token the way usso does.

On success prints the token's claims as JSON on stdout and exits 0. On failure
prints `error: <code>: <detail>` (the code is usso's stable `AuthError::code()`,
e.g. token_expired, invalid_audience, invalid_signature, unknown_key) and a
hint on stderr, and exits 1.

Without --jwks-url and --key-file, USSO_JWKS_URL, USSO_ISSUER and USSO_AUDIENCE
are used (as `JwtConfig::from_env()` reads them).")]
    #[command(
        after_help = "Exit status: 0 valid, 1 invalid token or keys unavailable, 2 usage error or bad setting.

Example:
  echo \"$TOKEN\" | usso verify - --jwks-url https://sso.example.com/.well-known/jwks.json \\
      --issuer https://sso.example.com --audience my-api"
    )]
    Verify(Verify),
    /// Fetch a JWKS and list its keys, and every key usso would skip and why
    #[command(long_about = "Fetch a JWKS and list its keys, as usso would load them.

Fetches the URL once (5 s timeout, 256 KiB max, as usso's key store does) and
lists every key: kid, kty, alg, use, curve or RSA size, and the algorithms it
verifies, or why usso would SKIP it (unsupported curve, `use` not `sig`, RSA
shorter than 2048 bits, symmetric `oct` key, duplicate kid, small-order
Ed25519 point, ...).")]
    #[command(
        after_help = "Exit status: 0 at least one usable key, 1 unreachable or no usable key, 2 usage error."
    )]
    Jwks(Jwks),
    /// Run a local development issuer with sample tokens, until Ctrl-C
    #[command(long_about = "Run a local development issuer, until Ctrl-C.

Starts usso's test issuer (the one behind `usso::testing::TestIssuer`): a real
JWKS endpoint (`/.well-known/jwks.json`, `/.well-known/openid-configuration`)
with fresh EdDSA, RS256 and ES256 keys, and prints its JWKS URL, issuer and
audience, the matching `export USSO_...` lines, and three sample tokens
(admin, editor, viewer). The keys live in memory and die with the process:
for development and demos only.")]
    #[command(after_help = "Exit status: 0 stopped with Ctrl-C, 1 cannot listen, 2 usage error.")]
    DevIssuer(DevIssuer),
    /// Revoke a token, a session or a subject's tokens on every replica (Redis)
    #[command(long_about = "Revoke on every replica that shares this Redis server.

Writes the rule where services built with `Revocations::redis(URL)` read it
(a key with a TTL under the namespace, announced on `<namespace>:events`):
every replica refuses the matching tokens within moments, and a replica that
starts later loads it. Give exactly one of --jti, --session or --subject.

* --jti ID: one token, until --expires (its `exp`), else for --max-lifetime;
* --session ID: every token of a USSO session (logout), until --expires,
  else for --max-lifetime;
* --subject SUB: every token of SUB issued before --before (default: now),
  for --max-lifetime after it (\"log out everywhere\", a disabled account).")]
    #[command(
        after_help = "Exit status: 0 revoked, 1 Redis unreachable, 2 usage error or bad setting.

Example:
  usso revoke --redis redis://127.0.0.1:6379/ --session 5f1c0e2a"
    )]
    Revoke(Revoke),
    /// Print a shell completion script: `usso completions bash > ~/.local/share/bash-completion/completions/usso`
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct Inspect {
    /// The token, or `-` to read it from standard input (recommended: it keeps
    /// the token out of your shell history). A leading `Bearer ` is ignored.
    #[arg(value_name = "TOKEN|-")]
    pub(crate) token: String,
}

#[derive(Debug, Args)]
pub(crate) struct Verify {
    /// The token, or `-` to read it from standard input (recommended: it
    /// keeps the token out of your shell history)
    #[arg(value_name = "TOKEN|-")]
    pub(crate) token: String,
    /// Fetch the verification keys from this JWKS URL (5 s timeout, 256 KiB max)
    #[arg(long, value_name = "URL", conflicts_with = "key_file")]
    pub(crate) jwks_url: Option<String>,
    /// Or verify with one static key: a PEM public key or certificate, a JWK,
    /// a raw Ed25519 key (base64url/base64/hex), or with --alg HS256/384/512 an
    /// HMAC secret (a trailing newline is ignored)
    #[arg(long, value_name = "FILE")]
    pub(crate) key_file: Option<String>,
    /// The static key's algorithm: EdDSA, RS256..512, PS256..512, ES256, ES384,
    /// HS256..512 (default: every algorithm of the key's type)
    #[arg(long, value_name = "ALG", value_parser = algorithm)]
    pub(crate) alg: Option<Algorithm>,
    /// Accept this `iss` (repeatable). Without it `iss` is not checked
    #[arg(long = "issuer", value_name = "ISS")]
    pub(crate) issuers: Vec<String>,
    /// Accept this `aud` (repeatable). Without it `aud` is not checked
    #[arg(long = "audience", value_name = "AUD")]
    pub(crate) audiences: Vec<String>,
    /// Clock-skew tolerance for exp/nbf/iat, in seconds, at most 300
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = leeway)]
    pub(crate) leeway: u64,
}

#[derive(Debug, Args)]
pub(crate) struct Jwks {
    /// The JWKS URL (the help text, with its example, is the `help` below:
    /// rustdoc refuses a bare URL in a doc comment).
    #[arg(help = "The JWKS URL, e.g. https://sso.example.com/.well-known/jwks.json")]
    pub(crate) url: String,
}

#[derive(Debug, Args)]
pub(crate) struct DevIssuer {
    /// Where to listen (default: a free loopback port)
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:0", value_parser = socket_addr)]
    pub(crate) addr: SocketAddr,
    /// The `aud` of the sample tokens
    #[arg(long, value_name = "AUD", default_value = "usso-dev", value_parser = non_empty)]
    pub(crate) audience: String,
    /// Lifetime of the sample tokens: 90s, 15m, 2h, 7d
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = duration)]
    pub(crate) ttl: Duration,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("rule").required(true).args(["jti", "session", "subject"]))]
pub(crate) struct Revoke {
    /// The Redis server the services share: redis://[:PASSWORD@]HOST:PORT/DB
    #[arg(long, value_name = "URL")]
    pub(crate) redis: String,
    /// Revoke one token, by its `jti`
    #[arg(long, value_name = "ID")]
    pub(crate) jti: Option<String>,
    /// Revoke every token of a USSO session (`session_id`)
    #[arg(long, value_name = "ID")]
    pub(crate) session: Option<String>,
    /// Revoke every token of a subject (`sub`) issued before --before
    #[arg(long, value_name = "SUB")]
    pub(crate) subject: Option<String>,
    /// With --jti or --session: when the rule may end, in Unix seconds (the token's `exp`)
    #[arg(long, value_name = "UNIX_SECS", conflicts_with = "subject", value_parser = unix_secs)]
    pub(crate) expires: Option<i64>,
    /// With --subject: tokens issued before this are refused, in Unix seconds (default: now)
    #[arg(long, value_name = "UNIX_SECS", requires = "subject", value_parser = unix_secs)]
    pub(crate) before: Option<i64>,
    /// The longest lifetime of a token the services accept: 90s, 15m, 2h, 7d
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = lifetime)]
    pub(crate) max_lifetime: Duration,
    /// The key namespace the services use
    #[arg(long, value_name = "NAME", default_value = "usso:revocations")]
    pub(crate) namespace: String,
}

// The value parsers' messages never quote the value: it may be a token.

fn unix_secs(text: &str) -> Result<i64, String> {
    match text.parse::<i64>() {
        Ok(secs) if (0..=253_402_300_799).contains(&secs) => Ok(secs),
        _ => Err("`--expires` and `--before` take Unix seconds, e.g. 1767225600".into()),
    }
}

fn lifetime(text: &str) -> Result<Duration, String> {
    parse_duration(text).ok_or_else(|| {
        "`--max-lifetime` must be a duration like 90s, 15m, 2h or 7d (at most 365d)".into()
    })
}

fn algorithm(text: &str) -> Result<Algorithm, String> {
    text.parse().map_err(|_| {
        format!(
            "unknown algorithm `{}` (EdDSA, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, HS256, HS384, HS512)",
            shown(text)
        )
    })
}

fn leeway(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(secs) if secs <= 300 => Ok(secs),
        Ok(_) => Err("`--leeway` is at most 300 seconds".into()),
        Err(_) => Err("`--leeway` must be a whole number of seconds, e.g. 30".into()),
    }
}

fn socket_addr(text: &str) -> Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| "`--addr` must be an IP:PORT, e.g. 127.0.0.1:8000".into())
}

fn non_empty(text: &str) -> Result<String, String> {
    if text.is_empty() {
        Err("`--audience` can't be empty".into())
    } else {
        Ok(text.to_owned())
    }
}

fn duration(text: &str) -> Result<Duration, String> {
    parse_duration(text)
        .ok_or_else(|| "`--ttl` must be a duration like 90s, 15m, 2h or 7d (at most 365d)".into())
}

/// `90`, `90s`, `15m`, `2h`, `7d`; positive and at most a year.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
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

/// `text` if it is safe and useful to echo (a short word or option name),
/// else a placeholder: a mistyped argument may well be a token.
pub(crate) fn shown(text: &str) -> String {
    let plain = !text.is_empty()
        && text.len() <= 40
        && !text.starts_with("eyJ")
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        text.to_owned()
    } else {
        "<not shown>".to_owned()
    }
}

/// What parsing the command line came to.
#[derive(Debug)]
pub(crate) enum Parsed {
    Run(Cli),
    /// `--help`, `help …` or `--version`: print this on stdout, exit 0.
    Print(String),
}

/// Parses the arguments after the program name.
pub(crate) fn parse(args: &[String]) -> Result<Parsed, Failure> {
    let argv = std::iter::once("usso").chain(args.iter().map(String::as_str));
    match Cli::try_parse_from(argv) {
        Ok(cli) => Ok(Parsed::Run(cli)),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            Ok(Parsed::Print(e.render().to_string()))
        }
        Err(e) => Err(Failure::usage(usage_error(&e, args))),
    }
}

/// clap's error as one line that quotes only what is safe to echo.
fn usage_error(e: &clap::Error, args: &[String]) -> String {
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    // The command the error is about: the first argument, if it names one.
    let command = args
        .first()
        .filter(|c| {
            [
                "inspect",
                "verify",
                "jwks",
                "dev-issuer",
                "revoke",
                "completions",
            ]
            .contains(&c.as_str())
        })
        .map(|c| format!("usso {c}"))
        .unwrap_or_else(|| "usso".to_owned());
    let see = format!("see `{command} --help`");
    // An option's name as clap shows it (`--leeway <SECS>`): the name only.
    let option = |text: String| text.split([' ', '=']).next().unwrap_or_default().to_owned();
    match e.kind() {
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "no command given (inspect, verify, jwks, dev-issuer, revoke, completions; see `usso --help`)"
                .to_owned()
        }
        ErrorKind::InvalidSubcommand => format!(
            "no command `{}` (commands: inspect, verify, jwks, dev-issuer, revoke, completions; see `usso --help`)",
            shown(&context(ContextKind::InvalidSubcommand).unwrap_or_default())
        ),
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg).unwrap_or_default();
            if arg.starts_with('-') && arg != "-" {
                format!(
                    "`{command}` has no option `{}` ({see})",
                    shown(&option(arg))
                )
            } else {
                format!(
                    "`{command}` takes fewer arguments (extra ones are not shown: they may be tokens; {see})"
                )
            }
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = context(ContextKind::InvalidArg).unwrap_or_default();
            format!("`{command}` needs {missing} ({see})")
        }
        ErrorKind::ArgumentConflict => {
            let arg = option(context(ContextKind::InvalidArg).unwrap_or_default());
            let other = option(context(ContextKind::PriorArg).unwrap_or_default());
            if other.is_empty() || other == arg {
                format!("`{arg}` can only be given once")
            } else {
                format!("give either `{arg}` or `{other}`, not both")
            }
        }
        ErrorKind::ValueValidation => {
            // Our own parsers' messages: they never quote the value.
            let arg = option(context(ContextKind::InvalidArg).unwrap_or_default());
            match std::error::Error::source(e) {
                Some(reason) => reason.to_string(),
                None => format!("invalid value for `{arg}` ({see})"),
            }
        }
        ErrorKind::InvalidValue => {
            let arg = option(context(ContextKind::InvalidArg).unwrap_or_default());
            if context(ContextKind::InvalidValue).is_some_and(|v| v.is_empty()) {
                format!("`{arg}` needs a value")
            } else {
                format!("invalid value for `{arg}` ({see})")
            }
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("wrong arguments ({see})")
        }
        _ => format!("the arguments could not be read ({see})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        match parse(&args) {
            Err(Failure::Usage(message)) => message,
            other => panic!("{args:?}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn tokens_are_never_echoed() {
        let token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2ln";
        for args in [
            &[token][..],
            &["inspect", token, token],
            &["inspect", "--bogus", token],
            &["verify", token, "--alg", token, "--key-file", "k"],
            &["verify", token, "--leeway", token],
            &[&format!("--{token}")],
        ] {
            let message = usage(args);
            assert!(!message.contains("eyJ"), "{args:?}: {message}");
            assert!(!message.contains('\n'), "{args:?}: {message}");
        }
    }

    #[test]
    fn messages_name_the_problem() {
        assert!(usage(&["frobnicate"]).contains("no command `frobnicate`"));
        assert!(usage(&["verify", "t", "--audiense=x"]).contains("no option `--audiense`"));
        assert!(usage(&["verify", "t", "--leeway", "soon"]).contains("whole number of seconds"));
        assert!(usage(&["verify", "t", "--leeway", "3600"]).contains("at most 300"));
        assert!(usage(&["verify", "t", "--jwks-url", "u", "--key-file", "k"]).contains("not both"));
        assert!(usage(&["dev-issuer", "--ttl", "forever"]).contains("like 90s"));
        assert!(usage(&["inspect"]).contains("needs"));
        assert!(usage(&[]).contains("no command given"));
    }

    #[test]
    fn values_and_repeats() {
        let args: Vec<String> = [
            "verify",
            "-",
            "--jwks-url",
            "http://x",
            "--issuer=a",
            "--issuer",
            "b",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let Ok(Parsed::Run(Cli {
            command: Command::Verify(v),
        })) = parse(&args)
        else {
            panic!("verify parses")
        };
        assert_eq!(
            (v.token.as_str(), v.jwks_url.as_deref()),
            ("-", Some("http://x"))
        );
        assert_eq!(v.issuers, ["a", "b"]);
        assert_eq!(v.leeway, 10);
    }

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

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
