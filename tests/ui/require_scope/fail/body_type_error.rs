// A type error in the body stays on the user's code, not on the attribute.
use usso::{UserData, require_scope};

#[require_scope("read:posts")]
async fn list_posts(user: UserData) -> String {
    let _ = user;
    "posts"
}

fn main() {}
