pub(crate) mod error;
mod numeric_date;

pub use numeric_date::NumericDate;

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// The verified claims of a USSO access token.
///
/// Field names follow the USSO token format and [RFC 7519 §4.1]. Every
/// claim is optional at the type level because real USSO tokens differ:
/// agent tokens carry no `sub`, `roles` or `token_type`, and lite-server
/// tokens use plain strings for `iss` and `aud`. What *must* be present is
/// decided by [`JwtConfig`](crate::JwtConfig) (`exp`, `iss` and `aud` are
/// required by default) before a `UserData` is ever handed out.
///
/// **A missing `sub` is `None`**, never an empty string, so that "no subject"
/// can't be confused with a real id; [`UserData::user_id`] falls back from
/// the `user_id` claim to `sub`.
///
/// `scopes` also accepts the OAuth 2 form `"scope": "a b c"`. Claims usso
/// does not know (including a nested `claims` object) are kept in
/// [`extra`](Self::extra).
///
/// ```
/// use usso::UserData;
///
/// let user: UserData = serde_json::from_value(serde_json::json!({
///     "sub": "user:abc123",
///     "roles": ["editor"],
///     "scope": "read:posts write:posts",
///     "workspace_id": "ws_1",
///     "plan": "pro",
/// })).unwrap();
/// assert!(user.has_scope("write:posts"));
/// assert!(user.has_any_role(["admin", "editor"]));
/// assert_eq!(user.user_id(), Some("user:abc123"));
/// assert_eq!(user.extra["plan"], "pro");
/// ```
///
/// [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UserData {
    /// `sub`: the subject, e.g. `user:abc123` or a bare UUID. `None` for agent tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `iss`: the issuer, a URL or (lite server, agents) a plain string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `aud`: one audience or several ([RFC 7519 §4.1.3](https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// `exp`: expiry, seconds since the Unix epoch (possibly fractional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    /// `nbf`: not before, seconds since the Unix epoch (possibly fractional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    /// `iat`: issued at, seconds since the Unix epoch (possibly fractional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<NumericDate>,
    /// `jti`: the token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// `token_type`: `access` for access tokens (`refresh`, `secure`,
    /// `one_time`, `temporary` are other USSO kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// `session_id`: the USSO session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// `tenant_id`: the tenant (organisation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// `workspace_id`: the workspace the token is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// `roles`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// `scopes` (or the OAuth 2 space-separated `scope`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `amr`: authentication methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// `acr`: authentication context class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// `user_id`, when the issuer sets it apart from `sub`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `phone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `user_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Every other claim, as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

// Deserialized by hand, in one pass: known claims go straight into their
// fields (no serde `flatten` buffering), unknown ones into `extra`, a
// repeated known claim is an error, and a wrong type names the claim.
macro_rules! claim_fields {
    ($($variant:ident => $name:literal),* $(,)?) => {
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum Known { $($variant),* }

        impl Known {
            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)*
                    _ => None,
                }
            }

            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),*
                }
            }
        }
    };
}

claim_fields! {
    Sub => "sub", Iss => "iss", Aud => "aud", Exp => "exp", Nbf => "nbf", Iat => "iat",
    Jti => "jti", TokenType => "token_type", SessionId => "session_id", TenantId => "tenant_id",
    WorkspaceId => "workspace_id", Roles => "roles", Scopes => "scopes", Scope => "scope",
    Amr => "amr", Acr => "acr", UserId => "user_id", Email => "email", Phone => "phone",
    UserName => "user_name",
}

enum Field {
    Known(Known),
    Other(String),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(Known::from_name(v).map_or_else(|| Field::Other(v.to_owned()), Field::Known))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Field, E> {
                Ok(Known::from_name(&v).map_or(Field::Other(v), Field::Known))
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

impl<'de> Deserialize<'de> for UserData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(UserDataVisitor)
    }
}

struct UserDataVisitor;

impl<'de> Visitor<'de> for UserDataVisitor {
    type Value = UserData;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UserData, A::Error> {
        fn value<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
            map: &mut A,
            field: Known,
        ) -> Result<T, A::Error> {
            map.next_value()
                .map_err(|e| de::Error::custom(format_args!("claim `{}`: {e}", field.name())))
        }
        let mut u = UserData::default();
        let mut scope: Option<String> = None;
        let mut seen = 0u32;
        while let Some(field) = map.next_key::<Field>()? {
            let known = match field {
                Field::Other(name) => {
                    let v: Value = map.next_value()?;
                    u.extra.insert(name, v);
                    continue;
                }
                Field::Known(known) => known,
            };
            let bit = 1u32 << (known as u8);
            if seen & bit != 0 {
                return Err(de::Error::custom(format_args!(
                    "claim `{}` appears more than once",
                    known.name()
                )));
            }
            seen |= bit;
            let list = |v: Option<Vec<String>>| v.unwrap_or_default();
            match known {
                Known::Sub => u.sub = value(&mut map, known)?,
                Known::Iss => u.iss = value(&mut map, known)?,
                Known::Aud => u.aud = value(&mut map, known)?,
                Known::Exp => u.exp = value(&mut map, known)?,
                Known::Nbf => u.nbf = value(&mut map, known)?,
                Known::Iat => u.iat = value(&mut map, known)?,
                Known::Jti => u.jti = value(&mut map, known)?,
                Known::TokenType => u.token_type = value(&mut map, known)?,
                Known::SessionId => u.session_id = value(&mut map, known)?,
                Known::TenantId => u.tenant_id = value(&mut map, known)?,
                Known::WorkspaceId => u.workspace_id = value(&mut map, known)?,
                Known::Roles => u.roles = list(value(&mut map, known)?),
                Known::Scopes => u.scopes = list(value(&mut map, known)?),
                Known::Scope => scope = value(&mut map, known)?,
                Known::Amr => u.amr = list(value(&mut map, known)?),
                Known::Acr => u.acr = value(&mut map, known)?,
                Known::UserId => u.user_id = value(&mut map, known)?,
                Known::Email => u.email = value(&mut map, known)?,
                Known::Phone => u.phone = value(&mut map, known)?,
                Known::UserName => u.user_name = value(&mut map, known)?,
            }
        }
        if let Some(scope) = scope {
            for s in scope.split_ascii_whitespace() {
                if !u.scopes.iter().any(|have| have == s) {
                    u.scopes.push(s.to_owned());
                }
            }
        }
        Ok(u)
    }
}

impl UserData {
    /// Claims for a subject, with nothing else set. Useful for tests and for
    /// [`UssoAuth::mock`](crate::UssoAuth::mock).
    ///
    /// ```
    /// let user = usso::UserData::new("user:1").with_roles(["admin"]);
    /// assert!(user.has_role("admin"));
    /// ```
    pub fn new(sub: impl Into<String>) -> Self {
        Self {
            sub: Some(sub.into()),
            ..Self::default()
        }
    }

    /// Sets `roles` (builder style).
    pub fn with_roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `scopes` (builder style).
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `tenant_id` (builder style).
    pub fn with_tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// Sets `workspace_id` (builder style).
    pub fn with_workspace(mut self, workspace_id: impl Into<String>) -> Self {
        self.workspace_id = Some(workspace_id.into());
        self
    }

    /// Whether the token carries exactly this scope string.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Whether the token carries this role.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the token carries at least one of these roles.
    pub fn has_any_role<I, S>(&self, roles: I) -> bool
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        roles.into_iter().any(|r| self.has_role(r.as_ref()))
    }

    /// The `user_id` claim if present, else `sub`.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref().or(self.sub.as_deref())
    }
}

/// The `aud` claim: one string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "my-api"`.
    One(String),
    /// `"aud": ["my-api", "other"]`.
    Many(Vec<String>),
}

impl Audience {
    /// Iterates over the audiences.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let slice: &[String] = match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        };
        slice.iter().map(String::as_str)
    }

    /// Whether `aud` names this audience.
    pub fn contains(&self, audience: &str) -> bool {
        self.iter().any(|a| a == audience)
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::One(one) => serializer.serialize_str(one),
            Self::Many(many) => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    // Hand-written so that a wrong type gets a precise message instead of
    // serde's "did not match any variant of untagged enum".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AudienceVisitor;
        impl<'de> Visitor<'de> for AudienceVisitor {
            type Value = Audience;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings for `aud`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Audience, E> {
                Ok(Audience::One(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Audience, E> {
                Ok(Audience::One(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
                let mut all = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
                while let Some(a) = seq.next_element::<String>()? {
                    all.push(a);
                }
                Ok(Audience::Many(all))
            }
        }
        deserializer.deserialize_any(AudienceVisitor)
    }
}

/// A claims type that usso can verify into and authorize with.
///
/// [`UserData`] implements it. Your own claims type implements it by
/// flattening a `UserData` and returning it; it then flows through every
/// usso feature: [`UssoAuth::verify_token_as`](crate::UssoAuth::verify_token_as),
/// the extractors, the macros (`#[claims] user: MyClaims`) and the
/// workspace helpers. The registered claims (`exp`, `iss`, `aud`, …) are
/// validated through [`Claims::user_data`].
///
/// ```
/// use serde::Deserialize;
/// use usso::{Claims, UserData};
///
/// #[derive(Debug, Clone, Deserialize)]
/// struct CustomUserData {
///     #[serde(flatten)]
///     base: UserData,
///     company_id: Option<String>,
///     subscription_tier: Option<String>,
///     #[serde(default)]
///     custom_permissions: Vec<String>,
/// }
///
/// impl Claims for CustomUserData {
///     fn user_data(&self) -> &UserData {
///         &self.base
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a usso claims type",
    note = "implement `usso::Claims` for it: flatten a `usso::UserData` into it and return it from `user_data()`"
)]
pub trait Claims: DeserializeOwned + Clone + Send + Sync + 'static {
    /// The standard USSO claims embedded in this type.
    fn user_data(&self) -> &UserData;
}

impl Claims for UserData {
    fn user_data(&self) -> &UserData {
        self
    }
}
