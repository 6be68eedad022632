//! OpenAPI security from the macros, for [utoipa](https://docs.rs/utoipa/5) 5 (feature `utoipa`).
//!
//! Put a usso attribute **above** `#[utoipa::path(..)]` on a handler, and
//! the macro writes the handler's policy into the operation:
//!
//! - a `security` requirement on the [`SCHEME`] (`usso`) scheme, naming the
//!   scopes the policy requires: `#[require_scope("write:posts")]` becomes
//!   `security(("usso" = ["write:posts"]))`, `#[require_any_scope("a", "b")]`
//!   two alternatives, and a handler that needs only a token (a role, a
//!   workspace, `#[require_auth]`) `("usso" = [])`;
//! - a paragraph at the end of the operation's description stating the whole
//!   policy, roles and workspace included, which OpenAPI has no field for.
//!
//! [`SecurityAddon`] registers the `usso` scheme (an HTTP bearer JWT) in the
//! document's components.
//!
//! ```
//! use usso::openapi::SecurityAddon;
//! use usso::{UserData, require_role, require_scope};
//! use utoipa::OpenApi;
//!
//! /// Create a post.
//! #[require_scope("write:posts")]
//! #[utoipa::path(post, path = "/posts", responses((status = 201, description = "Created")))]
//! async fn create_post(user: UserData) -> String {
//!     user.sub.unwrap_or_default()
//! }
//!
//! #[require_role("moderator")]
//! #[utoipa::path(delete, path = "/posts/{id}", responses((status = 200, description = "Deleted")))]
//! async fn delete_post() {}
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(create_post, delete_post), modifiers(&SecurityAddon))]
//! struct ApiDoc;
//!
//! let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
//! let create = &doc["paths"]["/posts"]["post"];
//! assert_eq!(create["security"], serde_json::json!([{ "usso": ["write:posts"] }]));
//! let delete = &doc["paths"]["/posts/{id}"]["delete"];
//! assert_eq!(delete["security"], serde_json::json!([{ "usso": [] }]));
//! assert!(delete["description"].as_str().unwrap().contains("role `moderator`"));
//! assert_eq!(doc["components"]["securitySchemes"]["usso"]["scheme"], "bearer");
//! ```
//!
//! # Rules
//!
//! - **Order.** The usso attribute must be above `#[utoipa::path]` (written
//!   with its path, `utoipa::path`): attributes expand from the top, and
//!   utoipa builds the operation when it expands. The other order is a
//!   compile error saying so.
//! - **Literals.** utoipa's `security(..)` takes string literals only, so a
//!   scope the document must name is written as a literal, not a
//!   [`scopes!`](crate::scopes) constant (a compile error points at the
//!   constant). Roles may be constants: the description is built from the
//!   policy itself.
//! - **Security is the macro's.** A `security(..)` of your own in that
//!   `#[utoipa::path]` is a compile error; a `description = ..` of your own,
//!   or the doc comment's description, is kept and the policy appended.
//! - **The order check** stands in for utoipa's `__path_<handler>` type with
//!   a glob import in the handler's module, which utoipa's own type shadows.
//!   Two guarded handlers of one name, one of them in a module that
//!   glob-imports the other's (`mod tests { use super::*; … }`), make that
//!   name ambiguous: rename one.
//! - What `security` says is what a scope check needs at least; alternatives
//!   that need no particular scope (`any(scope("a"), role("admin"))`) read
//!   as `("usso" = [])`, and the description gives the exact rule.

use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// The name of the security scheme the macros' `security` requirements
/// reference.
pub const SCHEME: &str = "usso";

/// Registers the [`SCHEME`] security scheme, an HTTP bearer JWT, in the
/// document's components: `#[openapi(modifiers(&SecurityAddon))]` (utoipa takes
/// a name there: import it).
///
/// To describe it otherwise (an OpenID Connect discovery URL, say), register
/// your own [`SecurityScheme`] under [`SCHEME`] in a `Modify` of your own.
///
/// ```
/// use utoipa::Modify;
///
/// let mut doc = utoipa::openapi::OpenApi::default();
/// usso::openapi::SecurityAddon.modify(&mut doc);
/// let json = serde_json::to_value(&doc).unwrap();
/// assert_eq!(json["components"]["securitySchemes"]["usso"]["bearerFormat"], "JWT");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityAddon;

impl SecurityAddon {
    /// The scheme [`SecurityAddon`] registers.
    #[must_use]
    pub fn scheme() -> SecurityScheme {
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "A USSO (or OIDC) access token: `Authorization: Bearer <token>`.",
                ))
                .build(),
        )
    }
}

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(SCHEME, Self::scheme());
    }
}
