//! The USSO privilege ladder: what each action grants.

use std::fmt;
use std::str::FromStr;

use super::ScopeError;

/// A privilege level. Higher levels include lower ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// `read`, level 10.
    Read = 10,
    /// `create`, level 20.
    Create = 20,
    /// `update`, level 30.
    Update = 30,
    /// `delete`, level 40.
    Delete = 40,
    /// `manage`, level 50.
    Manage = 50,
    /// `admin`, level 60.
    Admin = 60,
    /// `owner` or `*`, level 90.
    Owner = 90,
    /// `superadmin`, level 100.
    SuperAdmin = 100,
}

impl Action {
    /// The numeric level, as in the Python SDK's `PRIVILEGE_LEVELS`.
    ///
    /// ```
    /// use usso::scope::Action;
    /// assert!(Action::Admin.level() > Action::Delete.level());
    /// assert_eq!("*".parse::<Action>().map(Action::level), Ok(90));
    /// ```
    #[must_use]
    pub const fn level(self) -> u8 {
        self as u8
    }

    pub(super) fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "read" => Self::Read,
            "create" => Self::Create,
            "update" => Self::Update,
            "delete" => Self::Delete,
            "manage" => Self::Manage,
            "admin" => Self::Admin,
            "owner" | "*" => Self::Owner,
            "superadmin" => Self::SuperAdmin,
            _ => return None,
        })
    }

    /// The canonical lowercase name (`Owner` is `owner`, never `*`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Manage => "manage",
            Self::Admin => "admin",
            Self::Owner => "owner",
            Self::SuperAdmin => "superadmin",
        }
    }
}

impl FromStr for Action {
    type Err = ScopeError;

    /// Parses the exact lowercase names plus `*` (= `owner`). Matching is case-sensitive
    /// because Python's lookup is: accepting `ADMIN` would grant more than Python does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| ScopeError::UnknownAction(s.to_owned()))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Action {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}
