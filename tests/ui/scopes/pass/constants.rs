// Constants from `scopes!` / `roles!` are typo-proof arguments.
use axum::{Router, routing::get};
use usso::{UserData, require, require_any_role, require_scope};

mod perms {
    usso::scopes! {
        /// Read any post.
        pub READ_POSTS = "read:posts";
        pub WRITE_OWN = "write:posts?user_id=me";
    }
    usso::roles! {
        pub ADMIN = "admin";
        pub EDITOR = "editor";
    }
}

use perms::{ADMIN, EDITOR, READ_POSTS};

#[require_scope(READ_POSTS, perms::WRITE_OWN)]
#[require_any_role(EDITOR, ADMIN)]
async fn edit(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

#[require(any(scope(READ_POSTS), role(perms::ADMIN)))]
async fn read() -> &'static str {
    perms::READ_POSTS
}

fn main() {
    assert_eq!(READ_POSTS, "read:posts");
    let _app: Router = Router::new()
        .route("/edit", get(edit))
        .route("/read", get(read));
}
