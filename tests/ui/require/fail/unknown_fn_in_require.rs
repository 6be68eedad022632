use usso::require;

#[require(all(scopes("read:posts"), has_claim("x")))]
async fn list_posts() {}

fn main() {}
