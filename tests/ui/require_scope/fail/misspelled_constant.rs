usso::scopes! {
    pub READ_POSTS = "read:posts";
}

#[usso::require_scope(READ_POST)]
async fn list_posts() {}

fn main() {}
