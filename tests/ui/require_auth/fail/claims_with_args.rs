use serde::Deserialize;
use usso::{Claims, UserData, require_auth};

#[derive(Clone, Deserialize)]
struct MyClaims {
    #[serde(flatten)]
    base: UserData,
}

impl Claims for MyClaims {
    fn user_data(&self) -> &UserData {
        &self.base
    }
}

#[require_auth]
async fn me(#[claims(strict)] claims: MyClaims) -> String {
    claims.base.sub.unwrap_or_default()
}

fn main() {}
