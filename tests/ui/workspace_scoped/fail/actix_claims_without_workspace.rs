// On an actix-web handler too, a claims type without a workspace is an
// error on that type.
use actix_web::{App, web};
use serde::Deserialize;
use usso::{Claims, UserData, workspace_scoped};

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

#[workspace_scoped]
async fn invoices(#[claims] claims: PlainClaims) -> String {
    claims.base.sub.unwrap_or_default()
}

fn main() {
    let _app = App::new().route("/invoices", web::get().to(invoices));
}
