//! Compile-time behaviour of the usso macros: expansions that must compile,
//! and mistakes that must fail with a message on the user's own tokens.
//!
//! Layout: `tests/ui/<macro>/{pass,fail}/<case>.rs`, with the expected
//! compiler output next to each fail case in `<case>.stderr`. The `.stderr`
//! files are written by rustc 1.95; regenerate them with
//! `TRYBUILD=overwrite cargo test --test ui` and review every diff.
//! Run one case with `cargo test --test ui -- require_scope trybuild=not_async.rs`.

/// Runs `tests/ui/<dir>/pass/*.rs` (must compile) and `tests/ui/<dir>/fail/*.rs`
/// (must fail with the stored `.stderr`).
fn run(dir: &str) {
    let t = trybuild::TestCases::new();
    t.pass(format!("tests/ui/{dir}/pass/*.rs"));
    t.compile_fail(format!("tests/ui/{dir}/fail/*.rs"));
}

#[test]
fn require_auth() {
    run("require_auth");
}

#[test]
fn require_scope() {
    run("require_scope");
}

#[test]
fn require_any_scope() {
    run("require_any_scope");
}

#[test]
fn require_role() {
    run("require_role");
}

#[test]
fn require_any_role() {
    run("require_any_role");
}

#[test]
fn require() {
    run("require");
}

#[test]
fn workspace_scoped() {
    run("workspace_scoped");
}

#[test]
fn scopes() {
    run("scopes");
}
