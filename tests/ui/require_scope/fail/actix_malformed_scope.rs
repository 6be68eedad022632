// A malformed scope on an actix-web handler: the same compile-time error as
// on axum, under the literal.
use actix_web::{App, web};
use usso::{UserData, require_scope};

#[require_scope("read:")]
async fn list(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

fn main() {
    let _app = App::new().route("/posts", web::get().to(list));
}
