// A custom claims type, marked `#[claims]`.
use axum::{Router, routing::get};
use serde::Deserialize;
use usso::{Claims, UserData, require_auth, require_scope};

#[derive(Debug, Clone, Deserialize)]
struct CompanyClaims {
    #[serde(flatten)]
    base: UserData,
    company_id: Option<String>,
}

impl Claims for CompanyClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

#[require_auth]
async fn company(#[claims] claims: CompanyClaims) -> String {
    claims.company_id.unwrap_or_default()
}

#[require_scope("read:billing")]
async fn billing(#[claims] CompanyClaims { base, .. }: CompanyClaims) -> String {
    base.sub.unwrap_or_default()
}

fn main() {
    let _app: Router = Router::new()
        .route("/company", get(company))
        .route("/billing", get(billing));
}
