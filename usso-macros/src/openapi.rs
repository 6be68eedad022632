//! OpenAPI: a `#[utoipa::path(..)]` below a usso attribute gets the
//! handler's policy as its `security` and at the end of its description.
//!
//! The macros can't see usso's features, so the expansion offers both forms
//! and lets `usso` choose (its `utoipa` feature) through a `macro_rules!`:
//!
//! ```text
//! ::usso::__private::openapi_select! {
//!     { <handler, with #[utoipa::path(.., description = .., security(("usso" = [..]), ..))]> }
//!     { <handler, with #[utoipa::path(..)] as written> }
//! }
//! ```
//!
//! A handler without a visible `#[utoipa::path]` gets
//! `::usso::__private::openapi_order_check!(__usso_openapi_probe_<fn>, __path_<fn>);`,
//! which (with the feature) fails to compile if `#[utoipa::path]` was above
//! the usso attribute and so expanded first, defining `__path_<fn>`.
//!
//! What `security` says, from the policy's conjuncts: a scope is
//! `[scope]`, a disjunction the union of its alternatives, a conjunction the
//! product, and anything else (a role, a workspace, `not(..)`) `[]`: a token,
//! no particular scope. Alternatives that contain another are dropped
//! (`a or (a and b)` is `a`).

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Attribute, Expr, Lit, Meta};

use crate::expand;
use crate::policy::Policy;
use crate::req::{Req, ReqKind, Value};
use crate::signature::{ClaimsParam, HandlerFn};

/// The security scheme name; `usso::openapi::SCHEME`.
const SCHEME: &str = "usso";

/// More alternatives than this and `security` lists only the token.
const MAX_ALTERNATIVES: usize = 16;

/// What to do with the handler's OpenAPI operation, decided while validating.
pub(crate) enum Doc {
    /// No `#[utoipa::path]` on the function: check that it wasn't above.
    None,
    /// Replace the attribute at `index` with `attr`.
    Rewrite { index: usize, attr: Box<Attribute> },
    /// The attribute can't take the policy: these errors, with the feature.
    Invalid(syn::Error),
}

impl Doc {
    /// Finds `#[utoipa::path]` on `f` and writes the policy into it.
    pub(crate) fn validate(f: &HandlerFn, policy: &Policy) -> Self {
        let Some(index) = f.attrs.iter().position(is_utoipa_path) else {
            return Self::None;
        };
        match rewrite(&f.attrs[index], f, policy) {
            Ok(attr) => Self::Rewrite {
                index,
                attr: Box::new(attr),
            },
            Err(errors) => Self::Invalid(errors),
        }
    }
}

/// The handler (`expand::expand`), documented as `doc` says.
pub(crate) fn expand(f: &HandlerFn, policy: &Policy, claims: ClaimsParam, doc: Doc) -> TokenStream {
    let plain = expand::expand(f, policy, claims);
    let documented = match doc {
        Doc::None => {
            let name = f.sig.ident.unraw();
            let probe = format_ident!("__usso_openapi_probe_{}", name);
            let path = format_ident!("__path_{}", name, span = f.sig.ident.span());
            let cfgs = f.cfg_attrs();
            return quote! {
                #plain
                #(#cfgs)*
                ::usso::__private::openapi_order_check!(#probe, #path);
            };
        }
        Doc::Rewrite { index, attr } => {
            let mut documented = f.clone();
            documented.attrs[index] = *attr;
            expand::expand(&documented, policy, claims)
        }
        Doc::Invalid(errors) => {
            let errors = errors.to_compile_error();
            quote!(#errors #plain)
        }
    };
    quote! {
        ::usso::__private::openapi_select! { { #documented } { #plain } }
    }
}

/// `#[utoipa::path(..)]` or `#[::utoipa::path(..)]`.
fn is_utoipa_path(attr: &Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments == ["utoipa", "path"]
}

/// The attribute with `description = ..` and `security(..)` from the policy.
fn rewrite(attr: &Attribute, f: &HandlerFn, policy: &Policy) -> Result<Attribute, syn::Error> {
    let Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(
            attr,
            "expected `#[utoipa::path(..)]` with arguments",
        ));
    };
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };

    let mut kept = Vec::new();
    let mut description: Option<TokenStream> = None;
    let mut args = split_commas(list.tokens.clone()).into_iter();
    while let Some(arg) = args.next() {
        match arg.clone().into_iter().next() {
            Some(TokenTree::Ident(ident)) if ident == "security" => push(syn::Error::new_spanned(
                &arg,
                "usso writes this operation's `security` from the handler's policy: \
                 remove `security(..)` here",
            )),
            Some(TokenTree::Ident(ident)) if ident == "description" => {
                match arg.clone().into_iter().nth(1) {
                    Some(TokenTree::Punct(eq)) if eq.as_char() == '=' => {
                        // A top-level comma may be inside the expression
                        // (`f::<A, B>()`): take pieces until it parses.
                        let mut expr: TokenStream = arg.into_iter().skip(2).collect();
                        while syn::parse2::<Expr>(expr.clone()).is_err() {
                            let Some(more) = args.next() else { break };
                            expr.extend(quote!(, #more));
                        }
                        description = Some(expr);
                    }
                    _ => kept.push(arg),
                }
            }
            _ => kept.push(arg),
        }
    }

    let security = security(policy, &mut push);
    if let Some(errors) = errors {
        return Err(errors);
    }

    // The user's description, else the one utoipa takes from the doc comment.
    let existing = description.map_or_else(
        || {
            let text = doc_description(&f.attrs);
            quote!(#text)
        },
        |expr| quote!(::core::convert::AsRef::<str>::as_ref(&(#expr))),
    );
    let policy_ident = expand::policy_ident(&f.sig.ident);
    let description = quote! {
        description = ::usso::__private::openapi_description(
            #existing,
            &<#policy_ident as ::usso::__private::Policy>::REQUIREMENT,
        )
    };
    let mut tokens = quote!(#(#kept,)* #description, #security);
    // Keep the span of the user's arguments for utoipa's own errors.
    let mut group = Group::new(Delimiter::Parenthesis, std::mem::take(&mut tokens));
    group.set_span(list.delimiter.span().join());
    let mut rewritten = attr.clone();
    let path = &list.path;
    rewritten.meta = syn::parse2(quote!(#path #group))?;
    Ok(rewritten)
}

/// `security(("usso" = [..]), ..)`; a constant scope that would be listed is an error.
fn security(policy: &Policy, push: &mut impl FnMut(syn::Error)) -> TokenStream {
    let mut alternatives = vec![Vec::new()];
    for conjunct in &policy.conjuncts {
        alternatives = minimal(product(&alternatives, &dnf(conjunct)));
    }
    if alternatives.len() > MAX_ALTERNATIVES {
        alternatives = vec![Vec::new()];
    }
    let mut groups = Vec::new();
    for alternative in alternatives {
        let mut scopes = Vec::new();
        for value in alternative {
            match value {
                Value::Lit(lit) => scopes.push(lit),
                Value::Const(path) => push(syn::Error::new_spanned(
                    &path,
                    "`#[utoipa::path]` lists this scope in the operation's `security`, \
                     and utoipa takes string literals only: write the scope as a literal here",
                )),
            }
        }
        groups.push(quote!((#SCHEME = [#(#scopes),*])));
    }
    quote!(security(#(#groups),*))
}

/// The alternatives (each a set of scopes, all needed) under which `req` may hold.
fn dnf(req: &Req) -> Vec<Vec<Value>> {
    match &req.kind {
        ReqKind::Scope(value) => vec![vec![value.clone()]],
        ReqKind::All(reqs) => reqs.iter().fold(vec![Vec::new()], |acc, req| {
            minimal(product(&acc, &dnf(req)))
        }),
        ReqKind::Any(reqs) => minimal(reqs.iter().flat_map(dnf).collect()),
        ReqKind::Authenticated | ReqKind::Role(_) | ReqKind::Workspace | ReqKind::Not(_) => {
            vec![Vec::new()]
        }
    }
}

fn product(left: &[Vec<Value>], right: &[Vec<Value>]) -> Vec<Vec<Value>> {
    let mut out = Vec::with_capacity(left.len() * right.len());
    for l in left {
        for r in right {
            let mut both = l.clone();
            both.extend(r.iter().cloned());
            out.push(both);
        }
    }
    out
}

/// Sorted, deduplicated sets, without the sets that contain another one.
fn minimal(alternatives: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let mut sets: Vec<Vec<Value>> = alternatives
        .into_iter()
        .map(|mut set| {
            set.sort_by_key(Value::key);
            set.dedup_by_key(|v| v.key());
            set
        })
        .collect();
    sets.sort_by_key(|set| (set.len(), set.iter().map(Value::key).collect::<Vec<_>>()));
    sets.dedup_by_key(|set| set.iter().map(Value::key).collect::<Vec<_>>());
    let mut kept: Vec<Vec<Value>> = Vec::new();
    for set in sets {
        let contains = |smaller: &Vec<Value>| {
            smaller
                .iter()
                .all(|v| set.iter().any(|w| w.key() == v.key()))
        };
        if !kept.iter().any(contains) {
            kept.push(set);
        }
    }
    kept
}

/// The description utoipa derives from the doc comment: the paragraphs
/// after the first (the summary), as `utoipa-gen` splits them.
fn doc_description(attrs: &[Attribute]) -> String {
    let mut docs: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(doc), ..
                }) => {
                    let doc = doc.value();
                    Some(doc.trim_end().to_owned())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    let indent = docs
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    for line in &mut docs {
        if !line.is_empty() {
            line.drain(..indent);
        }
    }
    let mut paragraphs = docs.split(|line| line.trim().is_empty());
    let _summary = paragraphs.next();
    paragraphs
        .map(|lines| lines.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Top-level comma-separated pieces (empty ones dropped).
fn split_commas(tokens: TokenStream) -> Vec<TokenStream> {
    let mut pieces = Vec::new();
    let mut current = TokenStream::new();
    for tree in tokens {
        match tree {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                if !current.is_empty() {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            other => current.extend([other]),
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;

    use super::*;
    use crate::attr::{GuardAttr, GuardKind};
    use crate::errors::Errors;

    fn ts(source: &str) -> TokenStream {
        match source.parse() {
            Ok(tokens) => tokens,
            Err(err) => panic!("test input does not lex: {err}"),
        }
    }

    /// `Doc::validate` for `#[<kind>(<args>)]` on `item`.
    fn doc(kind: GuardKind, args: &str, item: &str) -> Doc {
        let mut f: HandlerFn = syn::parse2(ts(item)).unwrap();
        let mut attrs = vec![GuardAttr::outermost(kind, ts(args))];
        attrs.extend(f.take_guard_attrs());
        let mut errors = Errors::default();
        let policy = Policy::build(&attrs, &mut errors);
        assert!(errors.finish().is_ok(), "the policy itself is valid");
        Doc::validate(&f, &policy)
    }

    /// The rewritten `#[utoipa::path(..)]`, as text.
    fn rewritten(kind: GuardKind, args: &str, item: &str) -> String {
        match doc(kind, args, item) {
            Doc::Rewrite { attr, .. } => quote!(#attr).to_string(),
            Doc::None => panic!("no utoipa attribute found"),
            Doc::Invalid(e) => panic!("unexpected errors: {e}"),
        }
    }

    /// The `security(..)` argument written for `#[<kind>(<args>)]`.
    fn security_of(kind: GuardKind, args: &str) -> String {
        let attr = rewritten(
            kind,
            args,
            r#"#[utoipa::path(get, path = "/x")] async fn h() {}"#,
        );
        let start = attr.find("security").unwrap();
        let security = &attr[start..];
        security.strip_suffix(")]").unwrap_or(security).to_owned()
    }

    fn security(groups: &[&[&str]]) -> String {
        let groups = groups
            .iter()
            .map(|scopes| quote!((#SCHEME = [#(#scopes),*])));
        quote!(security(#(#groups),*)).to_string()
    }

    #[test]
    fn scopes_become_security_alternatives() {
        assert_eq!(
            security_of(GuardKind::Scope, r#""write:posts", "read:posts""#),
            security(&[&["read:posts", "write:posts"]])
        );
        assert_eq!(
            security_of(GuardKind::AnyScope, r#""b", "a""#),
            security(&[&["a"], &["b"]])
        );
        // A conjunction of disjunctions: the product.
        assert_eq!(
            security_of(
                GuardKind::Require,
                r#"all(any(scope("a"), scope("b")), any(scope("c"), scope("d")))"#
            ),
            security(&[&["a", "c"], &["a", "d"], &["b", "c"], &["b", "d"]])
        );
        // `a or (a and b)` is `a`; a role alternative needs no scope.
        assert_eq!(
            security_of(
                GuardKind::Require,
                r#"any(scope("a"), all(scope("a"), scope("b")))"#
            ),
            security(&[&["a"]])
        );
        assert_eq!(
            security_of(GuardKind::Require, r#"any(scope("a"), role("admin"))"#),
            security(&[&[]])
        );
        // A scope under `not` is not something to hold; constants there are fine.
        assert_eq!(
            security_of(GuardKind::Require, r#"not(scope(BANNED))"#),
            security(&[&[]])
        );
        for kind in [GuardKind::Auth, GuardKind::Workspace] {
            assert_eq!(security_of(kind, ""), security(&[&[]]));
        }
        assert_eq!(security_of(GuardKind::Role, "ADMIN"), security(&[&[]]));
    }

    #[test]
    fn too_many_alternatives_list_only_the_token() {
        let any = |a: &str, b: &str| format!(r#"any(scope("{a}"), scope("{b}"))"#);
        let five = ["a", "b", "c", "d", "e"]
            .map(|x| any(&format!("{x}1"), &format!("{x}2")))
            .join(", ");
        // 2^5 = 32 alternatives > 16.
        assert_eq!(
            security_of(GuardKind::Require, &format!("all({five})")),
            security(&[&[]])
        );
    }

    #[test]
    fn the_description_keeps_the_users_text() {
        let attr = rewritten(
            GuardKind::Scope,
            r#""a""#,
            r#"
            /// Summary line.
            ///
            /// First paragraph,
            /// second line.
            ///
            ///
            /// Second paragraph.
            #[utoipa::path(get, path = "/x", tag = "t")]
            async fn h() {}
            "#,
        );
        let text = "First paragraph,\nsecond line.\n\n\n\nSecond paragraph.";
        let expected = quote! {
            description = ::usso::__private::openapi_description(
                #text,
                &<__usso_policy_h as ::usso::__private::Policy>::REQUIREMENT,
            )
        };
        assert!(attr.contains(&expected.to_string()), "{attr}");
        // The other arguments are kept, in order, before ours.
        let kept = quote!(utoipa::path(
            get,
            path = "/x",
            tag = "t",
            description = ::usso
        ));
        let kept = kept.to_string();
        assert!(
            attr.contains(kept.trim_end_matches(" usso )").trim_end_matches(')')),
            "{attr}"
        );

        // An explicit description, even with a comma inside, is used as is.
        let attr = rewritten(
            GuardKind::Auth,
            "",
            r#"#[utoipa::path(get, description = f::<A, B>(), path = "/x")] async fn h() {}"#,
        );
        assert!(
            attr.contains(
                ":: core :: convert :: AsRef :: < str > :: as_ref (& (f ::< A , B > ()))"
            ),
            "{attr}"
        );
        assert_eq!(attr.matches("description =").count(), 1, "{attr}");
    }

    #[test]
    fn doc_descriptions_split_as_utoipa_does() {
        let f: HandlerFn = syn::parse2(ts("/// Only a summary.\nasync fn h() {}")).unwrap();
        assert_eq!(doc_description(&f.attrs), "");
        let f: HandlerFn = syn::parse2(ts(
            "#[doc = \"  Sum.\"] #[doc = \"\"] #[doc = \"    indented\"] #[doc = \"  b  \"] async fn h() {}",
        ))
        .unwrap();
        assert_eq!(doc_description(&f.attrs), "  indented\nb");
    }

    #[test]
    fn a_security_argument_and_a_listed_constant_are_refused() {
        let Doc::Invalid(errors) = doc(
            GuardKind::Scope,
            "READ_POSTS",
            r#"#[utoipa::path(get, path = "/x", security(("bearer" = [])))] async fn h() {}"#,
        ) else {
            panic!("expected errors");
        };
        let errors: Vec<(String, String)> = errors
            .into_iter()
            .map(|e| (e.to_string(), e.span().source_text().unwrap_or_default()))
            .collect();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(
            errors[0].0.contains("remove `security(..)` here"),
            "{errors:#?}"
        );
        assert_eq!(errors[0].1, r#"security(("bearer" = []))"#);
        assert!(
            errors[1].0.contains("write the scope as a literal"),
            "{errors:#?}"
        );
        assert_eq!(errors[1].1, "READ_POSTS");
    }

    #[test]
    fn only_utoipa_path_is_recognised() {
        for other in [
            r#"#[path(get, path = "/x")] async fn h() {}"#,
            r#"#[other::path(get)] async fn h() {}"#,
            "async fn h() {}",
        ] {
            assert!(
                matches!(doc(GuardKind::Auth, "", other), Doc::None),
                "{other}"
            );
        }
        assert!(matches!(
            doc(
                GuardKind::Auth,
                "",
                r#"#[::utoipa::path(get, path = "/x")] async fn h() {}"#
            ),
            Doc::Rewrite { index: 0, .. }
        ));
    }

    #[test]
    fn the_expansion_offers_both_forms_to_usso() {
        let output = crate::guard::try_expand(
            GuardKind::Scope,
            ts(r#""a""#),
            ts(r#"#[utoipa::path(get, path = "/x")] async fn h() {}"#),
        )
        .unwrap_or_else(|_| panic!("expands"))
        .to_string();
        assert!(
            output.starts_with(":: usso :: __private :: openapi_select !"),
            "{output}"
        );
        // The policy type is in both forms; security only in the first.
        assert_eq!(
            output.matches("struct __usso_policy_h").count(),
            2,
            "{output}"
        );
        assert_eq!(output.matches("security").count(), 1, "{output}");
        assert!(!output.contains("openapi_order_check"), "{output}");
    }
}
