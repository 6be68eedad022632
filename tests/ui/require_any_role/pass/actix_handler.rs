// `#[require_any_role]` on an actix-web handler that reads a JSON body.
use actix_web::{App, web};
use usso::require_any_role;

#[require_any_role("editor", "admin")]
async fn create_content(web::Json(body): web::Json<serde_json::Value>) -> web::Json<serde_json::Value> {
    web::Json(body)
}

fn main() {
    let _app = App::new().route("/content", web::post().to(create_content));
}
