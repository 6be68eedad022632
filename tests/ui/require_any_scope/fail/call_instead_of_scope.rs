// Policy expressions belong in `#[require(..)]`.
use usso::require_any_scope;

#[require_any_scope(scope("read:posts"), 42)]
async fn list_posts() {}

fn main() {}
