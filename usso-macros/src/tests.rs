//! Parse → validate → expand on token streams, asserting on the rendered
//! expansion and on error messages and their spans.

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr::GuardKind;
use crate::consts::{self, ConstKind};
use crate::guard::{self, Failure};

/// Tokens with real source locations (so error spans can be checked).
fn ts(source: &str) -> TokenStream {
    match source.parse() {
        Ok(tokens) => tokens,
        Err(err) => panic!("test input does not lex: {err}"),
    }
}

/// The expansion, which must succeed.
fn expand(kind: GuardKind, args: &str, item: &str) -> String {
    match guard::try_expand(kind, ts(args), ts(item)) {
        Ok(output) => output.to_string(),
        Err(Failure { errors, .. }) => panic!("unexpected errors: {errors:?}"),
    }
}

/// Every error as `(message, spanned source text)`, plus the fallback output.
fn fail(kind: GuardKind, args: &str, item: &str) -> (Vec<(String, String)>, String) {
    match guard::try_expand(kind, ts(args), ts(item)) {
        Ok(output) => panic!("expected errors, got: {output}"),
        Err(Failure { errors, fallback }) => (messages(errors), fallback.to_string()),
    }
}

fn messages(errors: syn::Error) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|err| {
            let text = err
                .span()
                .source_text()
                .unwrap_or_else(|| "<call site>".into());
            (err.to_string(), text)
        })
        .collect()
}

/// A single error, as `(message, spanned source text)`.
fn fail_one(kind: GuardKind, args: &str, item: &str) -> (String, String) {
    let (mut errors, _) = fail(kind, args, item);
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.remove(0)
}

fn req(variant: TokenStream) -> TokenStream {
    quote!(::usso::__private::Requirement::#variant)
}

/// The policy type and impl the expansion starts with.
fn policy_items(name: &str, vis: TokenStream, requirement: TokenStream) -> String {
    let ident = quote::format_ident!("{name}");
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, unreachable_pub)]
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug)]
        #vis struct #ident;
        impl ::usso::__private::Policy for #ident {
            const REQUIREMENT: ::usso::__private::Requirement = #requirement;
        }
    }
    .to_string()
}

/// What follows a handler without `#[utoipa::path]`: the check that it was
/// not above the usso attribute (see `openapi.rs`).
fn order_check(name: &str) -> String {
    let probe = quote::format_ident!("__usso_openapi_probe_{name}");
    let path = quote::format_ident!("__path_{name}");
    quote!(::usso::__private::openapi_order_check!(#probe, #path);).to_string()
}

const HANDLER: &str = "async fn handler(user: UserData) -> String { user.sub }";

// ---------------------------------------------------------------- expansions

#[test]
fn require_scope_rewrites_the_claims_parameter() {
    let output = expand(
        GuardKind::Scope,
        r#""write:posts""#,
        r#"
        #[tracing::instrument(skip_all)]
        /// docs
        pub async fn create_post<T: Clone>(State(db): State<Db>, user: UserData, Json(p): Json<Post>) -> impl IntoResponse where T: Send { body }
        "#,
    );
    let scope = req(quote!(Scope("write:posts")));
    let expected = policy_items(
        "__usso_policy_create_post",
        quote!(pub),
        req(quote!(All(&[#scope]))),
    ) + " "
        + &quote! {
            #[tracing::instrument(skip_all)]
            #[doc = " docs"]
            pub async fn create_post<T: Clone>(
                _: ::usso::__private::Guard<UserData, __usso_policy_create_post>,
                State(db): State<Db>,
                ::usso::__private::Authorized(user, _): ::usso::__private::Authorized<UserData, __usso_policy_create_post>,
                Json(p): Json<Post>
            ) -> impl IntoResponse where T: Send { { body } }
        }
        .to_string()
        + " "
        + &order_check("create_post");
    assert_eq!(output, expected);
}

#[test]
fn require_scope_with_several_scopes_requires_all_of_them() {
    let output = expand(GuardKind::Scope, r#""read:posts", "write:posts""#, HANDLER);
    let (a, b) = (
        req(quote!(Scope("read:posts"))),
        req(quote!(Scope("write:posts"))),
    );
    assert!(
        output.contains(&req(quote!(All(&[#a, #b]))).to_string()),
        "{output}"
    );
}

#[test]
fn require_any_scope_is_one_any_conjunct() {
    let output = expand(GuardKind::AnyScope, r#""a:x", "b:y""#, HANDLER);
    let (a, b) = (req(quote!(Scope("a:x"))), req(quote!(Scope("b:y"))));
    let any = req(quote!(Any(&[#a, #b])));
    assert!(
        output.contains(&req(quote!(All(&[#any]))).to_string()),
        "{output}"
    );
}

#[test]
fn require_role_and_require_any_role() {
    let output = expand(GuardKind::Role, r#""admin""#, HANDLER);
    let admin = req(quote!(Role("admin")));
    assert!(
        output.contains(&req(quote!(All(&[#admin]))).to_string()),
        "{output}"
    );

    let output = expand(GuardKind::AnyRole, r#""editor", "admin""#, HANDLER);
    let editor = req(quote!(Role("editor")));
    let any = req(quote!(Any(&[#editor, #admin])));
    assert!(
        output.contains(&req(quote!(All(&[#any]))).to_string()),
        "{output}"
    );
}

#[test]
fn require_auth_without_claims_prepends_a_parameter() {
    let output = expand(
        GuardKind::Auth,
        "",
        "async fn ping(State(s): State<AppState>, body: String) -> &'static str { \"pong\" }",
    );
    let expected = policy_items(
        "__usso_policy_ping",
        quote!(),
        req(quote!(All(&[
            ::usso::__private::Requirement::Authenticated
        ]))),
    ) + " "
        + &quote! {
            async fn ping(
                _: ::usso::__private::Guard<::usso::__private::UserData, __usso_policy_ping>,
                State(s): State<AppState>,
                body: String
            ) -> &'static str { { "pong" } }
        }
        .to_string()
        + " "
        + &order_check("ping");
    assert_eq!(output, expected);
}

#[test]
fn require_expression_nests_and_flattens_top_level_all() {
    let output = expand(
        GuardKind::Require,
        r#"all(scope("write:posts"), any(role("editor"), role("admin")), not(role("banned")))"#,
        HANDLER,
    );
    let scope = req(quote!(Scope("write:posts")));
    let (editor, admin, banned) = (
        req(quote!(Role("editor"))),
        req(quote!(Role("admin"))),
        req(quote!(Role("banned"))),
    );
    let any = req(quote!(Any(&[#editor, #admin])));
    let not = req(quote!(Not(&#banned)));
    let expected = req(quote!(All(&[#scope, #any, #not])));
    assert!(output.contains(&expected.to_string()), "{output}");
}

#[test]
fn require_expression_without_all_is_one_conjunct() {
    let output = expand(
        GuardKind::Require,
        r#"any(scope(READ_POSTS), workspace())"#,
        HANDLER,
    );
    let scope = req(quote!(Scope(READ_POSTS)));
    let workspace = req(quote!(Workspace));
    let any = req(quote!(Any(&[#scope, #workspace])));
    assert!(
        output.contains(&req(quote!(All(&[#any]))).to_string()),
        "{output}"
    );
    // `workspace()` anywhere makes the claims type subject to the workspace check.
    assert!(
        output.contains("assert_workspace_claims :: < UserData >"),
        "{output}"
    );
}

#[test]
fn workspace_scoped_adds_the_requirement_and_the_claims_check() {
    let output = expand(GuardKind::Workspace, "", "pub(crate) async fn list() {}");
    let expected =
        policy_items(
            "__usso_policy_list",
            quote!(pub(crate)),
            req(quote!(All(&[::usso::__private::Requirement::Workspace]))),
        ) + " " + &quote! {
            const _: () = {
                let _ = ::usso::__private::assert_workspace_claims::<::usso::__private::UserData>;
            };
            pub(crate) async fn list(
                _: ::usso::__private::Guard<::usso::__private::UserData, __usso_policy_list>
            ) { {} }
        }
        .to_string() + " " + &order_check("list");
    assert_eq!(output, expected);
}

#[test]
fn workspace_scoped_checks_a_custom_claims_type_and_strips_the_marker() {
    let output = expand(
        GuardKind::Workspace,
        "",
        "async fn list(#[claims] mut me: MyClaims, Path(id): Path<u32>) {}",
    );
    assert!(
        output.contains(
            &quote!(
                const _: () = {
                    let _ = ::usso::__private::assert_workspace_claims::<MyClaims>;
                };
            )
            .to_string()
        ),
        "{output}"
    );
    assert!(
        output.contains(
            &quote!(async fn list(
                _: ::usso::__private::Guard<MyClaims, __usso_policy_list>,
                ::usso::__private::Authorized(mut me, _): ::usso::__private::Authorized<MyClaims, __usso_policy_list>,
                Path(id): Path<u32>
            ))
            .to_string()
        ),
        "{output}"
    );
    assert!(
        !output.contains("claims ]"),
        "`#[claims]` must be stripped: {output}"
    );
}

#[test]
fn workspace_check_moves_into_the_body_for_generic_claims() {
    let output = expand(
        GuardKind::Workspace,
        "",
        "async fn list<C: Claims>(#[claims] me: C) -> String where C: Send { #![allow(unused)] me.id() }",
    );
    assert!(!output.contains("const _"), "{output}");
    let body = quote! {
        where C: Send {
            #![allow(unused)]
            let _ = ::usso::__private::assert_workspace_claims::<C>;
            { me.id() }
        }
    };
    assert!(output.contains(&body.to_string()), "{output}");
}

#[test]
fn combined_attributes_make_one_policy_and_keep_other_attributes() {
    let output = expand(
        GuardKind::Scope,
        r#""read:posts""#,
        r#"
        #[usso::require_role("editor")]
        #[tracing::instrument]
        #[require(not(role("banned")))]
        #[axum::debug_handler]
        #[workspace_scoped]
        /// Lists posts.
        async fn list_posts(UserData { sub, .. }: usso::UserData) -> String { sub }
        "#,
    );
    let scope = req(quote!(Scope("read:posts")));
    let editor = req(quote!(Role("editor")));
    let banned = req(quote!(Role("banned")));
    let not = req(quote!(Not(&#banned)));
    let workspace = req(quote!(Workspace));
    let policy = req(quote!(All(&[#scope, #editor, #not, #workspace])));
    assert!(output.contains(&policy.to_string()), "{output}");
    assert_eq!(
        output
            .matches("impl :: usso :: __private :: Policy")
            .count(),
        1
    );
    let handler = quote! {
        #[tracing::instrument]
        #[axum::debug_handler]
        #[doc = " Lists posts."]
        async fn list_posts(
            _: ::usso::__private::Guard<usso::UserData, __usso_policy_list_posts>,
            ::usso::__private::Authorized(UserData { sub, .. }, _): ::usso::__private::Authorized<usso::UserData, __usso_policy_list_posts>
        ) -> String { { sub } }
    };
    // The folded attributes never expand, so their imports are marked used.
    let used = quote! {
        const _: () = {
            #[allow(unused_imports)] use usso::require_role as _;
            #[allow(unused_imports)] use require as _;
            #[allow(unused_imports)] use workspace_scoped as _;
        };
    };
    assert!(
        output.ends_with(&format!("{handler} {} {used}", order_check("list_posts"))),
        "{output}"
    );
}

#[test]
fn constants_are_named_not_inlined() {
    let output = expand(
        GuardKind::Scope,
        "READ_POSTS, crate::scopes::WRITE_POSTS",
        HANDLER,
    );
    let (a, b) = (
        req(quote!(Scope(READ_POSTS))),
        req(quote!(Scope(crate::scopes::WRITE_POSTS))),
    );
    assert!(
        output.contains(&req(quote!(All(&[#a, #b]))).to_string()),
        "{output}"
    );

    let output = expand(GuardKind::AnyRole, "roles::ADMIN, \"editor\"", HANDLER);
    let (a, b) = (req(quote!(Role(roles::ADMIN))), req(quote!(Role("editor"))));
    assert!(
        output.contains(&req(quote!(Any(&[#a, #b]))).to_string()),
        "{output}"
    );
}

#[test]
fn cfg_attributes_are_copied_and_raw_idents_unrawed() {
    let output = expand(
        GuardKind::Auth,
        "",
        "#[cfg(feature = \"admin\")] pub async fn r#type(user: UserData) {}",
    );
    assert!(
        output.starts_with(&quote!(#[cfg(feature = "admin")] #[doc(hidden)]).to_string()),
        "{output}"
    );
    assert!(
        output.contains(&quote!(#[cfg(feature = "admin")] impl ::usso::__private::Policy for __usso_policy_type).to_string()),
        "{output}"
    );
    assert!(output.contains("pub async fn r#type"), "{output}");
}

#[test]
fn body_with_syntax_errors_is_passed_through() {
    // The body is not parsed, so rustc reports its own error inside it.
    let output = expand(GuardKind::Auth, "", "async fn f() { let = ; }");
    assert!(
        output.ends_with(&format!("{{ {{ let = ; }} }} {}", order_check("f"))),
        "{output}"
    );
}

// ---------------------------------------------------------------- errors

#[test]
fn error_not_async() {
    let (msg, span) = fail_one(
        GuardKind::Scope,
        r#""read:posts""#,
        "pub fn f(user: UserData) {}",
    );
    assert_eq!(msg, "`#[require_scope]` only supports `async fn` handlers");
    assert_eq!(span, "fn");
}

#[test]
fn error_invalid_scope_literals() {
    let cases = [
        (
            r#""""#,
            "`#[require_scope]`: empty scope; expected `[action:]resource[?key=value]`, e.g. `read:posts`",
        ),
        (
            r#""read posts""#,
            "`#[require_scope]`: invalid scope `read posts`: whitespace is not allowed",
        ),
        (
            r#""read:""#,
            "`#[require_scope]`: invalid scope `read:`: scope has an empty path (use `*` for every resource); expected `[action:]resource[?key=value]`, e.g. `read:posts`",
        ),
        (
            r#"":posts""#,
            "`#[require_scope]`: invalid scope `:posts`: scope has an empty action before `:`; expected `[action:]resource[?key=value]`, e.g. `read:posts`",
        ),
        (
            r#""read:posts?a=1&a=2""#,
            "`#[require_scope]`: invalid scope `read:posts?a=1&a=2`: scope filter `a` is repeated; expected `[action:]resource[?key=value]`, e.g. `read:posts`",
        ),
        (
            r#""read:posts?user""#,
            "`#[require_scope]`: invalid scope `read:posts?user`: scope filter `user` is not `key=value`; expected `[action:]resource[?key=value]`, e.g. `read:posts`",
        ),
    ];
    for (arg, expected) in cases {
        let (msg, span) = fail_one(GuardKind::Scope, arg, HANDLER);
        assert_eq!(msg, expected);
        assert_eq!(span, arg, "the error is on the literal");
    }
}

#[test]
fn error_all_problems_are_reported_at_once() {
    let (errors, fallback) = fail(
        GuardKind::Scope,
        r#""read posts", "read:", 42"#,
        r#"#[require_role("")] #[tracing::instrument] fn f(user: UserData, #[claims] other: Claims) {}"#,
    );
    let spans: Vec<&str> = errors.iter().map(|(_, span)| span.as_str()).collect();
    assert_eq!(
        spans,
        [
            "fn",
            "#[claims] other: Claims",
            r#""read posts""#,
            r#""read:""#,
            "42",
            r#""""#,
        ],
        "{errors:#?}"
    );
    assert_eq!(
        errors[4].0,
        "`#[require_scope]`: expected a scope literal like `\"read:posts\"` or a constant declared with `usso::scopes!`, found `42`"
    );
    assert_eq!(
        errors[5].0,
        "`#[require_role]`: empty role; a role is a non-empty string without whitespace, e.g. `admin`"
    );
    // The original function comes back, without usso attributes or `#[claims]`.
    assert_eq!(
        fallback,
        quote! {
            const _: () = { #[allow(unused_imports)] use require_role as _; };
            #[tracing::instrument] fn f(user: UserData, other: Claims) {}
        }
        .to_string()
    );
}

#[test]
fn error_duplicates_point_at_the_second_occurrence() {
    let (msg, span) = fail_one(GuardKind::Scope, r#""read:posts", "read:posts""#, HANDLER);
    assert_eq!(msg, "`#[require_scope]`: duplicate scope `read:posts`");
    assert_eq!(span, r#""read:posts""#);

    let (msg, span) = fail_one(
        GuardKind::Role,
        r#""admin""#,
        r#"#[usso::require_role("editor", "admin")] async fn f() {}"#,
    );
    assert_eq!(msg, "`#[require_role]`: duplicate role `admin`");
    assert_eq!(span, r#""admin""#);

    let (msg, _) = fail_one(GuardKind::AnyScope, "READ, READ", HANDLER);
    assert_eq!(msg, "`#[require_any_scope]`: duplicate scope `READ`");

    let (msg, span) = fail_one(GuardKind::Require, r#"any(role("a"), role("a"))"#, HANDLER);
    assert_eq!(msg, "`#[require]`: duplicate role `a`");
    assert_eq!(span, r#"role("a")"#);

    let (msg, span) = fail_one(
        GuardKind::Workspace,
        "",
        "#[workspace_scoped] async fn f() {}",
    );
    assert_eq!(msg, "`#[workspace_scoped]` is applied more than once");
    assert_eq!(span, "#[workspace_scoped]");
}

#[test]
fn error_unknown_function_in_require_suggests_valid_ones() {
    let (msg, span) = fail_one(
        GuardKind::Require,
        r#"all(scopes("read:posts"), role("admin"))"#,
        HANDLER,
    );
    assert_eq!(
        msg,
        "`#[require]`: unknown function `scopes` (did you mean `scope`?); expected one of \
         `all(..)`, `any(..)`, `not(..)`, `scope(..)`, `role(..)` or `workspace()`"
    );
    assert_eq!(span, "scopes");

    let (msg, _) = fail_one(GuardKind::Require, r#"has_claim("x")"#, HANDLER);
    assert!(
        msg.starts_with("`#[require]`: unknown function `has_claim`; expected one of"),
        "{msg}"
    );
}

#[test]
fn error_malformed_require_expressions() {
    let cases = [
        (
            r#""read:posts""#,
            r#""read:posts""#,
            "`#[require]`: expected one of `all(..)`, `any(..)`, `not(..)`, `scope(..)`, `role(..)` or `workspace()`, found a string literal; write `scope(\"read:posts\")` or `role(\"read:posts\")`",
        ),
        (
            "workspace",
            "workspace",
            "`#[require]`: `workspace` must be called: write `workspace()`",
        ),
        (
            r#"not(role("a"), role("b"))"#,
            r#"not(role("a"), role("b"))"#,
            "`#[require]`: `not(..)` takes exactly one requirement",
        ),
        (
            "any()",
            "any()",
            "`#[require]`: `any()` needs at least one requirement",
        ),
        (
            r#"scope("a:b", "c:d")"#,
            r#"scope("a:b", "c:d")"#,
            "`#[require]`: `scope(..)` takes exactly one scope, e.g. `scope(\"read:posts\")`",
        ),
        (
            r#"workspace("x")"#,
            r#""x""#,
            "`#[require]`: `workspace()` takes no arguments",
        ),
        (
            r#"role("a"), role("b")"#,
            r#"role("b")"#,
            "`#[require]` takes a single policy expression; combine several with `all(..)`",
        ),
        (
            r#"scope(role("a"))"#,
            r#"role("a")"#,
            "`#[require]`: expected a scope literal like `\"read:posts\"` or a constant declared with `usso::scopes!`, found `role(..)`",
        ),
        (
            r#"any(role("team lead"))"#,
            r#""team lead""#,
            "`#[require]`: invalid role `team lead`: whitespace is not allowed",
        ),
    ];
    for (args, expected_span, expected) in cases {
        let (msg, span) = fail_one(GuardKind::Require, args, HANDLER);
        assert_eq!(msg, expected, "for {args}");
        assert_eq!(span, expected_span, "for {args}");
    }
}

#[test]
fn error_unknown_argument() {
    let (msg, span) = fail_one(GuardKind::Scope, r#"scope = "read:posts""#, HANDLER);
    assert_eq!(
        msg,
        "`#[require_scope]`: unknown argument `scope`; expected a scope literal like \
         `\"read:posts\"` or a constant declared with `usso::scopes!`"
    );
    assert_eq!(span, "scope");

    let (msg, span) = fail_one(GuardKind::Require, r#"policy = "admin""#, HANDLER);
    assert!(
        msg.starts_with("`#[require]`: unknown argument `policy`;"),
        "{msg}"
    );
    assert_eq!(span, "policy");

    let (msg, _) = fail_one(GuardKind::Role, r#"role("admin")"#, HANDLER);
    assert_eq!(
        msg,
        "`#[require_role]`: expected a role literal like `\"admin\"` or a constant declared \
         with `usso::roles!`, found `role(..)`; policy expressions go in `#[require(..)]`"
    );
}

#[test]
fn error_empty_argument_lists() {
    for (kind, expected) in [
        (
            GuardKind::Scope,
            "`#[require_scope]` needs at least one scope, e.g. `#[require_scope(\"read:posts\")]`",
        ),
        (
            GuardKind::AnyRole,
            "`#[require_any_role]` needs at least one role, e.g. `#[require_any_role(\"admin\")]`",
        ),
    ] {
        let (msg, span) = fail_one(kind, "", HANDLER);
        assert_eq!(msg, expected);
        assert_eq!(span, "<call site>");
    }
    let (msg, span) = fail_one(
        GuardKind::Scope,
        r#""a:b""#,
        "#[usso::require_role] async fn f() {}",
    );
    assert_eq!(
        msg,
        "`#[require_role]` needs at least one role, e.g. `#[require_role(\"admin\")]`"
    );
    assert_eq!(span, "#[usso::require_role]");

    let (msg, _) = fail_one(GuardKind::Require, "", HANDLER);
    assert!(
        msg.starts_with("`#[require]` needs a policy expression, e.g."),
        "{msg}"
    );
}

#[test]
fn error_arguments_on_require_auth_and_workspace_scoped() {
    let (msg, span) = fail_one(GuardKind::Auth, r#""read:posts""#, HANDLER);
    assert_eq!(
        msg,
        "`#[require_auth]` takes no arguments; it only requires a valid token. Use \
         `#[require_scope(..)]`, `#[require_role(..)]` or `#[require(..)]` to require more"
    );
    assert_eq!(span, r#""read:posts""#);

    let (msg, span) = fail_one(
        GuardKind::Auth,
        "",
        "#[workspace_scoped(strict)] async fn f() {}",
    );
    assert_eq!(
        msg,
        "`#[workspace_scoped]` takes no arguments; it requires the token to carry a `workspace_id`"
    );
    assert_eq!(span, "strict");

    let (msg, span) = fail_one(
        GuardKind::Auth,
        "",
        "#[require_scope = \"a:b\"] async fn f() {}",
    );
    assert_eq!(msg, "`#[require_scope]`: expected `#[require_scope(...)]`");
    assert_eq!(span, "#[require_scope = \"a:b\"]");
}

#[test]
fn error_not_a_function() {
    let item = "#[derive(Debug)] pub struct Posts { id: u32 }";
    let (errors, fallback) = fail(GuardKind::Scope, r#""read:posts""#, item);
    assert_eq!(
        errors,
        [(
            "`#[require_scope]` can only be applied to `async fn` handlers, not to a struct"
                .to_owned(),
            item.to_owned()
        )]
    );
    assert_eq!(
        fallback,
        ts(item).to_string(),
        "the item comes back untouched"
    );

    let (msg, _) = fail_one(GuardKind::Auth, "", "impl Foo { async fn f(&self) {} }");
    assert_eq!(
        msg,
        "`#[require_auth]` can only be applied to `async fn` handlers, not to an `impl` block"
    );
}

#[test]
fn error_two_claims_parameters() {
    let (msg, span) = fail_one(
        GuardKind::Auth,
        "",
        "async fn f(user: UserData, #[claims] other: MyClaims) {}",
    );
    assert_eq!(
        msg,
        "`#[require_auth]`: a handler takes at most one claims parameter \
         (a `UserData` or a parameter marked `#[claims]`)"
    );
    assert_eq!(span, "#[claims] other: MyClaims");

    let (msg, span) = fail_one(
        GuardKind::Auth,
        "",
        "async fn f(#[claims(x)] me: MyClaims) {}",
    );
    assert_eq!(msg, "`#[require_auth]`: `#[claims]` takes no arguments");
    assert_eq!(span, "#[claims(x)]");
}

#[test]
fn error_self_receiver() {
    let (msg, span) = fail_one(
        GuardKind::Role,
        r#""admin""#,
        "pub async fn list(&self, user: UserData) {}",
    );
    assert_eq!(
        msg,
        "`#[require_role]` is not supported on methods: the policy type it generates can't be \
         emitted inside an `impl` block; use a free `async fn` handler instead"
    );
    assert_eq!(span, "&self");
}

#[test]
fn error_empty_and_spaced_roles() {
    let (msg, span) = fail_one(GuardKind::AnyRole, r#""editor", """#, HANDLER);
    assert_eq!(
        msg,
        "`#[require_any_role]`: empty role; a role is a non-empty string without whitespace, e.g. `admin`"
    );
    assert_eq!(span, r#""""#);

    let (msg, _) = fail_one(GuardKind::Role, r#""super admin""#, HANDLER);
    assert_eq!(
        msg,
        "`#[require_role]`: invalid role `super admin`: whitespace is not allowed"
    );
}

// ---------------------------------------------------------------- scopes! / roles!

#[test]
fn scopes_macro_declares_checked_constants() {
    let (output, errors) = consts::try_expand(
        ConstKind::Scopes,
        ts(r#"/// Read posts.
        pub READ_POSTS = "read:posts"; pub(crate) WRITE = "write:posts?user_id=me""#),
    );
    assert!(errors.is_none());
    let expected = quote! {
        #[doc = " Read posts."]
        pub const READ_POSTS: &str = "read:posts";
        #[doc = "The `write:posts?user_id=me` scope."]
        pub(crate) const WRITE: &str = "write:posts?user_id=me";
    };
    assert_eq!(output.to_string(), expected.to_string());
}

#[test]
fn scopes_and_roles_macros_report_invalid_literals_and_still_declare() {
    let (output, errors) = consts::try_expand(
        ConstKind::Scopes,
        ts(r#"pub A = "read posts"; pub B = "read:"; C "x"; D = 3;"#),
    );
    let errors = messages(errors.unwrap_or_else(|| panic!("expected errors")));
    assert_eq!(
        errors,
        [
            (
                "`scopes!`: invalid scope `read posts`: whitespace is not allowed".to_owned(),
                r#""read posts""#.to_owned()
            ),
            (
                "`scopes!`: invalid scope `read:`: scope has an empty path (use `*` for every \
                 resource); expected `[action:]resource[?key=value]`, e.g. `read:posts`"
                    .to_owned(),
                r#""read:""#.to_owned()
            ),
            (
                "`scopes!`: expected `=` after `C`".to_owned(),
                r#""x""#.to_owned()
            ),
            (
                "`scopes!`: expected a string literal after `D =`".to_owned(),
                "3".to_owned()
            ),
        ]
    );
    // The invalid-but-parsable entries are still declared.
    assert!(
        output.to_string().contains("pub const A : & str"),
        "{output}"
    );
    assert!(
        output.to_string().contains("pub const B : & str"),
        "{output}"
    );

    let (_, errors) = consts::try_expand(ConstKind::Roles, ts(r#"pub ADMIN = ""; OK = "a:b";"#));
    let errors = messages(errors.unwrap_or_else(|| panic!("expected errors")));
    assert_eq!(
        errors,
        [(
            "`roles!`: empty role; a role is a non-empty string without whitespace, e.g. `admin`"
                .to_owned(),
            r#""""#.to_owned()
        )]
    );
}

#[test]
fn a_conditional_claims_parameter_is_an_error() {
    let (errors, fallback) = fail(
        GuardKind::Role,
        r#""admin""#,
        r#"async fn wipe(#[cfg(feature = "audit")] user: UserData, State(db): State<Db>) {}"#,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .0
            .contains("the claims parameter can't be conditional"),
        "{errors:?}"
    );
    assert!(errors[0].1.contains("cfg"), "{errors:?}");
    assert!(fallback.contains("async fn wipe"), "{fallback}");
}

mod one_grammar {
    use proc_macro2::Span;
    use proptest::prelude::*;
    use quote::quote;

    use super::{HANDLER, ts};
    use crate::attr::GuardKind;
    use crate::consts::{self, ConstKind};
    use crate::guard;

    /// Whether each way of writing a scope in the macros accepts `scope`.
    fn macros_accept(scope: &str) -> [bool; 4] {
        let lit = syn::LitStr::new(scope, Span::call_site());
        let guard_ok = |kind, args| guard::try_expand(kind, args, ts(HANDLER)).is_ok();
        [
            guard_ok(GuardKind::Scope, quote!(#lit)),
            guard_ok(GuardKind::AnyScope, quote!(#lit)),
            guard_ok(GuardKind::Require, quote!(scope(#lit))),
            consts::try_expand(ConstKind::Scopes, quote!(pub A = #lit;))
                .1
                .is_none(),
        ]
    }

    fn scope_like() -> impl Strategy<Value = String> {
        prop_oneof![
            "([a-zA-Z*]{0,6}:)?[a-z*/:\\[\\]!.-]{0,12}(\\?[a-z:]{0,3}=[a-z*?:=]{0,4}(&[a-z]{0,2}=[a-z*]{0,3}){0,2})?",
            "[a-z*:/?=&%+!#$\\[\\] \t\u{7f}\u{a0}é-]{0,24}",
            any::<String>(),
            "[a/]{1020,1030}",
        ]
    }

    #[test]
    fn both_crates_compile_the_same_grammar_file() {
        assert_eq!(
            include_str!("scope_grammar.rs"),
            include_str!("../../usso/src/scope/grammar.rs")
        );
    }

    #[test]
    fn known_literals_agree() {
        for scope in [
            "read:posts",
            "write:posts",
            "posts",
            "openid",
            "Read:posts",
            "*:*",
            "read:",
            ":posts",
            "read posts",
            "",
            "read:a//b",
            "read:a?x=1&x=2",
            "read:a?x",
            "read:a?x=1=2",
            "read:media/files/file:uid:1",
            "read:\u{7f}",
            "read:\u{a0}",
        ] {
            let runtime = usso::scope::Scope::parse(scope).is_ok();
            assert_eq!(macros_accept(scope), [runtime; 4], "{scope:?}");
        }
    }

    proptest! {
        #[test]
        fn the_macros_accept_exactly_what_the_runtime_parses(scope in scope_like()) {
            let runtime = usso::scope::Scope::parse(&scope).is_ok();
            prop_assert_eq!(macros_accept(&scope), [runtime; 4], "{:?}", scope);
        }
    }
}
