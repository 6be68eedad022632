//! Parsing attribute arguments.
//!
//! Arguments are split on top-level commas and each piece is classified into a
//! [`RawArg`]. Parsing never fails: anything unexpected becomes
//! [`RawArg::Other`], so that validation (in `policy.rs` and `policy_expr.rs`)
//! can report *every* problem with a message that fits the macro.

use std::fmt;

use proc_macro2::{Delimiter, Punct, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::Parser;
use syn::{Attribute, LitStr, Meta};

use crate::errors::Origin;

/// The usso attribute macros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuardKind {
    /// `#[require_auth]`
    Auth,
    /// `#[require_scope(..)]`
    Scope,
    /// `#[require_any_scope(..)]`
    AnyScope,
    /// `#[require_role(..)]`
    Role,
    /// `#[require_any_role(..)]`
    AnyRole,
    /// `#[require(..)]`
    Require,
    /// `#[workspace_scoped]`
    Workspace,
}

impl GuardKind {
    const ALL: [Self; 7] = [
        Self::Auth,
        Self::Scope,
        Self::AnyScope,
        Self::Role,
        Self::AnyRole,
        Self::Require,
        Self::Workspace,
    ];

    /// The macro's name, as the user writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Auth => "require_auth",
            Self::Scope => "require_scope",
            Self::AnyScope => "require_any_scope",
            Self::Role => "require_role",
            Self::AnyRole => "require_any_role",
            Self::Require => "require",
            Self::Workspace => "workspace_scoped",
        }
    }

    /// The usso attribute this is, matched on the last path segment
    /// (`#[usso::require_role]` and `#[require_role]` alike).
    pub(crate) fn of_attr(attr: &Attribute) -> Option<Self> {
        let last = attr.path().segments.last()?;
        Self::ALL.into_iter().find(|kind| last.ident == kind.name())
    }
}

impl fmt::Display for GuardKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`#[{}]`", self.name())
    }
}

/// One usso attribute: the one being expanded, or another one found on the same function.
pub(crate) struct GuardAttr {
    /// Which macro.
    pub(crate) kind: GuardKind,
    /// The whole attribute, for errors that concern it as a whole.
    pub(crate) origin: Origin,
    /// The tokens between the parentheses; `Err` if the attribute has the wrong shape.
    pub(crate) args: Result<TokenStream, syn::Error>,
    /// The attribute's path, for attributes taken off the function (not the one being expanded).
    pub(crate) path: Option<syn::Path>,
}

impl GuardAttr {
    /// `const _: () = { use <path> as _; };` for the attributes taken off the
    /// function: they never expand, so without this their `use` would be reported unused.
    pub(crate) fn mark_used(attrs: &[Self]) -> TokenStream {
        let paths: Vec<&syn::Path> = attrs.iter().filter_map(|attr| attr.path.as_ref()).collect();
        if paths.is_empty() {
            return TokenStream::new();
        }
        quote::quote! {
            const _: () = {
                #(
                    #[allow(unused_imports)]
                    use #paths as _;
                )*
            };
        }
    }

    /// The attribute being expanded: the compiler passes its arguments.
    pub(crate) fn outermost(kind: GuardKind, args: TokenStream) -> Self {
        Self {
            kind,
            origin: Origin::CallSite,
            args: Ok(args),
            path: None,
        }
    }

    /// Another usso attribute on the same function.
    pub(crate) fn from_attr(kind: GuardKind, attr: &Attribute) -> Self {
        let args = match &attr.meta {
            Meta::Path(_) => Ok(TokenStream::new()),
            Meta::List(list) if matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) => {
                Ok(list.tokens.clone())
            }
            Meta::List(_) | Meta::NameValue(_) => Err(syn::Error::new_spanned(
                attr,
                format!("{kind}: expected `#[{}(...)]`", kind.name()),
            )),
        };
        Self {
            kind,
            origin: Origin::of(attr),
            args,
            path: Some(attr.path().clone()),
        }
    }
}

/// Whether `attr` is the parameter marker `#[claims]`.
pub(crate) fn is_claims_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|last| last.ident == "claims")
}

/// One comma-separated argument, classified but not yet validated.
#[derive(Clone)]
pub(crate) enum RawArg {
    /// `"read:posts"`
    Lit(LitStr),
    /// `READ_POSTS`, `crate::scopes::READ_POSTS`
    Path(syn::Path),
    /// `name(args...)`
    Call {
        /// `name`
        name: syn::Path,
        /// The arguments, parsed the same way.
        args: Vec<Self>,
        /// The arguments' tokens (without the parentheses).
        args_tokens: TokenStream,
        /// The whole call.
        tokens: TokenStream,
    },
    /// `name = value`
    Assign {
        /// `name`
        name: syn::Path,
        /// The whole argument.
        tokens: TokenStream,
    },
    /// Anything else.
    Other(TokenStream),
    /// Nothing between two commas; holds the second comma.
    Empty(Punct),
}

impl RawArg {
    /// The tokens of this argument, for spanning errors.
    pub(crate) fn tokens(&self) -> TokenStream {
        match self {
            Self::Lit(lit) => lit.to_token_stream(),
            Self::Path(path) => path.to_token_stream(),
            Self::Call { tokens, .. } | Self::Assign { tokens, .. } | Self::Other(tokens) => {
                tokens.clone()
            }
            Self::Empty(comma) => comma.to_token_stream(),
        }
    }

    /// A short description for "found ..." messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Lit(_) => "a string literal".to_owned(),
            Self::Path(path) => format!("`{}`", path_to_string(path)),
            Self::Call { name, .. } => format!("`{}(..)`", path_to_string(name)),
            Self::Assign { name, .. } => format!("`{} = ..`", path_to_string(name)),
            Self::Other(tokens) => format!("`{tokens}`"),
            Self::Empty(_) => "`,`".to_owned(),
        }
    }
}

/// `a::b::C` without the spaces `quote` puts around `::`.
pub(crate) fn path_to_string(path: &syn::Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&segment.ident.to_string());
        if !segment.arguments.is_none() {
            out.push_str("::<..>");
        }
    }
    out
}

/// Splits `tokens` on top-level commas and classifies each piece. A trailing comma is allowed.
pub(crate) fn parse_args(tokens: TokenStream) -> Vec<RawArg> {
    let mut args = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    for tree in tokens {
        match tree {
            TokenTree::Punct(punct) if punct.as_char() == ',' => {
                if current.is_empty() {
                    args.push(RawArg::Empty(punct));
                } else {
                    args.push(classify(&current));
                    current.clear();
                }
            }
            other => current.push(other),
        }
    }
    if !current.is_empty() {
        args.push(classify(&current));
    }
    args
}

fn classify(trees: &[TokenTree]) -> RawArg {
    let tokens: TokenStream = trees.iter().cloned().collect();

    if let Ok(lit) = syn::parse2::<LitStr>(tokens.clone()) {
        return RawArg::Lit(lit);
    }
    if let Ok(path) = parse_path(tokens.clone()) {
        return RawArg::Path(path);
    }
    if let Some((TokenTree::Group(group), head)) = trees.split_last()
        && group.delimiter() == Delimiter::Parenthesis
        && let Ok(name) = parse_path(head.iter().cloned().collect())
    {
        return RawArg::Call {
            name,
            args: parse_args(group.stream()),
            args_tokens: group.stream(),
            tokens,
        };
    }
    let eq = trees.iter().position(|tree| {
        matches!(tree, TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == Spacing::Alone)
    });
    if let Some(eq) = eq
        && let Ok(name) = parse_path(trees[..eq].iter().cloned().collect())
    {
        return RawArg::Assign { name, tokens };
    }
    RawArg::Other(tokens)
}

/// A plain path (`READ_POSTS`, `crate::scopes::READ_POSTS`) and nothing after it.
fn parse_path(tokens: TokenStream) -> syn::Result<syn::Path> {
    syn::Path::parse_mod_style.parse2(tokens)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn describe_all(tokens: TokenStream) -> Vec<String> {
        parse_args(tokens).iter().map(RawArg::describe).collect()
    }

    #[test]
    fn classifies_arguments() {
        let args = describe_all(quote!(
            "a:b", READ, crate::scopes::READ, all(x, y), key = "v", 42, , a b,
        ));
        assert_eq!(
            args,
            [
                "a string literal",
                "`READ`",
                "`crate::scopes::READ`",
                "`all(..)`",
                "`key = ..`",
                "`42`",
                "`,`",
                "`a b`",
            ]
        );
    }

    #[test]
    fn nested_call_arguments() {
        let args = parse_args(quote!(any(role("a"), not(workspace()))));
        let [RawArg::Call { name, args, .. }] = args.as_slice() else {
            panic!("expected one call, got {} arguments", args.len());
        };
        assert!(name.is_ident("any"));
        let inner: Vec<_> = args.iter().map(RawArg::describe).collect();
        assert_eq!(inner, ["`role(..)`", "`not(..)`"]);
    }

    #[test]
    fn recognises_usso_attributes() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[usso::require_role("a")]),
            syn::parse_quote!(#[require]),
            syn::parse_quote!(#[tracing::instrument]),
            syn::parse_quote!(#[doc = "x"]),
        ];
        let kinds: Vec<_> = attrs.iter().map(GuardKind::of_attr).collect();
        assert_eq!(
            kinds,
            [Some(GuardKind::Role), Some(GuardKind::Require), None, None]
        );
    }
}
