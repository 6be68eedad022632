use usso::{require_role, require_scope};

#[require_scope("read:posts")]
#[require_role("admin")]
#[require_scope("read:posts")]
async fn list_posts() {}

fn main() {}
