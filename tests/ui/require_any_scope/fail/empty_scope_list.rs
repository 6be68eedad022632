use usso::require_any_scope;

#[require_any_scope]
async fn list_posts() {}

fn main() {}
