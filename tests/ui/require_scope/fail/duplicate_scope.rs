use usso::require_scope;

#[require_scope("read:posts", "write:posts", "read:posts")]
async fn list_posts() {}

fn main() {}
