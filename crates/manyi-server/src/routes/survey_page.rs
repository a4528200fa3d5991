//! A survey's page, `/s/{survey_id}`: the app's `index.html` with the survey's first page drawn
//! into it (`prerender`) and its definition beside it, so the respondent sees the first question
//! as soon as the page arrives and the app, when it starts, needs no request to find the survey.
//!
//! The page is the app's own whatever happens: a survey the server does not know (one imported
//! on a device, or none at all), a page only the app can draw, or a database that does not answer
//! all give the plain `index.html`, and the app finds the survey as it always has.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use manyi_api::API_BASE;
use manyi_core::{Survey, templates};
use manyi_i18n::{Lang, choose, survey_langs};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::policy::survey_page_csp;
use crate::prerender::{escape, first_page};
use crate::state::AppState;

/// The element the app reads the served definition from (`src/storage/catalog.rs`).
pub const DEFINITION_ID: &str = "manyi-survey";

/// `GET /s/{survey_id}` (only when the app is served).
pub async fn survey_page(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(dist) = state.dist.as_ref() else {
        return Err(AppError::not_found("no such endpoint"));
    };
    // The page is small and in the page cache after its first read; reading it per request
    // keeps a rebuilt app's page in step with its files.
    let index = tokio::fs::read_to_string(dist.join("index.html"))
        .await
        .map_err(|e| AppError::Internal(format!("reading index.html: {e}")))?;
    // The published survey, else the built-in template of that name. A failing database leaves
    // the finding to the app, which also knows the copy it kept for use offline.
    let survey = match state.db.survey(&survey_id, None).await {
        Ok(Some(survey)) => Some(survey),
        Ok(None) => templates::get(&survey_id).and_then(Result::ok),
        Err(error) => {
            tracing::warn!(%error, survey_id, "survey page without its first question");
            None
        }
    };
    // Without the script that makes it answerable, nothing is drawn: options that ignore a
    // tap would be worse than none.
    let script = tokio::fs::read_to_string(dist.join("public/early.js"))
        .await
        .ok();
    let style = tokio::fs::read_to_string(dist.join("main.css")).await.ok();
    let (page, drawn) = match &survey {
        Some(survey) => with_survey(&index, survey, script.as_deref(), &query, &headers),
        None => (index, false),
    };
    let page = match (&survey, style) {
        (Some(_), Some(style)) => inline_stylesheet(&page, &style),
        _ => page,
    };
    let script = script.filter(|_| drawn);
    // The page is written per request, so it has no date to revalidate by; its digest tells a
    // browser's copy that is still current (weak: it is sent compressed or not).
    let etag = format!(
        "W/\"{}\"",
        BASE64.encode(&Sha256::digest(page.as_bytes())[..18])
    );
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == etag);
    let head = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        // The language drawn follows the browser's.
        (header::VARY, HeaderValue::from_static("Accept-Language")),
        // Base64 is plain ASCII, so the tag is always a valid header value.
        (
            header::ETAG,
            HeaderValue::from_str(&etag)
                .map_err(|e| AppError::Internal(format!("survey page tag: {e}")))?,
        ),
    ];
    let mut response = match unchanged {
        true => (StatusCode::NOT_MODIFIED, head).into_response(),
        false => (head, page).into_response(),
    };
    if let Some(script) = script {
        let digest = BASE64.encode(Sha256::digest(script.trim().as_bytes()));
        // A base64 digest is plain ASCII, so the policy is always a valid header value.
        let csp = HeaderValue::from_str(&survey_page_csp(&digest))
            .map_err(|e| AppError::Internal(format!("survey page policy: {e}")))?;
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(response)
}

/// `index` with `survey`'s definition and, when it can be drawn and `script` makes it answerable,
/// its first page in the language the app would choose followed by the script; and whether it
/// was drawn.
fn with_survey(
    index: &str,
    survey: &Survey,
    script: Option<&str>,
    query: &Option<String>,
    headers: &HeaderMap,
) -> (String, bool) {
    let (offered, fallback) = survey_langs(survey);
    let requested = query.as_deref().and_then(lang_param);
    let browser = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(accept_language)
        .unwrap_or_default();
    let lang = choose(requested, &browser, &offered, fallback);
    // Inside a script element only `</script` could end the data early; with every `<` written
    // as an escape it cannot appear (outside strings JSON has no `<`).
    let json = serde_json::to_string(survey)
        .unwrap_or_default()
        .replace('<', "\\u003c");
    let mut body = String::new();
    let drawn = match (script, first_page(survey, lang)) {
        (Some(script), Some(html)) => {
            body.push_str(&html);
            // Right after the drawn page, so it runs before the page is first painted.
            body.push_str(&format!("<script>{}</script>", script.trim()));
            true
        }
        _ => false,
    };
    body.push_str(&format!(
        r#"<script type="application/json" id="{DEFINITION_ID}">{json}</script>"#
    ));
    let title = escape(survey.title.get(lang.tag(), &survey.default_locale));
    // A survey with SurveyJS conditions or pattern validators runs in the respondent's full
    // bundle (`public/boot.js` reads this).
    let runner = match survey.needs_surveyjs() {
        true => r#"<meta name="manyi-runner" content="full">"#,
        false => "",
    };
    // Where the API is, which the app would otherwise ask `/manyi-config.json` for.
    let runner = format!(r#"{runner}<meta name="manyi-api" content="{API_BASE}">"#);
    // The page's `<html>` tag carries only its language (a release build writes it unquoted).
    let page = match (
        index.find("<html"),
        index.find("<title>"),
        index.find("</title>"),
    ) {
        (Some(html), Some(title_at), Some(title_end))
            if html < title_at && title_at < title_end =>
        {
            let html_end = html + index[html..].find('>').unwrap_or(0);
            format!(
                r#"{}<html lang="{}">{}<title>{title}</title>{runner}{}"#,
                &index[..html],
                lang.tag(),
                &index[html_end + 1..title_at],
                &index[title_end + "</title>".len()..],
            )
        }
        _ => index.to_owned(),
    };
    let page = match page.find("<body>") {
        Some(at) => {
            let at = at + "<body>".len();
            format!("{}{body}{}", &page[..at], &page[at..])
        }
        None => page,
    };
    (page, drawn)
}

/// `page` with its stylesheet link replaced by the stylesheet itself: the first question is
/// painted with the page, one round trip sooner on a slow network, and the respondent saves a
/// request. A stylesheet that could end its element early is left linked.
fn inline_stylesheet(page: &str, style: &str) -> String {
    let link = page.find("main.css").and_then(|at| {
        let start = page[..at].rfind("<link")?;
        let end = at + page[at..].find('>')? + 1;
        Some((start, end))
    });
    match link {
        Some((start, end)) if !style.to_ascii_lowercase().contains("</style") => {
            format!("{}<style>{style}</style>{}", &page[..start], &page[end..])
        }
        _ => page.to_owned(),
    }
}

/// The language a page's `?lang=` asks for, if any.
fn lang_param(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Lang::from_tag)
}

/// The languages of an `Accept-Language` header that the app supports, best first (by quality,
/// in the header's order among equals).
pub fn accept_language(header: &str) -> Vec<Lang> {
    let mut ranked: Vec<(f32, Lang)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let lang = Lang::from_tag(parts.next()?.trim())?;
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (quality > 0.0).then_some((quality, lang))
        })
        .collect();
    // A stable sort keeps the header's order among equal qualities.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.into_iter().map(|(_, lang)| lang).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_ranks_by_quality_and_skips_the_unsupported() {
        assert_eq!(
            accept_language("fr-FR, en;q=0.5, zh-TW;q=0.8, zh;q=0"),
            vec![Lang::ZhTw, Lang::En]
        );
        assert_eq!(
            accept_language("zh-HK,zh-CN;q=0.9"),
            vec![Lang::ZhTw, Lang::ZhCn]
        );
        assert_eq!(accept_language("en;q=abc, *"), Vec::<Lang>::new());
        assert_eq!(accept_language(""), Vec::<Lang>::new());
    }

    #[test]
    fn the_lang_parameter_is_read_among_others() {
        assert_eq!(lang_param("a=1&lang=en&b=2"), Some(Lang::En));
        assert_eq!(lang_param("lang=xx"), None);
        assert_eq!(lang_param("flang=en"), None);
    }
}
