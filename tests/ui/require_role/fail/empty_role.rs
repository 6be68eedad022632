use usso::require_role;

#[require_role("")]
async fn list_users() {}

fn main() {}
