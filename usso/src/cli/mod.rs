//! The `usso` command-line tool (feature `cli`): the Python SDK's
//! "Troubleshooting" section as commands.
//!
//! * `usso inspect` decodes a token without verifying it;
//! * `usso verify` runs the full usso verification and names the rule that failed;
//! * `usso jwks` fetches a key set and says which keys usso would use or skip, and why;
//! * `usso dev-issuer` runs the test kit's issuer standalone, with sample tokens;
//! * `usso revoke` revokes a token, a session or a subject on every replica
//!   sharing a Redis server.
//!
//! Everything lives in the library (not the binary) so it can reach usso's
//! own JWK resolution; the binary only calls `main`. Exit codes: 0 success,
//! 1 the check failed, 2 the command could not run as given.

mod args;
mod dev_issuer;
mod inspect;
mod jwks;
mod revoke;
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
    let cli = match args::parse(args)? {
        args::Parsed::Run(cli) => cli,
        args::Parsed::Print(text) => {
            out(&text);
            return Ok(());
        }
    };
    match cli.command {
        args::Command::Inspect(a) => inspect::run(&a),
        args::Command::Verify(a) => verify::run(&a),
        args::Command::Jwks(a) => jwks::run(&a),
        args::Command::DevIssuer(a) => dev_issuer::run(&a),
        args::Command::Revoke(a) => revoke::run(&a),
        args::Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut args::Cli::command(), "usso", &mut script);
            let mut stdout = std::io::stdout().lock();
            // Written as is: a completion script is ours, not a token's.
            let _ = stdout.write_all(&script);
            Ok(())
        }
    }
}

fn report(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {}", terminal_safe(&message));
            ExitCode::from(2)
        }
        Err(Failure::Failed { message, notes }) => {
            let mut text = format!("error: {message}\n");
            for note in notes {
                text.push_str(&format!("  {note}\n"));
            }
            eprint!("{}", terminal_safe(&text));
            ExitCode::from(1)
        }
    }
}

/// Writes to stdout, ignoring a closed pipe (`usso inspect - | head`).
pub(crate) fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(terminal_safe(text).as_bytes());
    let _ = stdout.flush();
}

/// `text` with every control character but the line breaks we wrote
/// escaped. Most of what the CLI prints quotes a token (claims, `kid`s,
/// error details), and a token must not drive the terminal (ESC, BEL) or
/// forge a line (`\r`); a `\n` inside a quoted value is already escaped
/// where it was formatted.
pub(crate) fn terminal_safe(text: &str) -> String {
    text.split('\n')
        .map(|line| crate::untrusted::Untrusted(line).to_string())
        .collect::<Vec<_>>()
        .join("\n")
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
