//! `scopes!` and `roles!`: named constants whose literal is checked at compile time.
//!
//! ```text
//! scopes! {
//!     /// optional docs and attributes
//!     pub READ_POSTS = "read:posts";
//!     WRITE_POSTS = "write:posts";
//! }
//! ```
//! expands each entry to `pub const READ_POSTS: &str = "read:posts";`.

use std::fmt;

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

use crate::errors::Errors;
use crate::scope_syntax::{self, Noun};

/// Which constant-declaring macro.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConstKind {
    /// `scopes!`
    Scopes,
    /// `roles!`
    Roles,
}

impl ConstKind {
    fn noun(self) -> Noun {
        match self {
            Self::Scopes => Noun::Scope,
            Self::Roles => Noun::Role,
        }
    }
}

impl fmt::Display for ConstKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scopes => "`scopes!`",
            Self::Roles => "`roles!`",
        })
    }
}

/// `#[attrs] vis NAME = "literal"`
struct Entry {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    value: LitStr,
}

/// Expands the body of `scopes! { .. }` / `roles! { .. }`.
///
/// Entries are separated by `;`. An entry that doesn't parse is reported and
/// skipped; an entry whose literal is invalid is reported *and* still emitted,
/// so that code using the constant doesn't fail a second time.
pub(crate) fn expand(kind: ConstKind, input: TokenStream) -> TokenStream {
    let (consts, errors) = try_expand(kind, input);
    let errors = errors.map(|errors| errors.to_compile_error());
    quote!(#errors #consts)
}

/// [`expand()`], with the errors kept apart (for tests).
pub(crate) fn try_expand(kind: ConstKind, input: TokenStream) -> (TokenStream, Option<syn::Error>) {
    let mut errors = Errors::default();
    let mut consts = Vec::new();
    for entry_tokens in split_entries(input) {
        let entry = match parse_entry(kind).parse2(entry_tokens) {
            Ok(entry) => entry,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        let noun = kind.noun();
        let value = entry.value.value();
        if let Err(err) = noun.check(&value) {
            errors.spanned(
                &entry.value,
                scope_syntax::message(&kind, noun, &value, &err),
            );
        }
        consts.push(emit(noun, &entry));
    }
    (quote!(#(#consts)*), errors.finish().err())
}

fn emit(noun: Noun, entry: &Entry) -> TokenStream {
    let Entry {
        attrs,
        vis,
        ident,
        value,
    } = entry;
    let has_docs = attrs.iter().any(|attr| attr.path().is_ident("doc"));
    let doc = (!has_docs).then(|| {
        let doc = format!("The `{}` {noun}.", value.value().escape_debug());
        quote!(#[doc = #doc])
    });
    quote! {
        #(#attrs)*
        #doc
        #vis const #ident: &str = #value;
    }
}

/// Splits on top-level `;`; empty pieces (a trailing `;`) are dropped.
fn split_entries(input: TokenStream) -> Vec<TokenStream> {
    let mut entries = Vec::new();
    let mut current = TokenStream::new();
    for tree in input {
        match tree {
            TokenTree::Punct(punct) if punct.as_char() == ';' => {
                entries.push(std::mem::take(&mut current));
            }
            other => current.extend([other]),
        }
    }
    entries.push(current);
    entries.retain(|entry| !entry.is_empty());
    entries
}

fn parse_entry(kind: ConstKind) -> impl FnOnce(ParseStream<'_>) -> syn::Result<Entry> {
    move |input| {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let ident: Ident = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                format!(
                    "{kind}: expected `NAME = {};` (optionally `pub`)",
                    crate::req::example(kind.noun())
                ),
            )
        })?;
        let _: Token![=] = input.parse().map_err(|err| {
            syn::Error::new(err.span(), format!("{kind}: expected `=` after `{ident}`"))
        })?;
        let value: LitStr = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                format!("{kind}: expected a string literal after `{ident} =`"),
            )
        })?;
        if !input.is_empty() {
            return Err(input.error(format!("{kind}: expected `;` after `{ident} = ..`")));
        }
        Ok(Entry {
            attrs,
            vis,
            ident,
            value,
        })
    }
}
