// `dead_code` still fires on the user's function, not on generated items.
#![deny(dead_code)]

use usso::require_auth;

#[require_auth]
async fn never_routed() {}

fn main() {}
