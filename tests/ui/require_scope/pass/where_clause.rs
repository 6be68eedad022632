// A generic handler with a `where` clause: generics and the where clause are kept.
use axum::{Json, Router, routing::post};
use serde::{Deserialize, de::DeserializeOwned};
use usso::{UserData, require_scope};

#[derive(Debug, Deserialize)]
struct NewPost {
    title: String,
}

#[require_scope("write:posts")]
async fn create<T>(user: UserData, Json(item): Json<T>) -> String
where
    T: DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    format!("{:?} created {item:?}", user.sub)
}

fn main() {
    let _app: Router = Router::new().route("/posts", post(create::<NewPost>));
    let _ = NewPost {
        title: String::new(),
    }
    .title;
}
