use usso::require_auth;

#[require_auth("read:posts")]
async fn me() {}

fn main() {}
