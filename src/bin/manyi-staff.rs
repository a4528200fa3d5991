//! Mounts the staff's app (results); everything else lives in the library.

fn main() {
    leptos::mount::mount_to_body(manyi_app::StaffApp);
}
