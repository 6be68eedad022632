//! Code generation for a validated handler. Nothing here can fail.
//!
//! ```text
//! #[doc(hidden)] #[allow(..)] #[derive(Clone, Copy, Debug)]
//! <vis> struct __usso_policy_<fn>;
//! impl ::usso::__private::Policy for __usso_policy_<fn> {
//!     const REQUIREMENT: ::usso::__private::Requirement = ::usso::__private::Requirement::All(&[..]);
//! }
//! const _: () = { let _ = ::usso::__private::assert_workspace_claims::<Claims>; };  // workspace only
//! <attrs> <vis> async fn <fn><generics>(<params, claims rewritten>) -> <ret> <where> { { <body> } }
//! ```
//!
//! (`guard.rs` adds `const _: () = { use <path> as _; };` for the usso
//! attributes folded into this policy, so that their imports count as used.)

use proc_macro2::{Group, Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::policy::Policy;
use crate::signature::{self, ClaimsParam, HandlerFn};

/// The name of the hidden policy type of handler `ident`.
pub(crate) fn policy_ident(ident: &Ident) -> Ident {
    format_ident!("__usso_policy_{}", ident.unraw())
}

/// The policy type, its `Policy` impl, the workspace check and the rewritten handler.
pub(crate) fn expand(f: &HandlerFn, policy: &Policy, claims: ClaimsParam) -> TokenStream {
    let policy_ident = policy_ident(&f.sig.ident);
    let vis = &f.vis;
    let cfgs: Vec<_> = f.cfg_attrs().collect();

    // The claims type must support workspaces: checked next to the policy type,
    // or inside the body when the claims type uses the handler's generics.
    let workspace_check = policy.needs_workspace().then(|| {
        let ty = signature::claims_type(f, claims);
        quote_spanned!(ty.span()=> let _ = ::usso::__private::assert_workspace_claims::<#ty>;)
    });
    let (item_check, body_check) = match workspace_check {
        Some(check) if signature::claims_type_is_generic(f, claims) => (None, Some(check)),
        Some(check) => (Some(quote!(#(#cfgs)* const _: () = { #check };)), None),
        None => (None, None),
    };

    let handler = rewrite_fn(f, claims, &policy_ident, body_check.as_ref());
    quote! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, unreachable_pub)]
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug)]
        #vis struct #policy_ident;

        #(#cfgs)*
        impl ::usso::__private::Policy for #policy_ident {
            const REQUIREMENT: ::usso::__private::Requirement = #policy;
        }

        #item_check

        #handler
    }
}

/// Re-emits the function piece by piece (tracing's `gen_function`), keeping
/// the user's spans, with the claims parameter rewritten and the body in its own block.
fn rewrite_fn(
    f: &HandlerFn,
    claims: ClaimsParam,
    policy_ident: &Ident,
    body_check: Option<&TokenStream>,
) -> TokenStream {
    let HandlerFn {
        attrs,
        vis,
        sig,
        body,
    } = f;
    let syn::Signature {
        constness,
        asyncness,
        unsafety,
        abi,
        fn_token,
        ident,
        generics,
        paren_token,
        output,
        ..
    } = sig;
    let where_clause = &generics.where_clause;

    let mut params = TokenStream::new();
    paren_token.surround(&mut params, |tokens| {
        tokens.extend(signature::rewrite_inputs(f, claims, policy_ident));
    });

    // The inner braces are ours (call-site span): with the user's span,
    // `unused_braces` would fire on the user's code for single-expression bodies.
    let (inner_attrs, stmts) = f.split_body();
    let block = Group::new(proc_macro2::Delimiter::Brace, stmts);
    let mut fn_body = Group::new(
        proc_macro2::Delimiter::Brace,
        quote!(#(#inner_attrs)* #body_check #block),
    );
    fn_body.set_span(body.span());

    quote! {
        #(#attrs)*
        #vis #constness #asyncness #unsafety #abi #fn_token #ident #generics #params #output #where_clause
        #fn_body
    }
}
