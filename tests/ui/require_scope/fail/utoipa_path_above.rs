// `#[utoipa::path]` above the usso attribute expands first: it builds the
// operation before usso can write the policy into it, so this is refused.
use usso::require_scope;

#[utoipa::path(get, path = "/posts", responses((status = 200, description = "The posts")))]
#[require_scope("read:posts")]
async fn list_posts() {}

fn main() {}
