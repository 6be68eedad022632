//! The `usso` command-line tool: inspect, verify and debug access tokens and
//! key sets. Build it with `cargo install usso --features cli`; run
//! `usso --help` for the commands.

fn main() -> std::process::ExitCode {
    usso::__cli::main()
}
