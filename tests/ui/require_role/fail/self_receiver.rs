use usso::{UserData, require_role};

struct Api;

impl Api {
    #[require_role("admin")]
    async fn list_users(&self, admin: UserData) -> String {
        admin.sub.unwrap_or_default()
    }
}

fn main() {
    let _ = Api.list_users(UserData::new("u1"));
}
