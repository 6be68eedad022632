// Below a usso attribute, `#[utoipa::path]` gets its `security` from the
// policy: one written by hand is refused, and so is a scope constant that
// `security` would have to list (utoipa takes literals only). Both at once.
use usso::require_scope;

usso::scopes! {
    pub READ_POSTS = "read:posts";
}

#[require_scope(READ_POSTS)]
#[utoipa::path(get, path = "/posts", security(("bearer" = [])))]
async fn list_posts() {}

fn main() {}
