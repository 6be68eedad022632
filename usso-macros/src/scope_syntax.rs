//! The compile-time check of scope and role literals.
//!
//! A scope literal is checked by the very parser `usso::scope::Scope::parse` runs
//! ([`crate::scope_grammar`], one source file compiled into both crates), so the macros
//! accept exactly the scopes the runtime accepts. A role is any non-empty string without
//! whitespace.
//!
//! The checks here only look at the text; they return a reason, and the
//! caller turns it into a `syn::Error` on the user's literal.

use std::fmt;

use crate::scope_grammar::{self, ScopeParseError};

/// Why a scope or role literal was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyntaxError {
    /// The literal is `""`.
    Empty,
    /// The role contains whitespace somewhere.
    Whitespace,
    /// The scope breaks the scope grammar.
    Scope(ScopeParseError),
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("it must not be empty"),
            Self::Whitespace => f.write_str("whitespace is not allowed"),
            Self::Scope(ScopeParseError::InvalidChar { ch, .. }) if ch.is_whitespace() => {
                f.write_str("whitespace is not allowed")
            }
            Self::Scope(e) => {
                write!(
                    f,
                    "{e}; expected `[action:]resource[?key=value]`, e.g. `read:posts`"
                )
            }
        }
    }
}

/// What a literal is, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Noun {
    /// A scope (`read:posts`).
    Scope,
    /// A role (`admin`).
    Role,
}

impl Noun {
    /// Checks `value` against this noun's grammar.
    pub(crate) fn check(self, value: &str) -> Result<(), SyntaxError> {
        match self {
            Self::Scope => check_scope(value),
            Self::Role => check_role(value),
        }
    }
}

impl fmt::Display for Noun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scope => "scope",
            Self::Role => "role",
        })
    }
}

/// The full message for a rejected literal, prefixed with `context`
/// (for example ``"`#[require_scope]`"``).
pub(crate) fn message(
    context: &dyn fmt::Display,
    noun: Noun,
    value: &str,
    err: &SyntaxError,
) -> String {
    match (err, noun) {
        (SyntaxError::Empty, Noun::Scope) => {
            format!(
                "{context}: empty scope; expected `[action:]resource[?key=value]`, e.g. `read:posts`"
            )
        }
        (SyntaxError::Empty, Noun::Role) => format!(
            "{context}: empty role; a role is a non-empty string without whitespace, e.g. `admin`"
        ),
        _ => format!(
            "{context}: invalid {noun} `{}`: {err}",
            value.escape_debug()
        ),
    }
}

/// Checks a scope literal with the runtime's scope parser.
pub(crate) fn check_scope(scope: &str) -> Result<(), SyntaxError> {
    match scope_grammar::parse_parts(scope) {
        Ok(_) => Ok(()),
        Err(ScopeParseError::Empty) => Err(SyntaxError::Empty),
        Err(e) => Err(SyntaxError::Scope(e)),
    }
}

/// Checks a role literal: non-empty, no whitespace.
pub(crate) fn check_role(role: &str) -> Result<(), SyntaxError> {
    if role.is_empty() {
        Err(SyntaxError::Empty)
    } else if role.chars().any(char::is_whitespace) {
        Err(SyntaxError::Whitespace)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_runtime_accepts() {
        for scope in [
            "read:posts",
            "write:posts",
            "*:*",
            "admin:*",
            "posts",
            "openid",
            "Read:posts",
            "read:media/files",
            "read:media//files",
            "read:media/files/v1.2/some-thing_x",
            "read:media/files/file:uid:1",
            "read:posts?user_id=u1",
            "read:posts?user_id=u*&tenant_id=t-1",
            "read:posts?a=1=2",
            "owner:a/b/c?k=v",
        ] {
            assert_eq!(check_scope(scope), Ok(()), "{scope}");
        }
    }

    #[test]
    fn rejects_what_the_runtime_rejects() {
        let cases: &[(&str, &str)] = &[
            ("", "it must not be empty"),
            ("read posts", "whitespace is not allowed"),
            ("read:posts ", "whitespace is not allowed"),
            ("read:\u{7f}", "scope has '\\u{7f}' at byte 5"),
            (":posts", "empty action before `:`"),
            ("read:", "empty path"),
            ("?a=1", "empty path"),
            ("read:posts?", "scope filter `` is not `key=value`"),
            ("read:posts?user", "scope filter `user` is not `key=value`"),
            ("read:posts?=u1", "scope filter `=u1` is not `key=value`"),
            ("read:posts?a=", "scope filter `a=` is not `key=value`"),
            ("read:posts?a=1&", "scope filter `` is not `key=value`"),
            ("read:posts?a=1&a=2", "scope filter `a` is repeated"),
        ];
        for (scope, expected) in cases {
            let err = check_scope(scope).expect_err(scope).to_string();
            assert!(
                err.contains(expected),
                "{scope:?}: `{err}` does not contain `{expected}`"
            );
        }
        let long = "a".repeat(1025);
        assert!(check_scope(&long).is_err());
    }

    #[test]
    fn roles() {
        assert_eq!(check_role("admin"), Ok(()));
        assert_eq!(check_role("team:editor"), Ok(()));
        assert_eq!(check_role(""), Err(SyntaxError::Empty));
        assert_eq!(check_role("super admin"), Err(SyntaxError::Whitespace));
    }
}
