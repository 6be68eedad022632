// Every problem is reported at once, each on its own literal.
use usso::require_scope;

#[require_scope(
    "Read:posts",
    "read:posts//x",
    "read:po$ts",
    "read:posts?user",
    "read:posts?a="
)]
async fn list_posts() {}

fn main() {}
