//! The attribute macros: parse, then validate, then expand.

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr::{GuardAttr, GuardKind};
use crate::errors::Errors;
use crate::openapi::{self, Doc};
use crate::policy::Policy;
use crate::signature::{self, HandlerFn};

/// Expands `#[<kind>(<args>)]` on `item`.
///
/// The usso attributes still on the function are folded into the same policy.
/// On any error the output is the errors plus the original function (minus
/// usso attributes and `#[claims]` markers), so code that names the handler
/// does not fail a second time.
pub(crate) fn expand(kind: GuardKind, args: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(kind, args, item) {
        Ok(output) => output,
        Err(Failure { errors, fallback }) => {
            let errors = errors.to_compile_error();
            quote!(#errors #fallback)
        }
    }
}

/// Errors, and what to emit next to them.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Every problem found, combined.
    pub(crate) errors: syn::Error,
    /// The original item, minus usso attributes and `#[claims]` markers when it is a function.
    pub(crate) fallback: TokenStream,
}

/// [`expand()`], with the errors kept apart (for tests).
pub(crate) fn try_expand(
    kind: GuardKind,
    args: TokenStream,
    item: TokenStream,
) -> Result<TokenStream, Failure> {
    // Parse.
    let mut handler = match syn::parse2::<HandlerFn>(item.clone()) {
        Ok(handler) => handler,
        Err(err) => {
            return Err(Failure {
                errors: not_a_handler(kind, &item, err),
                fallback: item,
            });
        }
    };
    let mut attrs = vec![GuardAttr::outermost(kind, args)];
    attrs.extend(handler.take_guard_attrs());

    // Validate.
    let mut errors = Errors::default();
    let claims = signature::check(&handler, kind, &mut errors);
    let policy = Policy::build(&attrs, &mut errors);
    // Its own errors apply only with usso's `utoipa` feature: kept apart.
    let doc = Doc::validate(&handler, &policy);

    // Expand.
    let used = GuardAttr::mark_used(&attrs);
    match errors.finish() {
        Ok(()) => {
            let output = openapi::expand(&handler, &policy, claims, doc);
            Ok(quote!(#output #used))
        }
        Err(errors) => {
            handler.strip_claims_attrs();
            Err(Failure {
                errors,
                fallback: quote!(#used #handler),
            })
        }
    }
}

/// The item is not a function we can parse: say what it is.
fn not_a_handler(kind: GuardKind, item: &TokenStream, parse_error: syn::Error) -> syn::Error {
    match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Fn(_)) | Err(_) => parse_error,
        Ok(other) => syn::Error::new_spanned(
            &other,
            format!(
                "{kind} can only be applied to `async fn` handlers, not to {}",
                describe_item(&other)
            ),
        ),
    }
}

fn describe_item(item: &syn::Item) -> &'static str {
    match item {
        syn::Item::Struct(_) => "a struct",
        syn::Item::Enum(_) => "an enum",
        syn::Item::Union(_) => "a union",
        syn::Item::Impl(_) => "an `impl` block",
        syn::Item::Trait(_) | syn::Item::TraitAlias(_) => "a trait",
        syn::Item::Mod(_) => "a module",
        syn::Item::Const(_) => "a constant",
        syn::Item::Static(_) => "a static",
        syn::Item::Type(_) => "a type alias",
        syn::Item::Use(_) => "a `use` declaration",
        syn::Item::ExternCrate(_) => "an `extern crate` declaration",
        syn::Item::ForeignMod(_) => "an `extern` block",
        syn::Item::Macro(_) => "a macro invocation",
        _ => "this item",
    }
}
