//! Mounts the embed screen's app; everything else lives in the library.

fn main() {
    leptos::mount::mount_to_body(manyi_app::EmbedApp);
}
