// The same macro on actix-web handlers: no framework argument; the claims,
// a path, app data and a JSON body in any order.
use actix_web::{App, web};
use usso::{UserData, require_scope};

#[require_scope("read:posts", "read:media/files?user_id=me")]
pub async fn by_mut(mut user: UserData) -> String {
    user.roles.push("seen".to_owned());
    user.roles.join(",")
}

#[require_scope("read:posts")]
pub async fn with_path(id: web::Path<u32>, UserData { sub, .. }: UserData) -> String {
    format!("{}/{id}", sub.unwrap_or_default())
}

#[require_scope("write:posts")]
async fn last_is_body(
    db: web::Data<String>,
    user: UserData,
    web::Json(body): web::Json<String>,
) -> String {
    format!("{} {}: {body}", db.get_ref(), user.sub.unwrap_or_default())
}

fn main() {
    let _app = App::new()
        .route("/a", web::get().to(by_mut))
        .route("/b/{id}", web::get().to(with_path))
        .route("/c", web::post().to(last_is_body));
}
