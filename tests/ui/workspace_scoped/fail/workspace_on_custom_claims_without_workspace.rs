// Only the claims type that doesn't declare a workspace is an error, on that type.
use serde::Deserialize;
use usso::{Claims, UserData, WorkspaceClaims, workspace_scoped};

#[derive(Debug, Clone, Deserialize)]
struct PlainClaims {
    #[serde(flatten)]
    base: UserData,
}

impl Claims for PlainClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

#[derive(Debug, Clone, Deserialize)]
struct TeamClaims {
    #[serde(flatten)]
    base: UserData,
}

impl Claims for TeamClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

impl WorkspaceClaims for TeamClaims {}

#[workspace_scoped]
async fn invoices(#[claims] claims: PlainClaims) -> String {
    claims.base.sub.unwrap_or_default()
}

#[workspace_scoped]
async fn team(#[claims] claims: TeamClaims) -> String {
    claims.base.sub.unwrap_or_default()
}

fn main() {}
