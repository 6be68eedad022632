// Every problem is reported at once, each on its own literal.
use usso::require_scope;

#[require_scope(
    ":posts",
    "read:",
    "read:posts?user",
    "read:posts?a=",
    "read:posts?a=1&a=2"
)]
async fn list_posts() {}

fn main() {}
