//! The policy of one handler: validated requirements, and their expansion
//! into a `::usso::__private::Requirement` constant.
//!
//! Every usso attribute on a function contributes *conjuncts* to one
//! top-level `All(&[..])`:
//!
//! | attribute                         | contributes                         |
//! |-----------------------------------|-------------------------------------|
//! | `#[require_auth]`                 | `Authenticated`                     |
//! | `#[require_scope(a, b)]`          | `Scope(a)`, `Scope(b)`              |
//! | `#[require_any_scope(a, b)]`      | `Any(&[Scope(a), Scope(b)])`        |
//! | `#[require_role(a, b)]`           | `Role(a)`, `Role(b)`                |
//! | `#[require_any_role(a, b)]`       | `Any(&[Role(a), Role(b)])`          |
//! | `#[require(all(x, y))]`           | `x`, `y` (a top-level `all` is flattened) |
//! | `#[require(x)]`                   | `x`                                 |
//! | `#[workspace_scoped]`             | `Workspace`                         |

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::attr::{GuardAttr, GuardKind, parse_args};
use crate::errors::{Errors, Origin};
use crate::policy_expr;
use crate::req::{Req, ReqKind, example, lower_value};
use crate::scope_syntax::Noun;

/// The combined policy of one handler: the conjuncts of a top-level `All`.
#[derive(Clone)]
pub(crate) struct Policy {
    pub(crate) conjuncts: Vec<Req>,
}

impl Policy {
    /// Validates every usso attribute of a function and combines them.
    /// Duplicates (inside one attribute or across attributes) are reported on the second occurrence.
    pub(crate) fn build(attrs: &[GuardAttr], errors: &mut Errors) -> Self {
        let mut conjuncts = Vec::new();
        for attr in attrs {
            conjuncts.extend(lower_attr(attr, errors));
        }
        check_duplicates(&conjuncts, errors);
        Self { conjuncts }
    }

    /// Whether the handler's claims type must support workspaces.
    pub(crate) fn needs_workspace(&self) -> bool {
        self.conjuncts.iter().any(Req::mentions_workspace)
    }
}

impl ToTokens for Policy {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let conjuncts = &self.conjuncts;
        tokens.extend(quote!(::usso::__private::Requirement::All(&[#(#conjuncts),*])));
    }
}

/// The conjuncts one attribute contributes.
fn lower_attr(attr: &GuardAttr, errors: &mut Errors) -> Vec<Req> {
    let kind = attr.kind;
    let args = match &attr.args {
        Ok(args) => args.clone(),
        Err(err) => {
            errors.push(err.clone());
            return Vec::new();
        }
    };
    match kind {
        GuardKind::Auth | GuardKind::Workspace => {
            if !args.is_empty() {
                let hint = if kind == GuardKind::Auth {
                    "; it only requires a valid token. Use `#[require_scope(..)]`, \
                     `#[require_role(..)]` or `#[require(..)]` to require more"
                } else {
                    "; it requires the token to carry a `workspace_id`"
                };
                errors.spanned(&args, format!("{kind} takes no arguments{hint}"));
            }
            let req = if kind == GuardKind::Auth {
                ReqKind::Authenticated
            } else {
                ReqKind::Workspace
            };
            vec![Req::new(req, attr.origin.clone(), kind)]
        }
        GuardKind::Scope | GuardKind::AnyScope | GuardKind::Role | GuardKind::AnyRole => {
            let noun = if matches!(kind, GuardKind::Scope | GuardKind::AnyScope) {
                Noun::Scope
            } else {
                Noun::Role
            };
            let raw = parse_args(args);
            if raw.is_empty() {
                errors.at(
                    &attr.origin,
                    format!(
                        "{kind} needs at least one {noun}, e.g. `#[{}({})]`",
                        kind.name(),
                        example(noun)
                    ),
                );
                return Vec::new();
            }
            let reqs: Vec<Req> = raw
                .iter()
                .filter_map(|arg| {
                    let value = lower_value(arg, noun, kind, errors)?;
                    let req = match noun {
                        Noun::Scope => ReqKind::Scope(value),
                        Noun::Role => ReqKind::Role(value),
                    };
                    Some(Req::new(req, Origin::of(arg.tokens()), kind))
                })
                .collect();
            if matches!(kind, GuardKind::AnyScope | GuardKind::AnyRole) {
                vec![Req::new(ReqKind::Any(reqs), attr.origin.clone(), kind)]
            } else {
                reqs
            }
        }
        GuardKind::Require => policy_expr::lower(attr, args, errors),
    }
}

/// Reports the second (third, ...) occurrence of equal requirements in each list, recursively.
fn check_duplicates(reqs: &[Req], errors: &mut Errors) {
    let mut seen = HashSet::new();
    for req in reqs {
        if !seen.insert(req.key()) {
            errors.at(&req.origin, req.duplicate_message());
        }
        match &req.kind {
            ReqKind::All(inner) | ReqKind::Any(inner) => check_duplicates(inner, errors),
            ReqKind::Not(inner) => check_duplicates(std::slice::from_ref(inner), errors),
            ReqKind::Authenticated | ReqKind::Scope(_) | ReqKind::Role(_) | ReqKind::Workspace => {}
        }
    }
}
