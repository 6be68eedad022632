use usso::require_scope;

#[require_scope(":posts")]
async fn list_posts() {}

fn main() {}
