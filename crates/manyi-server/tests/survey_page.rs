//! The survey page, `/s/{id}`: the app's page with the survey's first page drawn in, its
//! definition beside it, the script that makes it answerable allowed by its hash and nothing
//! else, in the language the app would pick; and the plain page whenever it cannot be drawn.

mod common;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use manyi_server::policy::APP_CSP;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

// As a release build writes it: attribute values unquoted.
const INDEX: &str = r#"<!doctype html><html lang=zh-CN><head><title>满意 manyi</title><link href=/main.css integrity=sha384-x rel=stylesheet></head><body></body></html>"#;
const SCRIPT: &str = "{const early=1}\n";

/// A built app with the page and the early script as the build writes them.
fn dist() -> std::path::PathBuf {
    let dist = temp_dist();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::create_dir_all(dist.join("public")).unwrap();
    std::fs::write(dist.join("public/early.js"), SCRIPT).unwrap();
    dist
}

/// Publishes `definition` on the server.
async fn publish(b: &Backend, token: &str, definition: &Value) {
    let (status, reply) = staff_call(
        &b.router,
        token,
        "POST",
        "/api/v1/surveys",
        Some(definition.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{}: {reply}", b.name);
}

/// The definition the page carries.
fn served_definition(page: &str) -> Value {
    let start = page
        .find(r#"<script type="application/json" id="manyi-survey">"#)
        .expect("the page carries the definition");
    let rest = &page[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(json).expect("the definition is JSON")
}

#[tokio::test]
async fn a_template_survey_page_draws_its_first_question_in_the_browsers_language() {
    let dist = dist();
    for b in backends().await {
        let router = router_with_app(&b, &dist);
        let page = request(
            &router,
            "GET",
            "/s/nps",
            &[("accept-language", "fr-FR, en;q=0.8, zh-CN;q=0.5")],
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", b.name);
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let varies: Vec<String> = page
            .headers
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .collect();
        assert!(
            varies.iter().any(|v| v.contains("accept-language")),
            "{varies:?}"
        );
        let html = &page.text;
        assert!(
            html.starts_with(r#"<!doctype html><html lang="en">"#),
            "{html}"
        );
        assert!(html.contains(
            r#"<title>Customer recommendation survey</title><meta name="manyi-api" content="/api/v1">"#
        ));
        // The stylesheet comes in the page (temp_dist's is `body{}`).
        assert!(html.contains("<style>body{}</style></head>"), "{html}");
        assert!(!html.contains("main.css"));
        assert!(html.contains(r#"<main class="app" id="main" data-prerendered="nps">"#));
        // All eleven options, in the app's markup, with the template's end labels.
        for point in 0..=10 {
            assert!(
                html.contains(&format!(
                    r#"data-testid="nps-opt-{point}"><span class="point-number">{point}</span>"#
                )),
                "{point}"
            );
        }
        assert!(html.contains(r#"<div class="scale-ends" aria-hidden="true"><span>Not at all likely</span><span>Extremely likely</span></div>"#));
        assert!(html.contains("How likely are you to recommend us to a friend or colleague?"));
        assert!(html.contains(r#"<span class="required-mark">(required)</span>"#));
        assert!(html.contains(r#"<p id="progress-label" class="progress-label" data-testid="progress">Page 1 of 1</p>"#));
        assert!(html.contains(r#"data-testid="next">Submit</button>"#));
        // The definition is the template's, whole.
        let served = manyi_core::parse_survey(&served_definition(html).to_string()).unwrap();
        assert_eq!(served, manyi_core::templates::get("nps").unwrap().unwrap());
        // The script right after the drawn page, allowed by its digest alone.
        assert!(html.contains(&format!("</main><script>{}</script>", SCRIPT.trim())));
        let csp = page.header("content-security-policy").unwrap();
        let digest = BASE64.encode(Sha256::digest(SCRIPT.trim().as_bytes()));
        // The app's policy, with only that script added.
        assert_eq!(
            csp,
            APP_CSP.replace(
                "script-src 'self'",
                &format!("script-src 'self' 'sha256-{digest}'")
            )
        );

        // `?lang` wins over the browser's languages; Traditional Chinese strings throughout.
        let page = request(
            &router,
            "GET",
            "/s/nps?x=1&lang=zh-TW",
            &[("accept-language", "en")],
            None,
        )
        .await;
        assert!(
            page.text
                .starts_with(r#"<!doctype html><html lang="zh-TW">"#)
        );
        assert!(page.text.contains("第 1 頁，共 1 頁"));
        assert!(page.text.contains(r#"data-testid="next">送出</button>"#));
        // Neither: the survey's own default language.
        let page = request(&router, "GET", "/s/nps", &[], None).await;
        assert!(
            page.text
                .starts_with(r#"<!doctype html><html lang="zh-CN">"#)
        );
        assert!(page.text.contains("第 1 页，共 1 页"));

        // Revalidated by its digest; another language is another page.
        let tag = page.header("etag").unwrap().to_owned();
        let again = request(&router, "GET", "/s/nps", &[("if-none-match", &tag)], None).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        let english = request(
            &router,
            "GET",
            "/s/nps?lang=en",
            &[("if-none-match", &tag)],
            None,
        )
        .await;
        assert_eq!(english.status, StatusCode::OK);
        // Sent compressed to a browser that accepts it.
        let page = request(&router, "GET", "/s/nps", &[("accept-encoding", "br")], None).await;
        assert_eq!(page.header("content-encoding"), Some("br"));
        b.finish().await;
    }
}

#[tokio::test]
async fn a_published_survey_is_drawn_from_its_latest_version_and_its_texts_stay_text() {
    let dist = dist();
    // Hostile texts: markup in a title, a label and an option value, and a script end inside
    // the definition.
    let definition = json!({
        "id": "visit", "version": 2, "default_locale": "en",
        "title": "</script><script>alert(1)</script>",
        "pages": [
            {"id": "first", "title": "Your <b>visit</b>", "questions": [
                {"id": "channel", "kind": "single_choice", "text": "Where \"exactly\"?",
                 "options": [
                     {"value": "a&b", "label": "<img src=x onerror=alert(1)>"},
                     {"value": "web", "label": "Web"}
                 ]},
                {"id": "stars", "kind": "rating", "stars": true, "text": "Stars",
                 "scale": {"min": 1, "max": 3}},
                {"id": "later", "kind": "text", "text": "Only for the web",
                 "visible_if": "channel == \"web\""},
                {"id": "why", "kind": "text", "text": "Why?", "multiline": true, "max_length": 200}
            ]},
            {"id": "second", "questions": [{"id": "n", "kind": "nps", "text": "Recommend?"}]}
        ]
    });
    for b in backends().await {
        let router = router_with_app(&b, &dist);
        let token = staff_token(&b).await;
        publish(&b, &token, &definition).await;
        let page = request(&router, "GET", "/s/visit", &[], None).await;
        let html = &page.text;
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(
            html.contains("<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>")
        );
        assert!(html.contains(r#"data-testid="page-heading">Your &lt;b&gt;visit&lt;/b&gt;</h2>"#));
        assert!(html.contains(r#"data-testid="channel-opt-a&amp;b"><span class="choice-label">&lt;img src=x onerror=alert(1)&gt;</span>"#));
        assert!(html.contains("Where &quot;exactly&quot;?"));
        // Stars, the multi-line field with its limit, no question hidden by its condition, and
        // a "Next" since a page follows.
        assert!(html.contains(r#"data-testid="stars-opt-3"><span class="star" aria-hidden="true">★</span><span class="visually-hidden">3</span>"#));
        assert!(html.contains(r#"<textarea id="q-why-input""#));
        assert!(html.contains("0 / 200 characters"));
        assert!(!html.contains("question-later"));
        assert!(html.contains(r#"data-testid="next">Next</button>"#));
        // Nothing SurveyJS's runtime alone runs: the usual bundle.
        assert!(!html.contains("manyi-runner"));
        // The definition reads back whole: the script-ending text is only escaped.
        let served = served_definition(html);
        assert_eq!(served["title"], "</script><script>alert(1)</script>");
        assert_eq!(served["version"], 2);
        b.finish().await;
    }
}

#[tokio::test]
async fn pages_that_cannot_be_drawn_get_the_apps_own_page() {
    let dist = dist();
    let matrix = json!({
        "id": "grid", "version": 1, "default_locale": "en", "title": "Grid",
        "pages": [{"id": "p", "questions": [
            {"id": "m", "kind": "matrix", "text": "Rate", "rows": [
                {"id": "a", "text": "A"}, {"id": "b", "text": "B"}
            ]}
        ]}]
    });
    for b in backends().await {
        let router = router_with_app(&b, &dist);
        let token = staff_token(&b).await;
        publish(&b, &token, &matrix).await;
        // A matrix only the app draws: the definition, but no drawn page and no script.
        let page = request(&router, "GET", "/s/grid", &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text.contains("data-prerendered"));
        assert!(!page.text.contains("<script>"));
        assert_eq!(served_definition(&page.text)["id"], "grid");
        let csp = page.header("content-security-policy").unwrap();
        assert!(!csp.contains("sha256"), "{csp}");
        // A SurveyJS condition is for the full bundle, which the page names.
        let mut surveyjs = matrix.clone();
        surveyjs["id"] = json!("sjs");
        surveyjs["pages"][0]["questions"] = json!([
            {"id": "a", "kind": "rating", "text": "A"},
            {"id": "b", "kind": "text", "text": "B", "visible_if": {"surveyjs": "{a} notempty"}}
        ]);
        publish(&b, &token, &surveyjs).await;
        let page = request(&router, "GET", "/s/sjs", &[], None).await;
        assert!(
            page.text
                .contains(r#"</title><meta name="manyi-runner" content="full">"#),
            "{}",
            page.text
        );
        assert!(page.text.contains("data-prerendered"));
        // A survey the server does not know: the app's page as built, stylesheet linked.
        let page = request(&router, "GET", "/s/nowhere", &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text, INDEX);
        b.finish().await;
    }
    // A build without the early script draws nothing either.
    let bare = temp_dist();
    std::fs::write(bare.join("index.html"), INDEX).unwrap();
    let b = sqlite().await;
    let page = request(&router_with_app(&b, &bare), "GET", "/s/nps", &[], None).await;
    assert!(!page.text.contains("data-prerendered"));
    assert!(page.text.contains(r#"id="manyi-survey""#));
    b.finish().await;
}
