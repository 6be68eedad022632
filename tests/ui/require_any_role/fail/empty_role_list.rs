use usso::require_any_role;

#[require_any_role()]
async fn edit_post() {}

fn main() {}
