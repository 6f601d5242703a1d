// The migrations are embedded by `sqlx::migrate!`: rebuild when one is added or changed.
//
// The checked queries (`sqlx::query!` and friends) are compiled against the offline cache in
// `.sqlx/` at the workspace root, or against a live database when DATABASE_URL is set. The
// macros cannot tell cargo what they read, so this crate (and so every crate using it) is
// rebuilt when the cache or those variables change; `scripts/sqlx-prepare.sh` relies on it to
// re-check every query against a fresh database.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
    println!("cargo:rerun-if-changed=../../.sqlx");
    println!("cargo:rerun-if-env-changed=DATABASE_URL");
    println!("cargo:rerun-if-env-changed=SQLX_OFFLINE");
    println!("cargo:rerun-if-env-changed=SQLX_OFFLINE_DIR");
}
