// `#[require_auth]` on actix-web handlers, with a custom claims type.
use actix_web::{App, web};
use serde::Deserialize;
use usso::{Claims, UserData, require_auth};

#[derive(Debug, Clone, Deserialize)]
struct MyClaims {
    #[serde(flatten)]
    base: UserData,
    plan: Option<String>,
}

impl Claims for MyClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

#[require_auth]
async fn plan(#[claims] claims: MyClaims) -> String {
    claims.plan.unwrap_or_default()
}

#[require_auth]
async fn ping() -> &'static str {
    "pong"
}

fn main() {
    let _app = App::new()
        .route("/plan", web::get().to(plan))
        .route("/ping", web::get().to(ping));
}
