//! Browser-level unit tests, run in headless Chromium by wasm-bindgen-test
//! (`cargo test -p manyi-app --target wasm32-unknown-unknown`): the storage layer against the
//! real `localStorage` and IndexedDB, and the scale control's keyboard behaviour in a real DOM. Everything
//! else is covered end to end in `tests/e2e/`.

#![cfg(target_arch = "wasm32")]

use chrono::{FixedOffset, TimeZone};
use leptos::prelude::*;
use manyi_api::{BatchReply, ItemResult};
use manyi_app::components::runner::{GroupOption, GroupStyle, OptionGroup};
use manyi_app::i18n::Lang;
use manyi_app::i18n::locale::{SurveyText, UiLang};
use manyi_app::storage::outbox::{self, OUTBOX_KEY, OutboxEntry, OutboxStore};
use manyi_app::storage::outbox_idb::{self, IndexedOutbox};
use manyi_app::storage::{CORRUPT_PREFIX, StorageError, Store};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn store() -> Store {
    let store = Store::open().expect("local storage is available in the test browser");
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    store
}

fn entry(id: &str) -> OutboxEntry {
    let survey = manyi_core::templates::get("nps").unwrap().unwrap();
    let at = FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
        .unwrap();
    let response = manyi_core::Response {
        id: id.to_owned(),
        survey_id: "nps".into(),
        survey_version: 1,
        started_at: Some(at),
        submitted_at: Some(at),
        locale: Some("en".into()),
        answers: [("nps".to_owned(), manyi_core::Answer::Number(9.0))].into(),
        meta: Default::default(),
        partial: false,
    };
    OutboxEntry::new(&survey, response, at)
}

#[wasm_bindgen_test]
fn unreadable_values_are_moved_aside_not_deleted() {
    let store = store();
    store.set_raw("manyi.draft.v1.nps", "{not json").unwrap();
    let error = store
        .get_json::<serde_json::Value>("manyi.draft.v1.nps")
        .unwrap_err();
    let StorageError::Corrupt { key, moved_to } = error else {
        panic!("expected Corrupt, got {error:?}");
    };
    assert_eq!(key, "manyi.draft.v1.nps");
    assert!(moved_to.starts_with(CORRUPT_PREFIX), "{moved_to}");
    assert_eq!(
        store.get_raw(&moved_to).unwrap().as_deref(),
        Some("{not json")
    );
    assert_eq!(store.get_raw("manyi.draft.v1.nps").unwrap(), None);
}

#[wasm_bindgen_test]
fn the_outbox_keeps_every_entry_and_survives_corruption() {
    let store = store();
    for id in [
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-8000-000000000002",
    ] {
        assert_eq!(outbox::push(&store, &entry(id)), Ok(None));
    }
    let (entries, skipped) = outbox::load(&store).unwrap();
    assert_eq!((entries.len(), skipped), (2, 0));
    assert_eq!(
        entries[1].response.id,
        "00000000-0000-4000-8000-000000000002"
    );
    assert_eq!(entries[0].scores.nps.as_ref().map(|n| n.value), Some(9.0));

    // A corrupted outbox is set aside (reported, not lost) and the next response starts a new one.
    store.set_raw(OUTBOX_KEY, "[{\"truncated\":").unwrap();
    let reported = outbox::push(&store, &entry("00000000-0000-4000-8000-000000000003"));
    let Ok(Some(StorageError::Corrupt { moved_to, .. })) = &reported else {
        panic!("expected the corrupt outbox to be reported, got {reported:?}");
    };
    assert_eq!(
        store.get_raw(moved_to).unwrap().as_deref(),
        Some("[{\"truncated\":")
    );
    let (entries, _) = outbox::load(&store).unwrap();
    assert_eq!(entries.len(), 1);
}

/// The app's IndexedDB database, opened directly to arrange or inspect records.
async fn open_db() -> idb::Database {
    idb::Factory::new()
        .unwrap()
        .open("manyi", None)
        .unwrap()
        .await
        .unwrap()
}

/// The kiosk's IndexedDB outbox, emptied: created through the app (so it has its store and
/// index), then cleared directly.
async fn indexed_outbox() -> IndexedOutbox {
    let outbox = IndexedOutbox::new();
    outbox
        .summary()
        .await
        .expect("IndexedDB opens in the test browser");
    let db = open_db().await;
    let tx = db
        .transaction(&["outbox"], idb::TransactionMode::ReadWrite)
        .unwrap();
    tx.object_store("outbox").unwrap().clear().unwrap();
    tx.await.unwrap();
    db.close();
    outbox
}

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

#[wasm_bindgen_test]
async fn the_indexeddb_outbox_sends_oldest_first_and_settles_by_the_reply() {
    store();
    let outbox = indexed_outbox().await;
    for n in 1..=3 {
        assert_eq!(outbox.push(entry(&id(n))).await, Ok(None));
    }
    assert_eq!(outbox.summary().await.unwrap().waiting, 3);

    let batch = outbox.batch(2).await.unwrap();
    let sent: Vec<&str> = batch.iter().map(|q| q.entry.response.id.as_str()).collect();
    assert_eq!(sent, [id(1), id(2)]);
    assert!(batch.iter().all(|q| q.key.is_some()));
    assert_eq!(batch[0].entry, entry(&id(1)), "read back as written");

    let results: Vec<ItemResult> = serde_json::from_str(
        &serde_json::json!([
            {"id": id(1), "status": "accepted"},
            {"id": id(2), "status": "rejected",
             "error": {"code": "invalid_response", "message": "nps: 12 is out of range"}},
        ])
        .to_string(),
    )
    .unwrap();
    let reply = BatchReply::new(results);
    let applied = outbox.settle(batch, reply).await.unwrap();
    assert_eq!((applied.delivered, applied.refused), (1, 1));

    let summary = outbox.summary().await.unwrap();
    assert_eq!(summary.waiting, 1);
    assert_eq!(
        summary.refused,
        [(
            id(2),
            "invalid_response: nps: 12 is out of range".to_owned()
        )]
    );
    // The refused entry is kept but never sent again; the acknowledged one is gone.
    let next = outbox.batch(10).await.unwrap();
    let next: Vec<&str> = next.iter().map(|q| q.entry.response.id.as_str()).collect();
    assert_eq!(next, [id(3)]);
    let kept: Vec<String> = kept_entries()
        .await
        .into_iter()
        .map(|e| e.response.id)
        .collect();
    assert_eq!(kept, [id(2), id(3)]);
}

#[wasm_bindgen_test]
async fn responses_left_in_local_storage_move_into_indexeddb() {
    let store = store();
    let outbox = indexed_outbox().await;
    // Where a push goes when the database is full or missing.
    for n in 11..=12 {
        outbox::push(&store, &entry(&id(n))).unwrap();
    }
    assert_eq!(outbox.summary().await.unwrap().waiting, 2);
    assert_eq!(outbox::load(&store).unwrap().0, [], "moved, not copied");
    let batch = outbox.batch(10).await.unwrap();
    let sent: Vec<&str> = batch.iter().map(|q| q.entry.response.id.as_str()).collect();
    assert_eq!(sent, [id(11), id(12)]);
}

#[wasm_bindgen_test]
async fn an_unreadable_record_is_set_aside_and_does_not_block_the_queue() {
    store();
    let outbox = indexed_outbox().await;
    let db = open_db().await;
    let tx = db
        .transaction(&["outbox"], idb::TransactionMode::ReadWrite)
        .unwrap();
    let record =
        js_sys::JSON::parse(r#"{"state": 0, "json": "{\"from\": \"a newer version\"}"}"#).unwrap();
    tx.object_store("outbox")
        .unwrap()
        .add(&record, None)
        .unwrap();
    tx.await.unwrap();
    db.close();
    outbox.push(entry(&id(21))).await.unwrap();

    // The unreadable record comes first; the batch of one is read again past it.
    let batch = outbox.batch(1).await.unwrap();
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].entry.response.id, id(21));
    let summary = outbox.summary().await.unwrap();
    assert_eq!((summary.waiting, summary.unreadable), (1, 1));
    assert_eq!(
        kept_entries().await.len(),
        1,
        "only the readable one is listed"
    );
}

/// Every readable entry of the IndexedDB outbox, in the order the reports read them.
async fn kept_entries() -> Vec<OutboxEntry> {
    let mut kept = Vec::new();
    outbox_idb::for_each_entry(|entry| kept.push(entry))
        .await
        .unwrap();
    kept
}

#[wasm_bindgen_test]
async fn the_indexeddb_outbox_is_read_in_order_across_pages() {
    store();
    indexed_outbox().await;
    // More records than one page of the reading holds (500), written directly in one
    // transaction, as a kiosk's week offline leaves them.
    let count = 1_203;
    let db = open_db().await;
    let tx = db
        .transaction(&["outbox"], idb::TransactionMode::ReadWrite)
        .unwrap();
    let records = tx.object_store("outbox").unwrap();
    for n in 0..count {
        let json = serde_json::to_string(&entry(&id(1_000 + n))).unwrap();
        let record = js_sys::Object::new();
        js_sys::Reflect::set(&record, &"state".into(), &0.into()).unwrap();
        js_sys::Reflect::set(&record, &"json".into(), &json.into()).unwrap();
        records.add(&record, None).unwrap();
    }
    tx.await.unwrap();
    db.close();
    let read: Vec<String> = kept_entries()
        .await
        .into_iter()
        .map(|e| e.response.id)
        .collect();
    let written: Vec<String> = (0..count).map(|n| id(1_000 + n)).collect();
    assert_eq!(read, written);
}

#[wasm_bindgen_test]
fn the_local_outbox_is_read_entry_by_entry() {
    let store = store();
    let entries: Vec<String> = (31..=33)
        .map(|n| serde_json::to_string(&entry(&id(n))).unwrap())
        .collect();
    // An entry this version cannot read, as a newer one might write it, among the others.
    let text = format!(
        r#"[{},{{"from":"a newer version"}},{}]"#,
        entries[0],
        entries[1..].join(",")
    );
    store.set_raw(OUTBOX_KEY, &text).unwrap();
    let mut read = Vec::new();
    let unreadable = outbox::for_each(&store, |entry| read.push(entry.response.id)).unwrap();
    assert_eq!((read, unreadable), (vec![id(31), id(32), id(33)], 1));

    // A corrupt outbox passes nothing on: it is set aside and reported, as every read does.
    store.set_raw(OUTBOX_KEY, &text[..text.len() / 2]).unwrap();
    let mut passed = 0;
    let error = outbox::for_each(&store, |_| passed += 1).unwrap_err();
    assert!(matches!(error, StorageError::Corrupt { .. }), "{error:?}");
    assert_eq!(passed, 0);
    assert_eq!(store.get_raw(OUTBOX_KEY).unwrap(), None);
}

fn key(target: &web_sys::Element, name: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(name);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn the_nps_scale_is_a_radio_group_with_one_tab_stop() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let value = RwSignal::new(None::<usize>);
    let _mounted = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        let lang = UiLang(Memo::new(|_| Lang::En));
        provide_context(lang);
        provide_context(SurveyText::new(lang, "en".into()));
        view! {
            <OptionGroup
                qid="nps".into()
                options=(0..=10)
                    .map(|x| GroupOption { key: x.to_string(), label: None })
                    .collect()
                style=GroupStyle::Nps
                selected=value
                on_select=Callback::new(move |index| value.set(Some(index)))
                labelledby="q-nps".into()
                describedby="".into()
                invalid=false
                required=true
            />
        }
    });
    leptos::task::tick().await;

    let radios = host.query_selector_all("[role=radio]").unwrap();
    assert_eq!(radios.length(), 11, "eleven buttons, never a dropdown");
    assert!(host.query_selector("select").unwrap().is_none());
    let tab_stops = |host: &web_sys::Element| {
        let list = host
            .query_selector_all("[role=radio][tabindex='0']")
            .unwrap();
        (0..list.length())
            .map(|i| {
                list.item(i)
                    .unwrap()
                    .unchecked_into::<web_sys::Element>()
                    .get_attribute("data-testid")
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        tab_stops(&host),
        ["nps-opt-0"],
        "before an answer the first point is the tab stop"
    );

    let first: web_sys::Element = radios.item(0).unwrap().unchecked_into();
    key(&first, "End");
    leptos::task::tick().await;
    assert_eq!(value.get_untracked(), Some(10));
    assert_eq!(
        tab_stops(&host),
        ["nps-opt-10"],
        "the chosen point becomes the only tab stop"
    );

    let last: web_sys::Element = radios.item(10).unwrap().unchecked_into();
    key(&last, "ArrowRight");
    leptos::task::tick().await;
    assert_eq!(value.get_untracked(), Some(0), "arrow keys wrap around");
    let checked: web_sys::Element = radios.item(0).unwrap().unchecked_into();
    assert_eq!(
        checked.get_attribute("aria-checked").as_deref(),
        Some("true")
    );
}
