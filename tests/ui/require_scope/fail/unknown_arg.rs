use usso::require_scope;

#[require_scope(scope = "read:posts")]
async fn list_posts() {}

fn main() {}
