//! Collecting errors so that every mistake is reported at once (serde's `Ctxt`).

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// Where a piece of input came from, for spanning errors on it.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// The attribute that is being expanded right now: the compiler hands us
    /// only its arguments, so its own tokens are reached through `Span::call_site()`.
    CallSite,
    /// Tokens the user wrote.
    Tokens(TokenStream),
}

impl Origin {
    /// Tokens the user wrote; an empty stream falls back to the call site.
    pub(crate) fn of(tokens: impl ToTokens) -> Self {
        let tokens = tokens.into_token_stream();
        if tokens.is_empty() {
            Self::CallSite
        } else {
            Self::Tokens(tokens)
        }
    }

    /// An error spanned on these tokens.
    pub(crate) fn error(&self, msg: impl Display) -> syn::Error {
        match self {
            Self::CallSite => syn::Error::new(Span::call_site(), msg),
            Self::Tokens(tokens) => syn::Error::new_spanned(tokens, msg),
        }
    }
}

/// A growing list of errors, combined with [`syn::Error::combine`].
#[derive(Debug, Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Records an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Records `syn::Error::new_spanned(tokens, msg)`.
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, msg: impl Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }

    /// Records an error on `origin`.
    pub(crate) fn at(&mut self, origin: &Origin, msg: impl Display) {
        self.push(origin.error(msg));
    }

    /// `Err` with everything recorded, if anything was.
    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}
