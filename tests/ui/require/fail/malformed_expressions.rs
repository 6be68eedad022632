use usso::require;

#[require(all(
    "read:posts",
    workspace,
    not(role("a"), role("b")),
    any(),
    scope("read posts")
))]
async fn list_posts() {}

#[require(role("a"), role("b"))]
async fn two_expressions() {}

#[require]
async fn no_expression() {}

fn main() {}
