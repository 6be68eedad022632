usso::scopes! {
    pub READ_POSTS = "read posts";
    pub WRITE_POSTS = "write:";
    pub OK = "read:ok";
}

usso::roles! {
    pub EMPTY = "";
}

fn main() {
    // The constants are still declared: no "cannot find value" errors here.
    let _ = (READ_POSTS, WRITE_POSTS, OK, EMPTY);
}
