//! The policy expression of `#[require(..)]`.
//!
//! ```text
//! expr = "all" "(" expr *( "," expr ) ")"
//!      / "any" "(" expr *( "," expr ) ")"
//!      / "not" "(" expr ")"
//!      / "scope" "(" value ")"
//!      / "role" "(" value ")"
//!      / "workspace" "(" ")"
//! value = string-literal / path-to-constant
//! ```
//!
//! The expression is parsed from tokens at compile time (never from a string
//! of code); scope and role literals are checked like everywhere else.

use proc_macro2::TokenStream;

use crate::attr::{GuardAttr, GuardKind, RawArg, parse_args, path_to_string};
use crate::errors::{Errors, Origin};
use crate::req::{Req, ReqKind, example, lower_value};
use crate::scope_syntax::Noun;

const CONTEXT: GuardKind = GuardKind::Require;

/// The functions a policy expression may call.
const FUNCTIONS: [&str; 6] = ["all", "any", "not", "scope", "role", "workspace"];

const EXPECTED: &str = "expected one of `all(..)`, `any(..)`, `not(..)`, `scope(..)`, \
                        `role(..)` or `workspace()`";

/// The conjuncts contributed by `#[require(<args>)]`; a top-level `all(..)` is flattened.
pub(crate) fn lower(attr: &GuardAttr, args: TokenStream, errors: &mut Errors) -> Vec<Req> {
    let raw = parse_args(args);
    let Some((first, rest)) = raw.split_first() else {
        errors.at(
            &attr.origin,
            format!(
                "{CONTEXT} needs a policy expression, e.g. \
                 `#[require(all(scope(\"write:posts\"), any(role(\"editor\"), role(\"admin\"))))]`"
            ),
        );
        return Vec::new();
    };
    for extra in rest {
        match extra {
            RawArg::Assign { .. } => {}
            _ => errors.spanned(
                extra.tokens(),
                format!(
                    "{CONTEXT} takes a single policy expression; combine several with `all(..)`"
                ),
            ),
        }
        // Still validate it, so that its own mistakes show up too.
        let _ = lower_expr(extra, errors);
    }
    match lower_expr(first, errors) {
        Some(Req {
            kind: ReqKind::All(children),
            ..
        }) => children,
        Some(req) => vec![req],
        None => Vec::new(),
    }
}

/// One policy expression.
fn lower_expr(arg: &RawArg, errors: &mut Errors) -> Option<Req> {
    match arg {
        RawArg::Call {
            name,
            args,
            args_tokens,
            tokens,
        } => lower_call(name, args, args_tokens, tokens, errors),
        RawArg::Path(path) => {
            let msg = match path.get_ident().map(ToString::to_string) {
                Some(f) if f == "workspace" => {
                    format!("{CONTEXT}: `workspace` must be called: write `workspace()`")
                }
                Some(f) if FUNCTIONS.contains(&f.as_str()) => {
                    format!("{CONTEXT}: `{f}` must be called with arguments: `{f}(..)`")
                }
                _ => format!(
                    "{CONTEXT}: {EXPECTED}, found `{}`; wrap a constant in `scope(..)` or `role(..)`",
                    path_to_string(path)
                ),
            };
            errors.spanned(path, msg);
            None
        }
        RawArg::Lit(lit) => {
            errors.spanned(
                lit,
                format!(
                    "{CONTEXT}: {EXPECTED}, found a string literal; write `scope({lit:?})` or `role({lit:?})`",
                    lit = lit.value()
                ),
            );
            None
        }
        RawArg::Assign { name, .. } => {
            errors.spanned(
                name,
                format!(
                    "{CONTEXT}: unknown argument `{}`; `#[require]` takes a policy expression, {EXPECTED}",
                    path_to_string(name)
                ),
            );
            None
        }
        RawArg::Other(_) | RawArg::Empty(_) => {
            errors.spanned(
                arg.tokens(),
                format!("{CONTEXT}: {EXPECTED}, found {}", arg.describe()),
            );
            None
        }
    }
}

/// `name(args)`: one of the policy functions.
fn lower_call(
    name: &syn::Path,
    args: &[RawArg],
    args_tokens: &TokenStream,
    tokens: &TokenStream,
    errors: &mut Errors,
) -> Option<Req> {
    let origin = Origin::of(tokens);
    let Some(ident) = name.get_ident() else {
        errors.spanned(name, unknown_function(&path_to_string(name)));
        return None;
    };
    let function = ident.to_string();
    let kind = match function.as_str() {
        "all" | "any" => {
            if args.is_empty() {
                errors.spanned(
                    tokens,
                    format!("{CONTEXT}: `{function}()` needs at least one requirement"),
                );
                return None;
            }
            let children: Vec<Req> = args
                .iter()
                .map(|child| lower_expr(child, errors))
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<_>>()?;
            if function == "all" {
                ReqKind::All(children)
            } else {
                ReqKind::Any(children)
            }
        }
        "not" => {
            let [inner] = args else {
                errors.spanned(
                    tokens,
                    format!("{CONTEXT}: `not(..)` takes exactly one requirement"),
                );
                return None;
            };
            ReqKind::Not(Box::new(lower_expr(inner, errors)?))
        }
        "scope" | "role" => {
            let noun = if function == "scope" {
                Noun::Scope
            } else {
                Noun::Role
            };
            let [value] = args else {
                errors.spanned(
                    tokens,
                    format!(
                        "{CONTEXT}: `{function}(..)` takes exactly one {noun}, e.g. `{function}({})`",
                        example(noun)
                    ),
                );
                return None;
            };
            let value = lower_value(value, noun, CONTEXT, errors)?;
            match noun {
                Noun::Scope => ReqKind::Scope(value),
                Noun::Role => ReqKind::Role(value),
            }
        }
        "workspace" => {
            if !args.is_empty() {
                errors.spanned(
                    args_tokens,
                    format!("{CONTEXT}: `workspace()` takes no arguments"),
                );
                return None;
            }
            ReqKind::Workspace
        }
        _ => {
            errors.spanned(ident, unknown_function(&function));
            return None;
        }
    };
    Some(Req::new(kind, origin, CONTEXT))
}

fn unknown_function(name: &str) -> String {
    let suggestion = FUNCTIONS
        .iter()
        .map(|f| (edit_distance(name, f), *f))
        .filter(|&(distance, f)| distance <= 2 && distance < f.len())
        .min()
        .map(|(_, f)| format!(" (did you mean `{f}`?)"))
        .unwrap_or_default();
    format!("{CONTEXT}: unknown function `{name}`{suggestion}; {EXPECTED}")
}

/// Levenshtein distance, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            let insertion = current[j] + 1;
            let deletion = previous[j + 1] + 1;
            current.push(substitution.min(insertion).min(deletion));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("scopes", "scope"), 1);
        assert_eq!(edit_distance("al", "all"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("role", "role"), 0);
    }

    #[test]
    fn suggestions() {
        assert!(unknown_function("scopes").contains("did you mean `scope`?"));
        assert!(unknown_function("roles").contains("did you mean `role`?"));
        assert!(!unknown_function("frobnicate").contains("did you mean"));
    }
}
