use usso::require_any_role;

#[require_any_role("editor", "admin", "editor")]
async fn edit_post() {}

fn main() {}
