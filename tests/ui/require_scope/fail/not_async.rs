use usso::{UserData, require_scope};

#[require_scope("read:posts")]
fn list_posts(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

fn main() {}
