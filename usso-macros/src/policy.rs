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
use syn::LitStr;

use crate::attr::{GuardAttr, GuardKind, RawArg, parse_args, path_to_string};
use crate::errors::{Errors, Origin};
use crate::policy_expr;
use crate::scope_syntax::{self, Noun};

/// A scope or role: a checked literal, or a path to a constant.
#[derive(Clone)]
pub(crate) enum Value {
    /// `"read:posts"`, already checked against the grammar.
    Lit(LitStr),
    /// `READ_POSTS`: the expansion names the constant, so a typo is a compile error.
    Const(syn::Path),
}

impl Value {
    fn key(&self) -> String {
        match self {
            Self::Lit(lit) => format!("{:?}", lit.value()),
            Self::Const(path) => path_to_string(path),
        }
    }

    fn display(&self) -> String {
        match self {
            Self::Lit(lit) => lit.value().escape_debug().to_string(),
            Self::Const(path) => path_to_string(path),
        }
    }
}

impl ToTokens for Value {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Self::Lit(lit) => lit.to_tokens(tokens),
            Self::Const(path) => path.to_tokens(tokens),
        }
    }
}

/// What a requirement asks for; mirrors `usso::__private::Requirement`.
#[derive(Clone)]
pub(crate) enum ReqKind {
    Authenticated,
    Scope(Value),
    Role(Value),
    Workspace,
    All(Vec<Req>),
    Any(Vec<Req>),
    Not(Box<Req>),
}

/// A validated requirement, with where it came from.
#[derive(Clone)]
pub(crate) struct Req {
    pub(crate) kind: ReqKind,
    /// The user's tokens, for "duplicate" errors.
    pub(crate) origin: Origin,
    /// The attribute it was written in, for message prefixes.
    pub(crate) context: GuardKind,
}

impl Req {
    pub(crate) fn new(kind: ReqKind, origin: Origin, context: GuardKind) -> Self {
        Self {
            kind,
            origin,
            context,
        }
    }

    /// A canonical rendering, used to find duplicates.
    fn key(&self) -> String {
        let list = |name: &str, reqs: &[Self]| {
            let inner: Vec<_> = reqs.iter().map(Self::key).collect();
            format!("{name}({})", inner.join(", "))
        };
        match &self.kind {
            ReqKind::Authenticated => "authenticated".to_owned(),
            ReqKind::Scope(value) => format!("scope({})", value.key()),
            ReqKind::Role(value) => format!("role({})", value.key()),
            ReqKind::Workspace => "workspace()".to_owned(),
            ReqKind::All(reqs) => list("all", reqs),
            ReqKind::Any(reqs) => list("any", reqs),
            ReqKind::Not(req) => format!("not({})", req.key()),
        }
    }

    fn duplicate_message(&self) -> String {
        let ctx = self.context;
        match (&self.kind, ctx) {
            (ReqKind::Authenticated, _) => format!("{ctx} is applied more than once"),
            (ReqKind::Workspace, GuardKind::Workspace) => {
                format!("{ctx} is applied more than once")
            }
            (ReqKind::Workspace, _) => format!("{ctx}: duplicate `workspace()` requirement"),
            (ReqKind::Scope(value), _) => format!("{ctx}: duplicate scope `{}`", value.display()),
            (ReqKind::Role(value), _) => format!("{ctx}: duplicate role `{}`", value.display()),
            (ReqKind::All(_) | ReqKind::Any(_) | ReqKind::Not(_), _) => {
                format!("{ctx}: duplicate requirement `{}`", self.key())
            }
        }
    }

    /// Whether `Workspace` appears anywhere (also under `not(..)`).
    fn mentions_workspace(&self) -> bool {
        match &self.kind {
            ReqKind::Workspace => true,
            ReqKind::All(reqs) | ReqKind::Any(reqs) => reqs.iter().any(Self::mentions_workspace),
            ReqKind::Not(req) => req.mentions_workspace(),
            ReqKind::Authenticated | ReqKind::Scope(_) | ReqKind::Role(_) => false,
        }
    }
}

impl ToTokens for Req {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let path = quote!(::usso::__private::Requirement);
        tokens.extend(match &self.kind {
            ReqKind::Authenticated => quote!(#path::Authenticated),
            ReqKind::Scope(value) => quote!(#path::Scope(#value)),
            ReqKind::Role(value) => quote!(#path::Role(#value)),
            ReqKind::Workspace => quote!(#path::Workspace),
            ReqKind::All(reqs) => quote!(#path::All(&[#(#reqs),*])),
            ReqKind::Any(reqs) => quote!(#path::Any(&[#(#reqs),*])),
            ReqKind::Not(req) => quote!(#path::Not(&#req)),
        });
    }
}

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

/// `"read:posts"` / `"admin"`, for messages.
pub(crate) fn example(noun: Noun) -> &'static str {
    match noun {
        Noun::Scope => "\"read:posts\"",
        Noun::Role => "\"admin\"",
    }
}

/// Validates one scope or role argument (in `#[require_scope(..)]` or in `scope(..)`).
pub(crate) fn lower_value(
    arg: &RawArg,
    noun: Noun,
    context: GuardKind,
    errors: &mut Errors,
) -> Option<Value> {
    let constants = match noun {
        Noun::Scope => "`usso::scopes!`",
        Noun::Role => "`usso::roles!`",
    };
    let expected = format!(
        "expected a {noun} literal like `{}` or a constant declared with {constants}",
        example(noun)
    );
    match arg {
        RawArg::Lit(lit) => match noun.check(&lit.value()) {
            Ok(()) => Some(Value::Lit(lit.clone())),
            Err(err) => {
                errors.spanned(
                    lit,
                    scope_syntax::message(&context, noun, &lit.value(), &err),
                );
                None
            }
        },
        RawArg::Path(path) => Some(Value::Const(path.clone())),
        RawArg::Call { .. } => {
            let hint = if context == GuardKind::Require {
                String::new()
            } else {
                "; policy expressions go in `#[require(..)]`".to_owned()
            };
            errors.spanned(
                arg.tokens(),
                format!("{context}: {expected}, found {}{hint}", arg.describe()),
            );
            None
        }
        RawArg::Assign { name, .. } => {
            errors.spanned(
                name,
                format!(
                    "{context}: unknown argument `{}`; {expected}",
                    path_to_string(name)
                ),
            );
            None
        }
        RawArg::Other(_) | RawArg::Empty(_) => {
            errors.spanned(
                arg.tokens(),
                format!("{context}: {expected}, found {}", arg.describe()),
            );
            None
        }
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
