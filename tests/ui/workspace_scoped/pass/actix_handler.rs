// `#[workspace_scoped]` with a scope on an actix-web handler taking the workspace.
use actix_web::{App, web};
use usso::{Workspace, require_scope, workspace_scoped};

#[workspace_scoped]
#[require_scope("read:invoices")]
async fn invoices(ws: Workspace, page: web::Query<std::collections::HashMap<String, String>>) -> String {
    format!("{} {}", ws.id(), page.len())
}

fn main() {
    let _app = App::new().route("/invoices", web::get().to(invoices));
}
