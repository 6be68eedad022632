use usso::require_scope;

#[require_scope("")]
async fn list_posts() {}

fn main() {}
