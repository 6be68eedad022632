//! The requirement model the macros expand to: one requirement
//! (`Scope`, `Role`, `Workspace`, `All`/`Any`/`Not` of others) and its
//! tokens, naming only `::usso::__private::Requirement`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::LitStr;

use crate::attr::{GuardKind, RawArg, path_to_string};
use crate::errors::{Errors, Origin};
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
    pub(crate) fn key(&self) -> String {
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
    pub(crate) fn key(&self) -> String {
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

    pub(crate) fn duplicate_message(&self) -> String {
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
    pub(crate) fn mentions_workspace(&self) -> bool {
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
