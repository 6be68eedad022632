usso::scopes! {
    pub READ_POSTS "read:posts";
    pub WRITE_POSTS = 42;
    pub OK = "read:ok";
}

fn main() {
    let _ = OK;
}
