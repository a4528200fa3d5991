//! Export of manyi definitions as SurveyJS JSON, for editing in SurveyJS Creator.
//!
//! Every question kind has a SurveyJS type: NPS, rating and Likert questions become `rating`,
//! choices `radiogroup` and `checkbox`, text `text` or `comment`, a matrix `matrix`, and a
//! contact question a `panel` of a `boolean`, a `radiogroup` and `text` inputs (see
//! [`contact_panel`]). What
//! SurveyJS has no property for goes into `manyi` properties (see the module above), which an
//! import reads back. manyi's own conditions are translated into SurveyJS expressions and also
//! kept as written in `manyi`, so that an unedited round trip gives them back exactly.

use serde_json::{Map, Value as Json, json};

use super::ext::{QuestionExt, RowExt, SurveyExt};
use crate::condition::surveyjs::{BinOp, Expr};
use crate::condition::{CompareOp, Condition, Operand};
use crate::model::{
    AnswerValidator, Check, ConditionText, ContactMethod, LocalizedText, Question, QuestionKind,
    RequiredRows, Scale, ScoringSettings, Survey,
};

/// The survey as a SurveyJS JSON definition.
pub fn export(survey: &Survey) -> Json {
    let contacts = contact_ids(survey);
    let mut root = Map::new();
    root.insert("title".into(), text(&survey.title));
    if let Some(description) = &survey.description {
        root.insert("description".into(), text(description));
    }
    if survey.default_locale != "en" {
        root.insert(
            "locale".into(),
            survey.default_locale.to_ascii_lowercase().into(),
        );
    }
    let pages: Vec<Json> = survey
        .pages
        .iter()
        .map(|page| {
            let mut p = Map::new();
            p.insert("name".into(), page.id.clone().into());
            if let Some(title) = &page.title {
                p.insert("title".into(), text(title));
            }
            p.insert(
                "elements".into(),
                page.questions
                    .iter()
                    .map(|q| match q.kind {
                        QuestionKind::Contact => contact_panel(q, &contacts),
                        _ => question(q, &contacts),
                    })
                    .collect(),
            );
            Json::Object(p)
        })
        .collect();
    root.insert("pages".into(), pages.into());
    if let Some(thank_you) = &survey.thank_you {
        root.insert("completedHtml".into(), map_text(thank_you, escape_html));
    }
    let ext = SurveyExt {
        id: Some(survey.id.clone()),
        version: Some(survey.version),
        default_locale: Some(survey.default_locale.clone()),
        locales: survey.locales.clone(),
        dimensions: survey.dimensions.clone(),
        scoring: (survey.scoring != ScoringSettings::default()).then(|| survey.scoring.clone()),
        show_scores: survey.show_scores,
        segments: survey.segments.clone(),
    };
    root.insert(
        "manyi".into(),
        serde_json::to_value(ext).expect("the extension serialises"),
    );
    Json::Object(root)
}

/// The ids of a survey's contact questions, whose parts conditions name differently in
/// SurveyJS (see [`contact_panel`]).
pub(super) fn contact_ids(survey: &Survey) -> Vec<String> {
    survey
        .questions()
        .filter(|q| q.kind == QuestionKind::Contact)
        .map(|q| q.id.clone())
        .collect()
}

fn question(q: &Question, contacts: &[String]) -> Json {
    let mut e = Map::new();
    let mut ext = QuestionExt {
        dimension: q.dimension.clone(),
        reverse: q.reverse,
        weight: q.weight,
        metric: q.metric,
        ..QuestionExt::default()
    };
    let kind = match q.kind {
        QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert => "rating",
        QuestionKind::SingleChoice => "radiogroup",
        QuestionKind::MultiChoice => "checkbox",
        QuestionKind::Text if q.multiline => "comment",
        QuestionKind::Text => "text",
        QuestionKind::Matrix => "matrix",
        // The consent; the method and the details are elements of their own beside it.
        QuestionKind::Contact => "boolean",
    };
    e.insert("type".into(), kind.into());
    e.insert("name".into(), q.id.clone().into());
    e.insert("title".into(), text(&q.text));
    if let Some(help) = &q.help {
        e.insert("description".into(), text(help));
    }
    if q.required {
        e.insert("isRequired".into(), true.into());
    }
    let scale = q.effective_scale();
    match q.kind {
        QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert => {
            let scale = scale.expect("scaled kinds have a scale");
            rating(&mut e, &scale);
            if q.stars {
                e.insert("rateType".into(), "stars".into());
            }
            // An import reads 0–10 as NPS and any other scale as a rating.
            let nps_shape = scale.min == 0.0 && scale.max == 10.0 && scale.step() == 1.0;
            ext.kind = match q.kind {
                QuestionKind::Likert => Some(QuestionKind::Likert),
                QuestionKind::Rating if nps_shape => Some(QuestionKind::Rating),
                _ => None,
            };
        }
        QuestionKind::SingleChoice | QuestionKind::MultiChoice => {
            let choices: Vec<Json> = q
                .options
                .iter()
                .map(|o| match &o.label {
                    LocalizedText::Plain(label) if *label == o.value => o.value.clone().into(),
                    label => json!({"value": o.value, "text": text(label)}),
                })
                .collect();
            e.insert("choices".into(), choices.into());
        }
        QuestionKind::Text => {
            if let Some(max) = q.max_length {
                e.insert("maxLength".into(), max.into());
            }
        }
        QuestionKind::Contact => {
            ext.kind = Some(QuestionKind::Contact);
            ext.methods = q.methods.clone();
            // Yes and No as radio buttons, SurveyJS's own words in the survey's language,
            // rather than its default switch, whose off position reads as no answer.
            e.insert("renderAs".into(), "radio".into());
        }
        QuestionKind::Matrix => {
            let scale = scale.expect("a matrix has a scale");
            e.insert("columns".into(), points(&scale).into());
            let rows: Vec<Json> = q
                .rows
                .iter()
                .map(|r| json!({"value": r.id, "text": text(&r.text)}))
                .collect();
            e.insert("rows".into(), rows.into());
            // SurveyJS's isRequired alone asks for any one row.
            if q.required && q.required_rows == RequiredRows::All {
                e.insert("eachRowRequired".into(), true.into());
            }
            for r in &q.rows {
                if r.dimension.is_some() || r.reverse || r.weight.is_some() {
                    ext.rows.insert(
                        r.id.clone(),
                        RowExt {
                            dimension: r.dimension.clone(),
                            reverse: r.reverse,
                            weight: r.weight,
                        },
                    );
                }
            }
        }
    }
    if !q.validators.is_empty() {
        e.insert(
            "validators".into(),
            q.validators.iter().map(validator).collect(),
        );
    }
    for (key, condition, keep) in [
        ("visibleIf", &q.visible_if, &mut ext.visible_if),
        ("enableIf", &q.enable_if, &mut ext.enable_if),
        ("requiredIf", &q.required_if, &mut ext.required_if),
    ] {
        let translated = match condition {
            None => continue,
            Some(ConditionText::SurveyJs(e)) => Some(surveyjs_condition(&e.surveyjs, contacts)),
            Some(ConditionText::Manyi(text)) => {
                *keep = Some(text.clone());
                condition_to_surveyjs(text, contacts)
            }
        };
        if let Some(translated) = translated {
            e.insert(key.into(), translated.into());
        }
    }
    if !ext.is_empty() {
        e.insert(
            "manyi".into(),
            serde_json::to_value(ext).expect("the extension serialises"),
        );
    }
    Json::Object(e)
}

/// A contact question as a panel of SurveyJS elements that ask what manyi's runner asks: the
/// consent, a `boolean` named as the question is; a `radiogroup` of the methods (`{id}_method`)
/// shown once the respondent agreed; and for each method a `text` input (`{id}_phone` with
/// `inputType` `tel`, `{id}_email` with `email`) shown once it is chosen, required, with a
/// validator that checks what manyi checks. The boolean carries the question's `manyi`
/// property; an import reads the question from it and takes the other elements as its parts
/// ([`contact_parts`]).
///
/// Conditions name the parts as SurveyJS holds them: manyi's `contact.agreed` is SurveyJS's
/// `{contact}`, and `contact.method` is `{contact_method}`.
fn contact_panel(q: &Question, contacts: &[String]) -> Json {
    let mut elements = vec![question(q, contacts)];
    elements.extend(contact_parts(q));
    json!({
        "type": "panel",
        "name": format!("{}_panel", q.id),
        "elements": elements,
    })
}

/// The elements after a contact question's consent in its panel (see [`contact_panel`]),
/// which an import compares with what it finds, to report any edit it does not carry over.
pub(super) fn contact_parts(q: &Question) -> Vec<Json> {
    let words = |en: &str, zh_cn: &str, zh_tw: &str| {
        text(&LocalizedText::PerLocale(
            [("en", en), ("zh-CN", zh_cn), ("zh-TW", zh_tw)]
                .into_iter()
                .map(|(locale, t)| (locale.to_owned(), t.to_owned()))
                .collect(),
        ))
    };
    let id = &q.id;
    let method_name = |m: ContactMethod| match m {
        ContactMethod::Phone => words("Phone", "电话", "電話"),
        ContactMethod::Email => words("E-mail", "电子邮件", "電子郵件"),
    };
    let choices: Vec<Json> = q
        .contact_methods()
        .iter()
        .map(|m| json!({"value": m.as_str(), "text": method_name(*m)}))
        .collect();
    let mut parts = vec![json!({
        "type": "radiogroup",
        "name": format!("{id}_method"),
        "title": words("How may we contact you?", "我们可以通过什么方式联系您？", "我們可以透過什麼方式聯絡您？"),
        "isRequired": true,
        "visibleIf": format!("{{{id}}} = true"),
        "choices": choices,
    })];
    for &method in q.contact_methods() {
        let name = method.as_str();
        let (title, input, validator) = match method {
            ContactMethod::Phone => (
                words("Phone number", "电话号码", "電話號碼"),
                "tel",
                json!({
                    "type": "regex",
                    // 6–20 digits, an optional leading +, single spaces or dashes between
                    // digits: `validate::is_phone_number` as a pattern.
                    "regex": r"^\+?(?:[0-9][ -]?){5,19}[0-9]$",
                    "text": words(
                        "Please enter a phone number of 6 to 20 digits.",
                        "请输入 6 到 20 位数字的电话号码。",
                        "請輸入 6 到 20 位數字的電話號碼。",
                    ),
                }),
            ),
            ContactMethod::Email => (
                words("E-mail address", "电子邮件地址", "電子郵件地址"),
                "email",
                json!({"type": "email"}),
            ),
        };
        parts.push(json!({
            "type": "text",
            "name": format!("{id}_{name}"),
            "title": title,
            "inputType": input,
            "autocomplete": input,
            "isRequired": true,
            "visibleIf": format!("{{{id}}} = true and {{{id}_method}} = '{name}'"),
            "validators": [validator],
        }));
    }
    parts
}

/// A validator as SurveyJS writes it: its type, its properties, and the message as `text`.
fn validator(v: &AnswerValidator) -> Json {
    let mut out = Map::new();
    let bound = |out: &mut Map<String, Json>, key: &str, x: Option<f64>| {
        if let Some(x) = x {
            out.insert(key.into(), number(x));
        }
    };
    let kind = match &v.check {
        Check::Email => "email",
        Check::Pattern {
            regex,
            case_insensitive,
        } => {
            out.insert("regex".into(), regex.clone().into());
            if *case_insensitive {
                out.insert("caseInsensitive".into(), true.into());
            }
            "regex"
        }
        Check::Numeric { min, max } => {
            bound(&mut out, "minValue", *min);
            bound(&mut out, "maxValue", *max);
            "numeric"
        }
        Check::AnswerCount { min, max } => {
            bound(&mut out, "minCount", min.map(f64::from));
            bound(&mut out, "maxCount", max.map(f64::from));
            "answercount"
        }
        Check::TextLength {
            min,
            max,
            allow_digits,
        } => {
            bound(&mut out, "minLength", min.map(f64::from));
            bound(&mut out, "maxLength", max.map(f64::from));
            if !allow_digits {
                out.insert("allowDigits".into(), false.into());
            }
            "text"
        }
    };
    out.insert("type".into(), kind.into());
    if let Some(message) = &v.message {
        out.insert("text".into(), text(message));
    }
    Json::Object(out)
}

/// A scale as rateMin/rateMax/rateStep with end descriptions, or as rateValues when points
/// between the ends have labels.
fn rating(e: &mut Map<String, Json>, scale: &Scale) {
    let inner_labels = scale
        .labels
        .iter()
        .any(|l| l.value != scale.min && l.value != scale.max);
    if inner_labels {
        e.insert("rateValues".into(), points(scale).into());
    } else {
        e.insert("rateMin".into(), number(scale.min));
        e.insert("rateMax".into(), number(scale.max));
        for label in &scale.labels {
            let key = if label.value == scale.min {
                "minRateDescription"
            } else {
                "maxRateDescription"
            };
            e.insert(key.into(), text(&label.label));
        }
    }
    if let Some(step) = scale.step {
        e.insert("rateStep".into(), number(step));
    }
}

/// A scale's points as SurveyJS items: the number, or `{value, text}` when it has a label.
fn points(scale: &Scale) -> Vec<Json> {
    scale
        .points()
        .into_iter()
        .map(|p| match scale.labels.iter().find(|l| l.value == p) {
            Some(l) => json!({"value": number(p), "text": text(&l.label)}),
            None => number(p),
        })
        .collect()
}

/// A number as JSON, whole numbers without a decimal point as SurveyJS writes them.
fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        (n as i64).into()
    } else {
        n.into()
    }
}

/// A localised string as SurveyJS writes one: a plain string, or locale → text with English
/// under `default` (SurveyJS's default locale) and lower-case locale tags.
fn text(t: &LocalizedText) -> Json {
    map_text(t, str::to_owned)
}

fn map_text(t: &LocalizedText, f: fn(&str) -> String) -> Json {
    match t {
        LocalizedText::Plain(s) => f(s).into(),
        LocalizedText::PerLocale(map) => Json::Object(
            map.iter()
                .map(|(locale, s)| {
                    let key = if locale.eq_ignore_ascii_case("en") {
                        "default".to_owned()
                    } else {
                        locale.to_ascii_lowercase()
                    };
                    (key, f(s).into())
                })
                .collect(),
        ),
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "<br>")
}

/// A condition in manyi's language as a SurveyJS expression, or None when it does not parse.
///
/// The translation keeps the meaning for answers a respondent can give, with two differences
/// of SurveyJS's semantics: strings compare case-insensitively and trimmed, and two unanswered
/// questions compare equal.
pub fn manyi_condition_to_surveyjs(text: &str) -> Option<String> {
    condition_to_surveyjs(text, &[])
}

/// [`manyi_condition_to_surveyjs`] in a survey whose contact questions are `contacts`, whose
/// parts SurveyJS names differently (see [`contact_panel`]).
pub(super) fn condition_to_surveyjs(text: &str, contacts: &[String]) -> Option<String> {
    let mut expr = convert(&Condition::parse(text).ok()?);
    rename_contact_parts(&mut expr, contacts);
    Some(expr.to_string())
}

/// A SurveyJS condition of a manyi survey as SurveyJS reads it: as written, unless it reads a
/// contact question's parts, which are renamed (see [`contact_panel`]).
fn surveyjs_condition(text: &str, contacts: &[String]) -> String {
    if let Ok(mut expr) = Expr::parse(text)
        && rename_contact_parts(&mut expr, contacts)
    {
        return expr.to_string();
    }
    text.to_owned()
}

/// Renames `{contact.agreed}` to `{contact}` and `{contact.method}` to `{contact_method}` for
/// each contact question of `contacts`; whether anything was renamed.
fn rename_contact_parts(expr: &mut Expr, contacts: &[String]) -> bool {
    let mut renamed = false;
    if contacts.is_empty() {
        return renamed;
    }
    expr.rename_variables(&mut |name| {
        let new = name.split_once('.').and_then(|(question, part)| {
            let question = question.to_ascii_lowercase();
            if !contacts.contains(&question) {
                return None;
            }
            match part.to_ascii_lowercase().as_str() {
                "agreed" => Some(question),
                "method" => Some(format!("{question}_method")),
                _ => None,
            }
        });
        renamed |= new.is_some();
        new.unwrap_or_else(|| name.to_owned())
    });
    renamed
}

fn convert(c: &Condition) -> Expr {
    let operand = |o: &Operand| match o {
        Operand::Var(v) => Expr::Var {
            name: v.to_string(),
            raw: false,
        },
        Operand::Number(n) => Expr::Number(*n),
        Operand::Text(s) => Expr::Text(s.clone()),
        Operand::Bool(b) => Expr::Bool(*b),
    };
    match c {
        Condition::Or(a, b) => Expr::binary(BinOp::Or, convert(a), convert(b)),
        Condition::And(a, b) => Expr::binary(BinOp::And, convert(a), convert(b)),
        Condition::Not(inner) => Expr::Not(Box::new(convert(inner))),
        Condition::Compare { left, op, right } => {
            let op = match op {
                CompareOp::Eq => BinOp::Eq,
                CompareOp::Ne => BinOp::Ne,
                CompareOp::Lt => BinOp::Lt,
                CompareOp::Le => BinOp::Le,
                CompareOp::Gt => BinOp::Gt,
                CompareOp::Ge => BinOp::Ge,
                CompareOp::Contains => BinOp::Contains,
            };
            Expr::binary(op, operand(left), operand(right))
        }
        // `q in [a, b]` as `q = a or q = b`: SurveyJS's anyof would also match a list answer
        // holding either, where manyi's `in` compares one value.
        Condition::In { var, values } => any(values
            .iter()
            .map(|v| Expr::binary(BinOp::Eq, operand(&Operand::Var(var.clone())), operand(v)))
            .collect()),
    }
}

/// `a or b or …` as a balanced tree: a long list after `in` becomes a tree as deep as the
/// logarithm of its length, where a chain would pass the nesting limit of conditions.
fn any(mut terms: Vec<Expr>) -> Expr {
    if terms.len() <= 1 {
        return terms.pop().unwrap_or(Expr::Bool(false));
    }
    let right = terms.split_off(terms.len() / 2);
    Expr::binary(BinOp::Or, any(terms), any(right))
}
