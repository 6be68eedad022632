// A second usso attribute in the wrong form is reported on that attribute.
use usso::{require_role, require_scope};

#[require_role("admin")]
#[require_scope = "read:posts"]
async fn list_posts() {}

fn main() {}
