use axum::extract::State;
use usso::{UserData, UssoAuth, require_role};

// A `#[cfg]` on the claims parameter would make the guard disappear in some
// builds, so it is refused.
#[require_role("admin")]
async fn wipe(#[cfg(debug_assertions)] _user: UserData, State(_auth): State<UssoAuth>) {}

fn main() {}
