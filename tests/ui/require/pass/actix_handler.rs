// `#[require(...)]` expressions on an actix-web handler.
use actix_web::{App, web};
use usso::{UserData, Workspace, require};

#[require(any(scope("admin:*"), all(role("owner"), workspace())))]
async fn settings(ws: Workspace, user: UserData) -> String {
    format!("{} {}", ws.id(), user.sub.unwrap_or_default())
}

fn main() {
    let _app = App::new().route("/settings", web::get().to(settings));
}
