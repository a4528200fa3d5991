use leptos::prelude::*;

/// A dashboard card holding one data table: the heading that labels the card, an optional help
/// line, the column headers and the rows (each starting with a `<th scope="row">`).
#[component]
pub fn TableCard(
    /// The heading's id; the card is labelled by it.
    heading_id: &'static str,
    /// The table's `data-testid`.
    testid: &'static str,
    title: AnyView,
    #[prop(optional)] help: Option<AnyView>,
    headers: Vec<AnyView>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby=heading_id>
            <h3 id=heading_id>{title}</h3>
            {help.map(|help| view! { <p class="help">{help}</p> })}
            <div class="table-wrap">
                <table data-testid=testid>
                    <thead>
                        <tr>
                            {headers
                                .into_iter()
                                .map(|header| view! { <th scope="col">{header}</th> })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>{children()}</tbody>
                </table>
            </div>
        </section>
    }
}
