//! A survey's first page as HTML, written into the page the server sends for `/s/{id}`, so a
//! respondent on a slow phone sees the first question, and can answer it, before the app has
//! arrived: on a mobile network the app's files take about a second more than the page.
//!
//! The markup is the app's own for that page (`SurveyForm`, `QuestionView`, `OptionGroup`,
//! `TextInput`, `Progress`), class for class and with the same strings (`manyi-i18n`), so the
//! app can take the page over without anything moving: `public/boot.js` keeps the choices made
//! before it arrives, and the app carries them into its run (`src/runner/prerendered.rs`). The
//! end-to-end test `tests/e2e/first-question.test.mjs` checks both renderings lay out alike.
//!
//! Only what can be drawn without the app is drawn: a page of scales, single choices and text
//! fields, in the language the app would pick. A page with any other kind of question (a
//! matrix, several choices, a contact question) is left to the app, as are the `embed` and
//! kiosk screens.

use std::collections::HashSet;
use std::fmt::Write;

use manyi_core::model::{Question, QuestionKind};
use manyi_core::visibility::Visibility;
use manyi_core::{LocalizedText, Survey};
use manyi_i18n::{Lang, Msg, char_count, format, page_of};

/// The survey's first page for a respondent whose language is `lang`, or `None` when the page
/// holds something only the app can draw.
pub fn first_page(survey: &Survey, lang: Lang) -> Option<String> {
    let page = survey.pages.first()?;
    let no_answers = std::collections::BTreeMap::new();
    let visibility = Visibility::new(survey);
    let hidden = visibility.hidden(&no_answers);
    let read_only = visibility.disabled(&no_answers, &hidden);
    let shown: Vec<&Question> = page
        .questions
        .iter()
        .filter(|q| !hidden.contains(&q.id))
        .collect();
    if shown.is_empty() || !shown.iter().all(|q| drawable(q.kind)) {
        return None;
    }
    let text = |t: &LocalizedText| escape(t.get(lang.tag(), &survey.default_locale));
    let title = text(&survey.title);
    // The app's `Session::is_last`: no later page has a question to show.
    let is_last = survey.pages[1..]
        .iter()
        .all(|p| p.questions.iter().all(|q| hidden.contains(&q.id)));

    let mut html = String::with_capacity(4096);
    // The app's `<main>` (respondent bundle), `SurveyForm`'s top bar and the empty live region of
    // `StorageAlert`.
    let _ = write!(
        html,
        r#"<main class="app" id="main" data-prerendered="{id}"><header class="top-bar"><p class="survey-title" data-testid="survey-title">{title}</p><nav class="top-links"></nav></header><div role="alert" class="alert-region"></div>"#,
        id = escape(&survey.id),
    );
    let heading = page.title.as_ref().map_or_else(|| title.clone(), text);
    let _ = write!(
        html,
        r#"<form class="runner" novalidate autocomplete="off" data-testid="runner"><h2 class="page-heading{hidden}" tabindex="-1" data-testid="page-heading">{heading}</h2>"#,
        hidden = if page.title.is_none() {
            " visually-hidden"
        } else {
            ""
        },
    );
    let pages = survey.pages.len();
    let _ = write!(
        html,
        r#"<div class="progress"><p id="progress-label" class="progress-label" data-testid="progress">{label}</p><progress max="{pages}" value="1" aria-labelledby="progress-label"></progress></div>"#,
        label = escape(&page_of(lang, 1, pages)),
    );
    if let Some(description) = &survey.description {
        let _ = write!(html, r#"<p class="lead">{}</p>"#, text(description));
    }
    for question in shown {
        question_html(&mut html, question, lang, &text, &read_only);
    }
    let next = if is_last { Msg::Submit } else { Msg::Next };
    let _ = write!(
        html,
        r#"<div class="nav-buttons"><button type="submit" class="button primary" data-testid="next">{}</button></div></form></main>"#,
        escape(next.text(lang)),
    );
    Some(html)
}

/// The kinds drawn here: those the app shows as a group of options or a text field.
fn drawable(kind: QuestionKind) -> bool {
    matches!(
        kind,
        QuestionKind::Nps
            | QuestionKind::Rating
            | QuestionKind::Likert
            | QuestionKind::SingleChoice
            | QuestionKind::Text
    )
}

/// `QuestionView`'s frame around the question's input.
fn question_html(
    html: &mut String,
    q: &Question,
    lang: Lang,
    text: &dyn Fn(&LocalizedText) -> String,
    read_only: &HashSet<String>,
) {
    let qid = escape(&q.id);
    let help_id = format!("q-{qid}-help");
    let error_id = format!("q-{qid}-error");
    let describedby = match &q.help {
        Some(_) => format!("{help_id} {error_id}"),
        None => error_id.clone(),
    };
    let input_id = format!("q-{qid}-input");
    let label_for = match q.kind {
        QuestionKind::Text => format!(r#" for="{input_id}""#),
        _ => String::new(),
    };
    let _ = write!(
        html,
        r#"<div class="question" data-testid="question-{qid}"><label id="q-{qid}-label"{label_for} class="question-text">{}"#,
        text(&q.text),
    );
    if q.required {
        let _ = write!(
            html,
            r#"<span class="required-mark">{}</span>"#,
            escape(Msg::RequiredMark.text(lang))
        );
    }
    html.push_str("</label>");
    if let Some(help) = &q.help {
        let _ = write!(html, r#"<p id="{help_id}" class="help">{}</p>"#, text(help));
    }
    let disabled = if read_only.contains(&q.id) {
        " disabled"
    } else {
        ""
    };
    let _ = write!(html, r#"<fieldset class="question-input"{disabled}>"#);
    let required = if q.required { "true" } else { "false" };
    match q.kind {
        QuestionKind::Text => {
            let counter = format!("{input_id}-counter");
            let attributes = format!(
                r#"id="{input_id}" aria-describedby="{describedby} {counter}" aria-invalid="false" aria-required="{required}" data-testid="{qid}-input""#
            );
            if q.multiline {
                let _ = write!(html, r#"<textarea {attributes} rows="4"></textarea>"#);
            } else {
                let _ = write!(html, r#"<input {attributes} type="text">"#);
            }
            let _ = write!(
                html,
                r#"<p id="{counter}" class="counter" data-testid="{qid}-counter">{}</p>"#,
                escape(&char_count(lang, 0, q.max_length())),
            );
        }
        _ => group_html(html, q, &qid, lang, text, &describedby, required),
    }
    let _ = write!(
        html,
        r#"</fieldset><p id="{error_id}" class="field-error" data-testid="error-{qid}"></p></div>"#
    );
}

/// How `OptionGroup` draws a question's options.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Nps,
    Numbers,
    Stars,
    Likert,
    Choice,
}

/// `OptionGroup`: a radio group of buttons, with the scale's end labels under it where the app
/// shows them.
fn group_html(
    html: &mut String,
    q: &Question,
    qid: &str,
    lang: Lang,
    text: &dyn Fn(&LocalizedText) -> String,
    describedby: &str,
    required: &str,
) {
    let style = match q.kind {
        QuestionKind::Nps => Style::Nps,
        QuestionKind::Likert => Style::Likert,
        QuestionKind::SingleChoice => Style::Choice,
        _ if q.stars => Style::Stars,
        _ => Style::Numbers,
    };
    // Each option's key (what its test id carries and a scale shows) and label, as
    // `QuestionView` lists them.
    let options: Vec<(String, Option<LocalizedText>)> = match style {
        Style::Choice => q
            .options
            .iter()
            .map(|o| (o.value.clone(), Some(o.label.clone())))
            .collect(),
        _ => q
            .offered_points()
            .into_iter()
            .map(|(x, label)| (format::point(x), label))
            .collect(),
    };
    let class = match style {
        Style::Nps => "scale scale-nps",
        Style::Numbers => "scale scale-numbers",
        Style::Stars => "scale scale-stars",
        Style::Likert => "scale scale-likert",
        Style::Choice => "scale scale-choice",
    };
    let _ = write!(
        html,
        r#"<div role="radiogroup" class="{class}" style="--points: {count}" aria-labelledby="q-{qid}-label" aria-describedby="{describedby}" aria-invalid="false" aria-required="{required}">"#,
        count = options.len(),
    );
    for (index, (key, label)) in options.iter().enumerate() {
        let label = label.as_ref().map(text).unwrap_or_default();
        let key = escape(key);
        let (shown_class, second_class) = match style {
            Style::Nps | Style::Numbers => ("point-number", "visually-hidden"),
            Style::Likert => ("point-number", "point-label"),
            Style::Stars => ("star", "visually-hidden"),
            Style::Choice => ("choice-label", "visually-hidden"),
        };
        let shown = match style {
            Style::Stars => "★".to_owned(),
            Style::Choice => label.clone(),
            _ => key.clone(),
        };
        let second = match style {
            Style::Likert => label,
            Style::Choice => String::new(),
            Style::Stars if label.is_empty() => key.clone(),
            Style::Stars => format!("{key} {label}"),
            _ if label.is_empty() => label,
            _ => format!(" {label}"),
        };
        let hidden = if style == Style::Stars {
            r#" aria-hidden="true""#
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<button type="button" role="radio" class="scale-point" aria-checked="false" tabindex="{tab}" data-testid="{qid}-opt-{key}"><span class="{shown_class}"{hidden}>{shown}</span><span class="{second_class}">{second}</span></button>"#,
            tab = if index == 0 { "0" } else { "-1" },
        );
    }
    html.push_str("</div>");
    let end = |at: Option<&(String, Option<LocalizedText>)>, fallback: Msg| match at
        .and_then(|(_, label)| label.as_ref())
    {
        Some(label) => text(label),
        None if style == Style::Nps => escape(fallback.text(lang)),
        None => String::new(),
    };
    let show_ends = match style {
        Style::Nps => true,
        Style::Numbers | Style::Stars => {
            options.first().is_some_and(|o| o.1.is_some())
                || options.last().is_some_and(|o| o.1.is_some())
        }
        Style::Likert | Style::Choice => false,
    };
    if show_ends {
        let _ = write!(
            html,
            r#"<div class="scale-ends" aria-hidden="true"><span>{}</span><span>{}</span></div>"#,
            end(options.first(), Msg::NpsLow),
            end(options.last(), Msg::NpsHigh),
        );
    }
}

/// `text` with the characters that mean something in HTML written as references, for text
/// and attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
