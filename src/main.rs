//! Mounts the survey runner; everything else lives in the library so tests can import it.

fn main() {
    leptos::mount::mount_to_body(manyi_app::App);
}
