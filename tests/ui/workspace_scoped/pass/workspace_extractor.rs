// `#[workspace_scoped]` next to a `Workspace` parameter, and on a custom
// claims type that declares a workspace.
use axum::{Router, routing::get};
use serde::Deserialize;
use usso::{Claims, UserData, Workspace, WorkspaceClaims, workspace_scoped};

#[derive(Clone, Deserialize)]
struct TeamClaims {
    #[serde(flatten)]
    base: UserData,
    team: Option<String>,
}

impl Claims for TeamClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

impl WorkspaceClaims for TeamClaims {}

#[workspace_scoped]
async fn invoices(ws: Workspace, user: UserData) -> String {
    format!("{} {:?}", ws.id(), user.sub)
}

#[workspace_scoped]
async fn team(#[claims] claims: TeamClaims) -> String {
    claims.team.unwrap_or_default()
}

fn main() {
    let _app: Router = Router::new()
        .route("/invoices", get(invoices))
        .route("/team", get(team));
}
