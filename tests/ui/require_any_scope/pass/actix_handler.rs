// `#[require_any_scope]` on an actix-web handler.
use actix_web::{App, web};
use usso::{UserData, require_any_scope};

#[require_any_scope("read:posts", "admin:posts")]
async fn list(user: UserData) -> String {
    user.scopes.join(" ")
}

fn main() {
    let _app = App::new().route("/posts", web::get().to(list));
}
