//! The size an element is drawn at, followed as it changes.

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The width in CSS pixels (whole pixels) at which `node` is laid out, followed through every
/// change a `ResizeObserver` reports (the window resized, a grid column added or taken away);
/// `None` until the element is in the document and has been measured.
pub fn watch_width<E>(node: NodeRef<E>) -> ReadSignal<Option<f64>>
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let (width, set_width) = signal(None);
    Effect::new(move |_| {
        let Some(element) = node.get() else {
            return;
        };
        let element: web_sys::Element = element.unchecked_into();
        let measured = element.clone();
        let callback = Closure::<dyn Fn()>::new(move || {
            let w = measured.get_bounding_client_rect().width().round();
            // An element taken out of the layout (`display: none`) measures 0; what it showed
            // before stays as it was rather than being redrawn for no width at all. Equal
            // widths are not set again, so nothing is redrawn for a move that kept the size.
            if w > 0.0 && width.get_untracked() != Some(w) {
                set_width.set(Some(w));
            }
        });
        let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        observer.observe(&element);
        // The observer calls the closure until it is disconnected, so both are kept until the
        // element goes (or is replaced) and then disconnected before the closure is dropped.
        let kept = StoredValue::new_local((observer, callback));
        on_cleanup(move || kept.with_value(|(observer, _)| observer.disconnect()));
    });
    width
}
