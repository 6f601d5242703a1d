// `sqlx::migrate!` embeds the migrations at compile time; rebuild when one is added or edited
// (otherwise a new migration file alone leaves the old list in the binary).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
