//! Attribute macros that put an authorization policy on an axum handler; use them through the `usso` crate.
//!
//! ```ignore
//! use axum::{Json, Router, routing::post};
//! use usso::{UserData, require, require_scope, workspace_scoped};
//!
//! usso::scopes! {
//!     pub WRITE_POSTS = "write:posts";
//! }
//!
//! #[require_scope(WRITE_POSTS)]
//! async fn create_post(user: UserData, Json(body): Json<String>) -> String {
//!     format!("{} wrote {body}", user.sub.unwrap_or_default())
//! }
//!
//! #[require(all(scope("read:posts"), any(role("editor"), role("admin")), not(role("banned"))))]
//! #[workspace_scoped]
//! async fn review_posts() -> &'static str {
//!     "ok"
//! }
//!
//! let app: Router = Router::new()
//!     .route("/posts", post(create_post))
//!     .route("/review", post(review_posts));
//! ```
//!
//! The examples in this crate are not compiled here (`usso-macros` can't depend
//! on `usso`); the same examples are doctests on the `usso` re-exports.
//!
//! # How it works
//!
//! Each macro *injects* an extractor into the handler instead of wrapping it.
//! The return type, the body, generics, the `where` clause, attributes, doc
//! comments and visibility stay as they are:
//!
//! ```ignore
//! #[require_scope("write:posts")]
//! pub async fn create_post(State(db): State<Db>, user: UserData, Json(p): Json<Post>) -> impl IntoResponse { .. }
//! ```
//!
//! becomes
//!
//! ```ignore
//! #[doc(hidden)]
//! pub struct __usso_policy_create_post;
//! impl ::usso::__private::Policy for __usso_policy_create_post {
//!     const REQUIREMENT: ::usso::__private::Requirement =
//!         ::usso::__private::Requirement::All(&[::usso::__private::Requirement::Scope("write:posts")]);
//! }
//! pub async fn create_post(
//!     _: ::usso::__private::Guard<UserData, __usso_policy_create_post>,
//!     State(db): State<Db>,
//!     ::usso::__private::Authorized(user, _): ::usso::__private::Authorized<UserData, __usso_policy_create_post>,
//!     Json(p): Json<Post>,
//! ) -> impl IntoResponse { { .. } }
//! ```
//!
//! - The **claims parameter** is the parameter whose type is `UserData` (any
//!   path ending in `UserData`), or the one marked `#[claims]` for your own
//!   claims type (`#[claims] user: MyClaims`). Its pattern is kept
//!   (`mut user`, `UserData { sub, .. }`). Either way the handler gets a
//!   first parameter `_: Guard<C, _>`, so the policy is decided before
//!   every other extractor runs (and before any body is read), in axum and
//!   in actix-web alike; the claims parameter then reuses that verification. A `#[cfg]` on the claims
//!   parameter is refused.
//! - **Several usso attributes on one function combine** into one policy,
//!   `All(&[..])`, checked once per request:
//!   `#[require_scope("read:posts")] #[require_role("editor")]` needs both.
//!   Other attributes (`#[tracing::instrument]`, `#[axum::debug_handler]`,
//!   docs, `cfg`) are kept, in order.
//! - The policy type has the handler's visibility and is emitted next to it,
//!   so handlers must be free functions (not methods in an `impl` block).
//!
//! # Arguments: literals or constants
//!
//! Scopes and roles are string literals, checked at compile time, or paths to
//! constants declared with [`scopes!`] and [`roles!`] (which check their
//! literals). A misspelled constant is a compile error:
//!
//! ```ignore
//! usso::scopes! { pub READ_POSTS = "read:posts"; }
//! usso::roles! { pub ADMIN = "admin"; }
//!
//! #[require_scope(READ_POSTS)]
//! #[require_role(ADMIN)]
//! async fn list_posts() {}
//! ```
//!
//! # Scope syntax
//!
//! A USSO scope is `[action:]resource[/path...][?key=value[&key=value...]]`,
//! checked by the very parser the runtime uses (`usso::scope::Scope::parse`; one
//! source file compiled into both crates), so a literal compiles exactly when it
//! parses at run time:
//!
//! | part      | rule                                                                  | examples |
//! |-----------|-----------------------------------------------------------------------|----------|
//! | action    | optional; the text before the first `:` (when it comes before any `?`), not empty | `read`, `admin`, `write`, `*`; none in `openid` |
//! | resource and path segments | `/`-separated, not empty as a whole; an empty segment means `*`; globs allowed | `posts`, `media/files`, `v1.2/*`, `file:uid:1` |
//! | filters   | after `?`, `key=value` pairs joined by `&`, key and value non-empty, no key twice | `?user_id=u1&tenant_id=t*` |
//!
//! Whitespace and control characters are not allowed anywhere, and a scope is at
//! most 1024 bytes. Invalid literals are compile errors on the literal, for example
//! ``"`#[require_scope]`: invalid scope `read posts`: whitespace is not allowed"``.
//! What a scope *grants* (exact match, or the USSO privilege ladder) is decided at
//! run time: see `UssoAuth::with_scope_engine`.
//! A role is any non-empty string without whitespace.
//!
//! # Compile errors
//!
//! All problems are reported at once, on the tokens that cause them, and the
//! handler is still emitted (without the policy), so a router that names it
//! doesn't fail a second time. The checks: malformed scope literals, empty or
//! spaced roles, duplicate scopes or roles (in one attribute or across
//! attributes), unknown arguments, unknown functions in `#[require(..)]`,
//! missing arguments, arguments to `#[require_auth]` or `#[workspace_scoped]`,
//! a non-`async` function, a non-function item, two claims parameters, and a
//! `self` receiver.
//!
//! # Limitations
//!
//! - Handlers must be free `async fn`s: the policy type can't be emitted inside
//!   an `impl` block, so methods (`&self`) are rejected.
//! - Usso attributes are recognised by their last path segment
//!   (`require_auth`, `require_scope`, `require_any_scope`, `require_role`,
//!   `require_any_role`, `require`, `workspace_scoped`), so another crate's
//!   attribute with one of these names, on the same function, is folded in too.
//! - A constant's value is invisible to the macros: `READ_POSTS` and
//!   `"read:posts"` on the same handler are not reported as duplicates.
//! - `#[claims]` is only understood on a function that has a usso attribute.
//!
//! # OpenAPI (utoipa)
//!
//! A `#[utoipa::path(..)]` *below* a usso attribute gets the handler's policy:
//! `security(("usso" = [<scopes>]), ..)` and, at the end of its description,
//! the whole policy (roles and workspace included). The expansion carries
//! both that and the attribute as written, and `usso` picks one by its
//! `utoipa` feature (these macros can't see it). With the feature, a
//! `#[utoipa::path]` *above* a usso attribute is a compile error, since it
//! expands first. See `usso::openapi`.
//!
//! # Debugging
//!
//! Set `USSO_MACROS_DEBUG=1` while building to print every expansion to stderr.
//! (Cargo does not rebuild when only the variable changes; touch the file.)

mod attr;
mod consts;
mod errors;
mod expand;
mod guard;
mod openapi;
mod policy;
mod policy_expr;
mod req;
// The runtime's scope grammar (a link to `usso/src/scope/grammar.rs`): the macros use only
// its parser, and its public items are public only in `usso`.
#[allow(dead_code, unreachable_pub)]
mod scope_grammar;
mod scope_syntax;
mod signature;

use proc_macro::TokenStream;

use crate::attr::GuardKind;
use crate::consts::ConstKind;

/// Requires a valid token; the handler runs for any authenticated caller.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Takes no arguments: ``#[require_auth("x")]`` is a compile error.
/// - Only on free `async fn` handlers, not on methods in `impl` blocks.
/// - It is implied by every other usso attribute; combining it with them is allowed.
#[proc_macro_attribute]
pub fn require_auth(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_guard(GuardKind::Auth, args, item)
}

/// Requires every listed scope: `#[require_scope("read:posts", "write:posts")]` needs both.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - At request time the scope is compared as an exact string, unless the
///   authenticator enables the scope engine (`UssoAuth::with_scope_engine`);
///   this macro only checks the syntax.
/// - A constant's value can't be seen by the macro; it is checked where it is
///   declared, by [`scopes!`].
/// - Only on free `async fn` handlers, not on methods in `impl` blocks.
#[proc_macro_attribute]
pub fn require_scope(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_guard(GuardKind::Scope, args, item)
}

/// Requires at least one of the listed scopes.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Needs at least one scope; duplicates are compile errors.
/// - Only on free `async fn` handlers, not on methods in `impl` blocks.
#[proc_macro_attribute]
pub fn require_any_scope(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_guard(GuardKind::AnyScope, args, item)
}

/// Requires every listed role: `#[require_role("admin")]`.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Roles are matched exactly, by string equality, at request time.
/// - Only on free `async fn` handlers, not on methods in `impl` blocks.
#[proc_macro_attribute]
pub fn require_role(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_guard(GuardKind::Role, args, item)
}

/// Requires at least one of the listed roles: `#[require_any_role("editor", "admin")]`.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Needs at least one role; duplicates are compile errors.
/// - Only on free `async fn` handlers, not on methods in `impl` blocks.
#[proc_macro_attribute]
pub fn require_any_role(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_guard(GuardKind::AnyRole, args, item)
}

/// Requires a policy expression, parsed at compile time.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Takes exactly one expression; combine several with `all(..)`.
/// - Unknown functions are compile errors that list the valid ones.
/// - `workspace()` makes the claims type subject to the same check as
///   [`macro@workspace_scoped`].
/// - Only on free `async fn` handlers, not on methods in `impl` blocks.
#[proc_macro_attribute]
pub fn require(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_guard(GuardKind::Require, args, item)
}

/// Requires the token to carry a `workspace_id`.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Takes no arguments.
/// - Only on free `async fn` handlers, not on methods in `impl` blocks.
#[proc_macro_attribute]
pub fn workspace_scoped(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_guard(GuardKind::Workspace, args, item)
}

/// Declares scope constants whose literals are checked at compile time.
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Only string literals, not expressions or `concat!`.
/// - The constants are plain `&str`; nothing stops passing another `&str` constant
///   to the attribute macros, whose value then isn't checked.
#[proc_macro]
pub fn scopes(input: TokenStream) -> TokenStream {
    expand_consts(ConstKind::Scopes, input)
}

/// Declares role constants whose literals are checked at compile time (non-empty, no whitespace).
///
/// Full documentation, examples and the rejections it produces are on the
/// `usso` re-export of this macro.
///
/// # Limitations
///
/// - Only string literals, not expressions or `concat!`.
#[proc_macro]
pub fn roles(input: TokenStream) -> TokenStream {
    expand_consts(ConstKind::Roles, input)
}

/// Runs an attribute macro; never fails (errors are part of the output).
fn expand_guard(kind: GuardKind, args: TokenStream, item: TokenStream) -> TokenStream {
    let output = guard::expand(kind, args.into(), item.into());
    debug_print(&kind, &output);
    output.into()
}

/// Runs a constant-declaring macro; never fails (errors are part of the output).
fn expand_consts(kind: ConstKind, input: TokenStream) -> TokenStream {
    let output = consts::expand(kind, input.into());
    debug_print(&kind, &output);
    output.into()
}

/// Prints the expansion to stderr when `USSO_MACROS_DEBUG` is set (and not `0`).
fn debug_print(what: &dyn std::fmt::Display, output: &proc_macro2::TokenStream) {
    if std::env::var_os("USSO_MACROS_DEBUG").is_some_and(|v| !v.is_empty() && v != "0") {
        eprintln!("----- usso-macros: {what} expanded to -----\n{output}\n");
    }
}

#[cfg(test)]
mod tests;
