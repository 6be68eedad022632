use usso::workspace_scoped;

#[workspace_scoped(strict)]
async fn invoices() {}

fn main() {}
