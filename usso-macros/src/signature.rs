//! The handler function: parsing it (with an unparsed body), checking its
//! signature, and rewriting the claims parameter.

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, PatType, Signature, Type, Visibility};

use crate::attr::{GuardAttr, GuardKind, is_claims_attr};
use crate::errors::Errors;

/// An `fn` item whose body is kept as raw tokens (tracing's `MaybeItemFn`):
/// a body with syntax errors still gets rustc's own messages.
#[derive(Clone)]
pub(crate) struct HandlerFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    /// The `{ ... }` group, untouched.
    pub(crate) body: Group,
}

impl Parse for HandlerFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(body.span_open(), "expected `{`"));
        }
        Ok(Self {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

impl HandlerFn {
    /// Removes the usso attributes from the function and returns them, in source order.
    pub(crate) fn take_guard_attrs(&mut self) -> Vec<GuardAttr> {
        let mut guards = Vec::new();
        self.attrs.retain(|attr| match GuardKind::of_attr(attr) {
            Some(kind) => {
                guards.push(GuardAttr::from_attr(kind, attr));
                false
            }
            None => true,
        });
        guards
    }

    /// Removes `#[claims]` from every parameter.
    pub(crate) fn strip_claims_attrs(&mut self) {
        for input in &mut self.sig.inputs {
            if let FnArg::Typed(pat_type) = input {
                pat_type.attrs.retain(|attr| !is_claims_attr(attr));
            }
        }
    }

    /// The `#[cfg(..)]` attributes, to be copied onto generated items.
    pub(crate) fn cfg_attrs(&self) -> impl Iterator<Item = &Attribute> {
        self.attrs.iter().filter(|attr| attr.path().is_ident("cfg"))
    }

    /// The body's inner attributes and the rest of its tokens.
    pub(crate) fn split_body(&self) -> (Vec<Attribute>, TokenStream) {
        let parser = |input: ParseStream<'_>| {
            let inner = input.call(Attribute::parse_inner)?;
            let rest: TokenStream = input.parse()?;
            Ok((inner, rest))
        };
        parser
            .parse2(self.body.stream())
            .unwrap_or_else(|_| (Vec::new(), self.body.stream()))
    }
}

impl ToTokens for HandlerFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let Self {
            attrs,
            vis,
            sig,
            body,
        } = self;
        tokens.extend(quote!(#(#attrs)* #vis #sig #body));
    }
}

/// What the signature check found out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClaimsParam {
    /// Index of the claims parameter in `sig.inputs`, if the user wrote one.
    pub(crate) index: Option<usize>,
}

/// Checks that the function can be a guarded handler and finds its claims parameter.
pub(crate) fn check(f: &HandlerFn, kind: GuardKind, errors: &mut Errors) -> ClaimsParam {
    let sig = &f.sig;
    if sig.asyncness.is_none() {
        errors.spanned(
            sig.fn_token,
            format!("{kind} only supports `async fn` handlers"),
        );
    }
    let mut index = None;
    for (i, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(receiver) => errors.spanned(
                receiver,
                format!(
                    "{kind} is not supported on methods: the policy type it generates can't be \
                     emitted inside an `impl` block; use a free `async fn` handler instead"
                ),
            ),
            FnArg::Typed(pat_type) => {
                for attr in pat_type.attrs.iter().filter(|a| is_claims_attr(a)) {
                    if !matches!(attr.meta, syn::Meta::Path(_)) {
                        errors.spanned(attr, format!("{kind}: `#[claims]` takes no arguments"));
                    }
                }
                if !is_claims_param(pat_type) {
                    continue;
                }
                // Attribute macros see nested `#[cfg]`s unevaluated: a cfg'd
                // claims parameter could vanish after expansion. The guard
                // parameter is always prepended anyway, but a claims
                // parameter that may not exist is a mistake worth reporting.
                for attr in pat_type
                    .attrs
                    .iter()
                    .filter(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
                {
                    errors.spanned(
                        attr,
                        format!(
                            "{kind}: the claims parameter can't be conditional; \
                             move the `#[cfg]` to the whole handler"
                        ),
                    );
                }
                if index.is_some() {
                    errors.spanned(
                        pat_type,
                        format!(
                            "{kind}: a handler takes at most one claims parameter \
                             (a `UserData` or a parameter marked `#[claims]`)"
                        ),
                    );
                } else {
                    index = Some(i);
                }
            }
        }
    }
    ClaimsParam { index }
}

/// A parameter marked `#[claims]`, or whose type's last path segment is `UserData`.
fn is_claims_param(pat_type: &PatType) -> bool {
    pat_type.attrs.iter().any(is_claims_attr) || is_user_data(&pat_type.ty)
}

fn is_user_data(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "UserData" && last.arguments.is_none()),
        Type::Group(group) => is_user_data(&group.elem),
        Type::Paren(paren) => is_user_data(&paren.elem),
        _ => false,
    }
}

/// The claims type (the user's, or `UserData`), as tokens.
pub(crate) fn claims_type(f: &HandlerFn, claims: ClaimsParam) -> TokenStream {
    claims
        .index
        .and_then(|i| f.sig.inputs.iter().nth(i))
        .and_then(typed)
        .map_or_else(
            || quote!(::usso::__private::UserData),
            |pat_type| pat_type.ty.to_token_stream(),
        )
}

fn typed(arg: &FnArg) -> Option<&PatType> {
    match arg {
        FnArg::Typed(pat_type) => Some(pat_type),
        FnArg::Receiver(_) => None,
    }
}

/// Whether the user's claims type mentions one of the function's type parameters.
pub(crate) fn claims_type_is_generic(f: &HandlerFn, claims: ClaimsParam) -> bool {
    let params: Vec<&Ident> = f.sig.generics.type_params().map(|p| &p.ident).collect();
    if params.is_empty() {
        return false;
    }
    let Some(pat_type) = claims
        .index
        .and_then(|i| f.sig.inputs.iter().nth(i))
        .and_then(typed)
    else {
        return false;
    };
    mentions_any(pat_type.ty.to_token_stream(), &params)
        || matches!(*pat_type.ty, Type::ImplTrait(_))
}

fn mentions_any(tokens: TokenStream, idents: &[&Ident]) -> bool {
    tokens.into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => idents.iter().any(|i| **i == ident),
        proc_macro2::TokenTree::Group(group) => mentions_any(group.stream(), idents),
        _ => false,
    })
}

/// The rewritten parameter list. A guard `_: Guard<<claims ty>, <policy>>`
/// (an extractor of every framework usso supports, which verifies and
/// authorizes without copying the claims) is always prepended, so authorization runs before every other extractor
/// (and their side effects); the user's claims parameter, if any, becomes
/// `Authorized(<pat>, _): Authorized<<ty>, <policy>>`, which reuses the
/// guard's verification from the request extensions.
pub(crate) fn rewrite_inputs(f: &HandlerFn, claims: ClaimsParam, policy: &Ident) -> TokenStream {
    let mut params = Vec::with_capacity(f.sig.inputs.len() + 1);
    let claims_ty = claims_type(f, claims);
    params.push(quote! {
        _: ::usso::__private::Guard<#claims_ty, #policy>
    });
    for (i, input) in f.sig.inputs.iter().enumerate() {
        match input {
            FnArg::Typed(pat_type) if Some(i) == claims.index => {
                let PatType {
                    attrs,
                    pat,
                    colon_token,
                    ty,
                } = pat_type;
                let attrs = attrs.iter().filter(|attr| !is_claims_attr(attr));
                let pat = quote_spanned!(pat.span()=> ::usso::__private::Authorized(#pat, _));
                let ty = quote_spanned!(ty.span()=> ::usso::__private::Authorized<#ty, #policy>);
                params.push(quote!(#(#attrs)* #pat #colon_token #ty));
            }
            other => params.push(other.to_token_stream()),
        }
    }
    quote!(#(#params),*)
}
