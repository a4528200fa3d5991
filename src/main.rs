//! Mounts the survey runner; everything else lives in the library so tests can import it.

fn main() {
    // Off the document while a page the server drew stands in for it (`browser::prerendered`).
    manyi_app::browser::prerendered::mount(manyi_app::App);
}
