use usso::require_role;

#[require_role("super admin")]
async fn list_users() {}

fn main() {}
