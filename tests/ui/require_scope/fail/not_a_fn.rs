use usso::require_scope;

#[require_scope("read:posts")]
struct Posts {
    count: u32,
}

fn main() {
    let _ = Posts { count: 0 }.count;
}
