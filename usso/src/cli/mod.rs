//! The `usso` command-line tool (feature `cli`): the Python SDK's
//! "Troubleshooting" section as commands.
//!
//! * `usso inspect` decodes a token without verifying it;
//! * `usso verify` runs the full usso verification and names the rule that failed;
//! * `usso jwks` fetches a key set and says which keys usso would use or skip, and why;
//! * `usso dev-issuer` runs the test kit's issuer standalone, with sample tokens.
//!
//! Everything lives in the library (not the binary) so it can reach usso's
//! own JWK resolution; the binary only calls `main`. Exit codes: 0 success,
//! 1 the check failed, 2 the command could not run as given.

mod args;
mod dev_issuer;
mod inspect;
mod jwks;
mod time;
mod token;
mod verify;

use std::io::Write as _;
use std::process::ExitCode;

/// Why a command did not succeed, and so its exit code.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The command could not run as given (bad arguments, an unreadable
    /// file, a setting usso refuses). Exit 2.
    Usage(String),
    /// The command ran and the check failed (invalid token, unreachable or
    /// unusable JWKS). Exit 1. Printed as `error: <message>`, followed by
    /// the `notes` lines.
    Failed { message: String, notes: Vec<String> },
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self::Failed {
            message: message.into(),
            notes: Vec::new(),
        }
    }
}

pub(crate) type Outcome = Result<(), Failure>;

const HELP: &str = "\
usso: inspect, verify and debug USSO / OIDC access tokens and key sets

Usage: usso <COMMAND> [ARGS]

Commands:
  inspect <TOKEN|->        Decode a token WITHOUT verifying it: header, claims, times
  verify <TOKEN|-> ...     Verify a token the way usso does; print its claims or the failed rule
  jwks <URL>               Fetch a JWKS and list its keys, and every key usso would skip and why
  dev-issuer [--addr ..]   Run a local development issuer with sample tokens, until Ctrl-C
  help [COMMAND]           Print this help, or a command's

Give `-` instead of a token to read it from standard input, so it stays out
of your shell history: `pbpaste | usso verify - --jwks-url ...`. A leading
`Bearer ` is ignored. Tokens are never echoed in error messages.

Exit status: 0 success, 1 the check failed (invalid token, unusable JWKS),
2 the command could not run as given (usage error, unreadable file, bad setting).

Run `usso <COMMAND> --help` for a command's options.
";

/// Runs the tool with the process arguments and returns its exit status.
#[doc(hidden)]
pub fn main() -> ExitCode {
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(_) => {
                return report(Err(Failure::usage(
                    "arguments must be valid UTF-8 (see `usso --help`)",
                )));
            }
        }
    }
    report(run(&args))
}

fn run(args: &[String]) -> Outcome {
    let Some((command, rest)) = args.split_first() else {
        return Err(Failure::usage(
            "no command given (inspect, verify, jwks, dev-issuer; see `usso --help`)",
        ));
    };
    match command.as_str() {
        "inspect" => inspect::run(rest),
        "verify" => verify::run(rest),
        "jwks" => jwks::run(rest),
        "dev-issuer" => dev_issuer::run(rest),
        "-h" | "--help" => {
            out(HELP);
            Ok(())
        }
        "help" => match rest.first().map(String::as_str) {
            None => {
                out(HELP);
                Ok(())
            }
            Some("inspect") => inspect::run(&["--help".to_owned()]),
            Some("verify") => verify::run(&["--help".to_owned()]),
            Some("jwks") => jwks::run(&["--help".to_owned()]),
            Some("dev-issuer") => dev_issuer::run(&["--help".to_owned()]),
            Some(other) => Err(Failure::usage(format!(
                "no command `{}` (see `usso --help`)",
                args::shown(other)
            ))),
        },
        "-V" | "--version" => {
            out(&format!("usso {}\n", env!("CARGO_PKG_VERSION")));
            Ok(())
        }
        other => Err(Failure::usage(format!(
            "no command `{}` (commands: inspect, verify, jwks, dev-issuer; see `usso --help`)",
            args::shown(other)
        ))),
    }
}

fn report(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Failed { message, notes }) => {
            let mut text = format!("error: {message}\n");
            for note in notes {
                text.push_str(&format!("  {note}\n"));
            }
            eprint!("{text}");
            ExitCode::from(1)
        }
    }
}

/// Writes to stdout, ignoring a closed pipe (`usso inspect - | head`).
pub(crate) fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// A runtime for the commands that talk to the network.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the async runtime: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn unknown_commands_are_usage_errors() {
        assert!(matches!(
            run(&strings(&["frobnicate"])),
            Err(Failure::Usage(_))
        ));
        assert!(matches!(run(&strings(&[])), Err(Failure::Usage(_))));
        assert!(matches!(
            run(&strings(&["help", "nope"])),
            Err(Failure::Usage(_))
        ));
    }

    #[test]
    fn a_token_given_as_a_command_is_not_echoed() {
        let token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2ln";
        let Err(Failure::Usage(message)) = run(&strings(&[token])) else {
            panic!("expected a usage error");
        };
        assert!(!message.contains("eyJ"), "{message}");
    }
}
