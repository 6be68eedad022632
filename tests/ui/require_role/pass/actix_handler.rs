// `#[require_role]` on actix-web handlers, with and without the claims.
use actix_web::{App, HttpResponse, web};
use usso::{UserData, require_role};

#[require_role("admin")]
async fn list_users() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[require_role("admin")]
async fn whoami(user: UserData) -> String {
    user.sub.unwrap_or_default()
}

fn main() {
    let _app = App::new()
        .route("/users", web::get().to(list_users))
        .route("/me", web::get().to(whoami));
}
