//! Compile-time behaviour of the usso macros: expansions that must compile,
//! and mistakes that must fail with a message on the user's own tokens.
//!
//! Layout: `tests/ui/<macro>/{pass,fail}/<case>.rs`, with the expected
//! compiler output next to each fail case in `<case>.stderr`. The `.stderr`
//! files are written by rustc 1.95; regenerate them with
//! `TRYBUILD=overwrite cargo test --test ui` and review every diff.
//! Run one case with `cargo test --test ui -- require_scope trybuild=not_async.rs`.
//!
//! Compiler messages change between releases, so the cases run only on the
//! toolchain that wrote the `.stderr` files (rustc 1.95, stable) and show as
//! ignored elsewhere, as thiserror does: a compiler upgrade can't silently
//! break CI, and upgrading means regenerating and reviewing them.

/// Runs `tests/ui/<dir>/pass/*.rs` (must compile) and `tests/ui/<dir>/fail/*.rs`
/// (must fail with the stored `.stderr`).
fn run(dir: &str) {
    let t = trybuild::TestCases::new();
    t.pass(format!("tests/ui/{dir}/pass/*.rs"));
    t.compile_fail(format!("tests/ui/{dir}/fail/*.rs"));
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn require_auth() {
    run("require_auth");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn require_scope() {
    run("require_scope");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn require_any_scope() {
    run("require_any_scope");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn require_role() {
    run("require_role");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn require_any_role() {
    run("require_any_role");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn require() {
    run("require");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn workspace_scoped() {
    run("workspace_scoped");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were written by rustc 1.95 (stable)"
)]
fn scopes() {
    run("scopes");
}
