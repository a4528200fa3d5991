//! Import of SurveyJS JSON definitions into manyi definitions.
//!
//! The import is a pure function of the JSON: [`import`] returns the survey and a list of
//! [`Report`]s, one for every element, property or condition that could not be carried over
//! (or was carried over changed), each with its JSON path in the SurveyJS document. Nothing is
//! dropped without a report.
//!
//! It runs in two passes. The first walks pages, panels and elements and builds the questions,
//! keeping conditions as text, and records which SurveyJS name became which question id. The
//! second parses the conditions, renames their variables to the new ids, combines a panel's or
//! page's condition with its elements' and checks what they read, so a condition may refer to
//! a question that comes later.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::ext::{QuestionExt, SurveyExt};
use crate::condition::surveyjs::{BinOp, Expr, FUNCTIONS, JsLower, number_to_string};
use crate::limits::MAX_VALIDATORS;
use crate::model::{
    AnswerValidator, Check, ChoiceOption, ConditionText, LocalizedText, MatrixRow, Page, Question,
    QuestionKind, RequiredRows, Scale, ScaleLabel, Survey, SurveyJsExpression,
};
use crate::validate::{Problem, validate_survey};

/// An imported survey with everything that did not carry over unchanged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    pub survey: Survey,
    pub reports: Vec<Report>,
}

/// Something in the SurveyJS document that manyi did not import as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Where it is, as a JSON path into the SurveyJS document, such as
    /// `$.pages[0].elements[3].visibleIf`.
    pub path: String,
    pub kind: ReportKind,
    /// What happened and why.
    pub message: String,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// An element was not imported (its answers have no place in the survey).
    Element,
    /// A property was not imported (its behaviour or content is lost).
    Property,
    /// A condition was not imported; the question behaves as if it had none.
    Condition,
    /// Imported, but changed: a renamed id, renumbered values, text moved or reformatted.
    Changed,
}

/// Choices a caller can make about the imported survey.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The survey id; else the one in a `manyi` extension, else one made from the title.
    pub id: Option<String>,
    /// The version; else the one in a `manyi` extension, else 1.
    pub version: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("a SurveyJS survey is a JSON object, not {0}")]
    NotAnObject(&'static str),
    #[error("no question could be imported ({} report(s))", reports.len())]
    NothingImported { reports: Vec<Report> },
    /// The result breaks a rule of manyi definitions (an id given in the options, say).
    #[error("the imported definition is invalid: {}", problems[0])]
    Invalid {
        problems: Vec<Problem>,
        reports: Vec<Report>,
    },
}

impl ImportError {
    /// The reports gathered before the import failed.
    pub fn reports(&self) -> &[Report] {
        match self {
            ImportError::NotAnObject(_) => &[],
            ImportError::NothingImported { reports } | ImportError::Invalid { reports, .. } => {
                reports
            }
        }
    }
}

/// Imports a SurveyJS survey with default options.
pub fn import(json: &Json) -> Result<Import, ImportError> {
    import_with(json, &Options::default())
}

/// Imports a SurveyJS survey.
pub fn import_with(json: &Json, options: &Options) -> Result<Import, ImportError> {
    let Json::Object(root) = json else {
        return Err(ImportError::NotAnObject(json_kind(json)));
    };
    let mut im = Importer::default();
    let ext: Option<SurveyExt> = im.extension(root, "$");
    // An export lists the locales even when there is one; without it they are gathered.
    let gather_locales = ext.is_none();
    let ext = ext.unwrap_or_default();
    im.default_locale = ext
        .default_locale
        .clone()
        .or_else(|| {
            root.get("locale")
                .and_then(Json::as_str)
                .map(canonical_locale)
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "en".to_owned());
    let title = im.text(root.get("title"), "$.title");
    let description = im.text(root.get("description"), "$.description");
    let thank_you = im.html(root.get("completedHtml"), "$.completedHtml");

    let mut handled = vec![
        "title",
        "description",
        "locale",
        "pages",
        "elements",
        "questions",
        "completedHtml",
        "triggers",
        "manyi",
    ];
    let root_elements = ["elements", "questions"]
        .into_iter()
        .find(|k| root.get(*k).is_some_and(Json::is_array));
    if let Some(key) = root_elements {
        im.page(root, &format!("$.{key}"), Some(key), "page1");
    }
    match root.get("pages") {
        Some(Json::Array(pages)) => {
            for (i, page) in pages.iter().enumerate() {
                let path = format!("$.pages[{i}]");
                match page {
                    Json::Object(page) => im.page(page, &path, None, &format!("page{}", i + 1)),
                    other => im.report(path, ReportKind::Element, not_object(other)),
                }
            }
        }
        Some(Json::Null) | None => {}
        Some(other) => {
            handled.retain(|k| *k != "pages");
            im.report("$.pages", ReportKind::Property, not_array(other));
        }
    }
    im.missing_contact_parts();
    im.triggers(root.get("triggers"));
    im.valued_names(root);
    im.leftovers(root, &handled, "$");
    im.resolve_conditions();

    let pages: Vec<Page> = std::mem::take(&mut im.pages)
        .into_iter()
        .filter_map(|p| {
            (!p.questions.is_empty()).then(|| Page {
                id: p.id,
                title: p.title,
                questions: p.questions.into_iter().map(|d| d.question).collect(),
            })
        })
        .collect();
    if pages.is_empty() {
        return Err(ImportError::NothingImported {
            reports: im.reports,
        });
    }
    let title = title.unwrap_or_else(|| {
        im.report(
            "$.title",
            ReportKind::Changed,
            "the survey has no title, which manyi requires; its first page's title or \"Survey\" is used",
        );
        pages
            .iter()
            .find_map(|p| p.title.clone())
            .unwrap_or_else(|| "Survey".into())
    });
    let id = options.id.clone().or(ext.id).unwrap_or_else(|| {
        // The title in the default locale, else in English, else in any locale that gives a
        // usable id (a Chinese title gives none).
        let texts = match &title {
            LocalizedText::Plain(s) => vec![s.as_str()],
            LocalizedText::PerLocale(map) => [im.default_locale.as_str(), "en"]
                .into_iter()
                .filter_map(|l| map.get(l).map(String::as_str))
                .chain(map.values().map(String::as_str))
                .collect(),
        };
        texts
            .into_iter()
            .map(slug)
            .find(|s| !s.is_empty())
            .unwrap_or_else(|| "surveyjs".to_owned())
    });
    let mut locales = ext.locales;
    if gather_locales && im.locales.iter().any(|l| *l != im.default_locale) {
        locales = im.locales.clone();
        if !locales.contains(&im.default_locale) {
            locales.push(im.default_locale.clone());
        }
        // SurveyJS has no list of locales: the default one first, then the others in order.
        locales.sort_by(|a, b| (*a != im.default_locale, a).cmp(&(*b != im.default_locale, b)));
    }
    let survey = Survey {
        id,
        version: options.version.or(ext.version).unwrap_or(1),
        title,
        description,
        default_locale: im.default_locale.clone(),
        locales,
        dimensions: ext.dimensions,
        pages,
        scoring: ext.scoring.unwrap_or_default(),
        thank_you,
        show_scores: ext.show_scores,
        segments: ext.segments,
    };
    let problems = validate_survey(&survey);
    if !problems.is_empty() {
        return Err(ImportError::Invalid {
            problems,
            reports: im.reports,
        });
    }
    Ok(Import {
        survey,
        reports: im.reports,
    })
}

/// What a SurveyJS name became, for renaming the variables of conditions.
#[derive(Debug, Clone)]
enum Target {
    Question {
        id: String,
        /// Matrix rows: lower-cased SurveyJS row value → row id.
        rows: HashMap<String, String>,
        /// Whether the answer values changed (matrix columns numbered 1..n), so a condition
        /// comparing them with SurveyJS values would no longer mean the same.
        renumbered: bool,
    },
    /// The element holds one part of a manyi answer, which conditions read as this path (a
    /// contact question's consent, `contact.agreed`, or its method).
    Part(String),
    /// The element was not imported; the path of its report.
    Dropped(String),
}

/// An element an export writes as part of a contact question, as it wrote it.
#[derive(Debug)]
struct ContactPart {
    question: String,
    json: Json,
    /// Whether the import met it.
    seen: bool,
}

/// A condition as written, before its variables are renamed.
#[derive(Debug, Clone)]
struct Cond {
    text: String,
    path: String,
    /// A complete trigger's expression, which hides what follows when it holds.
    negate: bool,
    /// Written by the importer with question ids rather than SurveyJS names (the other item's
    /// condition on its choice question), so its variables are not renamed again: an id such
    /// as `fav_features` is no SurveyJS name, and renaming it would lose the condition.
    renamed: bool,
}

#[derive(Debug, Clone, Default)]
struct Context {
    visible: Vec<Cond>,
    enable: Vec<Cond>,
}

#[derive(Debug)]
struct Draft {
    question: Question,
    visible: Vec<Cond>,
    enable: Vec<Cond>,
    require: Vec<Cond>,
    ext: QuestionExt,
}

#[derive(Debug)]
struct PageDraft {
    id: String,
    title: Option<LocalizedText>,
    questions: Vec<Draft>,
}

#[derive(Debug, Default)]
struct Importer {
    reports: Vec<Report>,
    default_locale: String,
    /// Locales met in localised strings, in order of first appearance.
    locales: Vec<String>,
    names: HashMap<String, Target>,
    ids: HashSet<String>,
    pages: Vec<PageDraft>,
    /// html elements waiting for the next question of their page, which shows them as help.
    pending_html: Vec<(LocalizedText, String)>,
    /// Complete triggers: the expression and its path.
    completes: Vec<Cond>,
    /// Lower-cased names SurveyJS gives a value that are not questions: its built-in
    /// variables, the survey's calculated values and what its triggers set. A condition that
    /// reads one is not imported; any other name that no element has reads as empty.
    valued: HashSet<String>,
    /// The ids of the contact questions imported so far.
    contacts: Vec<String>,
    /// The elements expected after a contact question's consent, by lower-cased name.
    contact_parts: HashMap<String, ContactPart>,
}

/// Layout properties: manyi's runner lays questions out itself, so these change nothing a
/// respondent answers.
const LAYOUT: &[&str] = &[
    "titleLocation",
    "descriptionLocation",
    "indent",
    "width",
    "minWidth",
    "maxWidth",
    "startWithNewLine",
    "hideNumber",
    "showNumber",
    "colCount",
    "renderAs",
    "isMobile",
    "textWrapEnabled",
    "searchEnabled",
    "allowClear",
    "separateSpecialChoices",
    "displayMode",
    "useTitleAsLabel",
    "allowResize",
    "autoGrow",
    "rows",
    "placeholder",
    "size",
    "autocomplete",
    "questionTitleLocation",
    "questionErrorLocation",
    "questionTitleWidth",
    "errorLocation",
    "showQuestionNumbers",
    "questionStartIndex",
    "state",
    "rateType",
    "rateColorMode",
    "scaleColorMode",
    "rateDisplayMode",
    "displayRateDescriptionsAsExtremeItems",
    "rowTitleWidth",
    "columnMinWidth",
    "alternateRows",
    "showHeader",
    "verticalAlign",
    "logo",
    "logoWidth",
    "logoHeight",
    "logoPosition",
    "logoFit",
    "backgroundImage",
    "backgroundImageFit",
    "backgroundImageAttachment",
    "backgroundOpacity",
    "headerView",
    "widthMode",
    "width",
    "gridLayoutEnabled",
    "showProgressBar",
    "progressBarType",
    "progressBarLocation",
    "showTitle",
    "showPageTitles",
    "showPageNumbers",
    "showCompletedPage",
    "showNavigationButtons",
    "showPrevButton",
    "commentAreaRows",
    "allowResizeComment",
    "textUpdateMode",
    "pageNextText",
    "pagePrevText",
    "completeText",
    "innerIndent",
    "imageHeight",
    "imageWidth",
    "contentMode",
    "imageFit",
    "showLabel",
    "itemComponent",
    "dropdownSearchEnabled",
];

/// Properties that are on by default, so `true` is no change.
const TRUE_BY_DEFAULT: &[&str] = &[
    "startWithNewLine",
    "showTitle",
    "searchEnabled",
    "textWrapEnabled",
    "showPageTitles",
    "showCompletedPage",
    "showPrevButton",
    "visible",
];

impl Importer {
    /// Records a report once: a panel's condition, say, is checked for each of its questions.
    fn report(&mut self, path: impl Into<String>, kind: ReportKind, message: impl Into<String>) {
        let report = Report {
            path: path.into(),
            kind,
            message: message.into(),
        };
        if !self.reports.contains(&report) {
            self.reports.push(report);
        }
    }

    /// Reports every property not in `handled`, unless its value is the default one.
    fn leftovers(&mut self, obj: &Map<String, Json>, handled: &[&str], path: &str) {
        for (key, value) in obj {
            let default = match value {
                Json::Null => true,
                Json::String(s) => s.is_empty() || s == "default",
                Json::Bool(b) => *b == TRUE_BY_DEFAULT.contains(&key.as_str()),
                Json::Array(a) => a.is_empty(),
                _ => false,
            };
            if handled.contains(&key.as_str()) || default {
                continue;
            }
            let message = match key.as_str() {
                k if LAYOUT.contains(&k) => {
                    format!("layout property {k} not imported: manyi's runner lays questions out itself")
                }
                "defaultValue" | "defaultValueExpression" => {
                    format!("{key} not imported: manyi has no preset answers")
                }
                "validators" => {
                    "validators not imported: manyi checks the answers to questions one by one, not a multiple text, panel or page as a whole".into()
                }
                "correctAnswer" => "correctAnswer not imported: manyi has no quiz scoring".into(),
                "mode" => "mode not imported: manyi's runner always collects answers (SurveyJS's display mode only shows them)".into(),
                // Questions map these; on a panel or page they require one answer among many.
                "isRequired" | "requiredIf" => format!(
                    "{key} not imported: manyi requires questions one by one, not one answer among a panel's"
                ),
                // Questions map these; on a choice they add a comment box to that choice.
                "showCommentArea" | "hasComment" => {
                    "a comment box on a single choice is not imported".into()
                }
                "title" | "description" => {
                    format!("{key} not imported: manyi has no place to show it here")
                }
                k if k.ends_with("Text") || k.ends_with("Placeholder") => {
                    format!("{k} not imported: manyi's runner writes its own messages and hints")
                }
                k => format!("property {k} not imported: manyi has no equivalent"),
            };
            self.report(format!("{path}.{key}"), ReportKind::Property, message);
        }
    }

    /// The `manyi` extension an export wrote, when it reads.
    fn extension<T: for<'de> Deserialize<'de>>(
        &mut self,
        obj: &Map<String, Json>,
        path: &str,
    ) -> Option<T> {
        let value = obj.get("manyi")?;
        match serde_json::from_value(value.clone()) {
            Ok(ext) => Some(ext),
            Err(e) => {
                self.report(
                    format!("{path}.manyi"),
                    ReportKind::Property,
                    format!("the manyi extension does not read ({e}); it is ignored"),
                );
                None
            }
        }
    }

    /// A localised string: a plain string, or locale → text where `default` is the text for
    /// locales without their own (SurveyJS's default locale, English unless the survey says
    /// otherwise).
    fn text(&mut self, value: Option<&Json>, path: &str) -> Option<LocalizedText> {
        match value? {
            Json::Null => None,
            Json::String(s) if s.trim().is_empty() => None,
            Json::String(s) => Some(LocalizedText::Plain(s.clone())),
            Json::Number(n) => Some(LocalizedText::Plain(n.to_string())),
            Json::Object(map) => {
                let explicit: HashSet<String> = map
                    .keys()
                    .filter(|k| *k != "default")
                    .map(|k| canonical_locale(k))
                    .collect();
                let mut out = BTreeMap::new();
                for (key, text) in map {
                    let Some(text) = text.as_str().filter(|t| !t.trim().is_empty()) else {
                        continue;
                    };
                    let locale = if key != "default" {
                        canonical_locale(key)
                    } else if !explicit.contains(&self.default_locale) {
                        self.default_locale.clone()
                    } else if !explicit.contains("en") {
                        "en".to_owned()
                    } else {
                        self.report(
                            format!("{path}.default"),
                            ReportKind::Property,
                            "the default text is not imported: the survey's locale and English both have their own",
                        );
                        continue;
                    };
                    if !self.locales.contains(&locale) {
                        self.locales.push(locale.clone());
                    }
                    out.insert(locale, text.to_owned());
                }
                (!out.is_empty()).then_some(LocalizedText::PerLocale(out))
            }
            other => {
                self.report(
                    path,
                    ReportKind::Property,
                    format!("expected text, found {}; not imported", json_kind(other)),
                );
                None
            }
        }
    }

    /// HTML content as plain text: manyi shows text, so tags are removed (and reported).
    fn html(&mut self, value: Option<&Json>, path: &str) -> Option<LocalizedText> {
        let text = self.text(value, path)?;
        let mut had_tags = false;
        let mut convert = |s: &String| {
            let (plain, tags) = html_to_text(s);
            had_tags |= tags;
            plain
        };
        let text = match &text {
            LocalizedText::Plain(s) => LocalizedText::Plain(convert(s)),
            LocalizedText::PerLocale(map) => {
                LocalizedText::PerLocale(map.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
            }
        };
        if had_tags {
            self.report(
                path,
                ReportKind::Changed,
                "HTML converted to plain text: manyi shows text, so formatting, links and images are lost",
            );
        }
        (!text.is_blank()).then_some(text)
    }

    /// A manyi id for a SurveyJS name: lower case, `[a-z0-9_]`, not yet used.
    fn free_id(&self, name: &str, fallback: &str) -> String {
        let base = sanitize(name).unwrap_or_else(|| fallback.to_owned());
        let mut id = base.clone();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }

    /// Takes the id of an imported element, reporting a change from its SurveyJS name, as
    /// answers are stored under the id.
    fn claim_id(&mut self, id: &str, name: &str, path: &str) {
        self.ids.insert(id.to_owned());
        if id != name {
            let why = if self.names.contains_key(&name.to_js_lower()) {
                "the name is already used by another element (SurveyJS would share one answer)"
            } else {
                "manyi ids use only a–z, 0–9 and _"
            };
            self.report(
                format!("{path}.name"),
                ReportKind::Changed,
                format!("{name:?} is imported as {id:?}: {why}; answers are stored under {id:?}"),
            );
        }
    }

    fn page(&mut self, page: &Map<String, Json>, path: &str, key: Option<&str>, fallback: &str) {
        let name = page.get("name").and_then(Json::as_str).unwrap_or(fallback);
        // Page ids live apart from question ids; their uniqueness is checked against pages.
        let mut id = sanitize(name).unwrap_or_else(|| fallback.to_owned());
        while self.pages.iter().any(|p| p.id == id) {
            id.push('_');
        }
        let title = self.text(page.get("title"), &format!("{path}.title"));
        let mut ctx = Context::default();
        self.container_conditions(page, path, &mut ctx);
        self.pages.push(PageDraft {
            id,
            title,
            questions: Vec::new(),
        });
        let (list, list_path) = match key {
            // Root-level elements: the path is the list itself.
            Some(key) => (page.get(key), path.to_owned()),
            None => {
                let key = if page.get("elements").is_some() {
                    "elements"
                } else {
                    "questions"
                };
                (page.get(key), format!("{path}.{key}"))
            }
        };
        if let Some(list) = list {
            self.elements(list, &list_path, &ctx);
        }
        self.flush_html();
        if key.is_none() {
            let handled = [
                "name",
                "title",
                "elements",
                "questions",
                "visibleIf",
                "visible",
                "enableIf",
                "readOnly",
            ];
            self.leftovers(page, &handled, path);
        }
    }

    /// An element's visibleIf, enableIf, visible and readOnly (a page's or panel's are passed
    /// down to its elements). SurveyJS evaluates a visibleIf whenever the answers change and
    /// sets `visible` to its result, so a static `visible: false` holds only without one;
    /// `readOnly: true` and enableIf go the same way.
    fn container_conditions(&mut self, obj: &Map<String, Json>, path: &str, ctx: &mut Context) {
        let rules = [
            ("visibleIf", "visible", false, &mut ctx.visible),
            ("enableIf", "readOnly", true, &mut ctx.enable),
        ];
        for (key, flag, off, conds) in rules {
            match obj.get(key).and_then(Json::as_str) {
                // SurveyJS skips an empty expression, as JavaScript reads "" as false.
                Some(text) if !text.is_empty() => conds.push(cond(text, format!("{path}.{key}"))),
                _ if obj.get(flag) == Some(&Json::Bool(off)) => {
                    conds.push(cond("false", format!("{path}.{flag}")));
                }
                _ => {}
            }
        }
    }

    /// html elements shown before a question become the start of its help; ones at the end of
    /// a page join the help of its last question.
    fn flush_html(&mut self) {
        if self.pending_html.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending_html);
        let page = self.pages.last_mut().expect("html is read inside a page");
        match page.questions.last_mut() {
            Some(last) => {
                let id = last.question.id.clone();
                for (text, path) in pending {
                    last.question.help = Some(join_text(last.question.help.take(), text));
                    self.reports.push(Report {
                        path,
                        kind: ReportKind::Changed,
                        message: format!(
                            "html element shown as part of the help text of {id:?}, the question before it (manyi has no information elements)"
                        ),
                    });
                }
            }
            None => {
                for (_, path) in pending {
                    self.reports.push(Report {
                        path,
                        kind: ReportKind::Element,
                        message:
                            "html element not imported: its page has no question to show it with"
                                .into(),
                    });
                }
            }
        }
    }

    fn elements(&mut self, list: &Json, path: &str, ctx: &Context) {
        let Json::Array(items) = list else {
            return self.report(path, ReportKind::Property, not_array(list));
        };
        for (i, element) in items.iter().enumerate() {
            let path = format!("{path}[{i}]");
            match element {
                Json::Object(obj) => self.element(obj, &path, ctx),
                other => self.report(path, ReportKind::Element, not_object(other)),
            }
        }
    }

    fn element(&mut self, obj: &Map<String, Json>, path: &str, ctx: &Context) {
        let kind = obj
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_js_lower();
        let name = obj
            .get("name")
            .map(|n| match n {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_default();
        let key = name.to_js_lower();
        if self
            .contact_parts
            .get(&key)
            .is_some_and(|part| !part.seen && part.json["type"] == kind.as_str())
        {
            return self.contact_part(obj, &key, path);
        }
        match kind.as_str() {
            "panel" => {
                let mut inner = ctx.clone();
                self.container_conditions(obj, path, &mut inner);
                for key in ["title", "description"] {
                    if self.text(obj.get(key), &format!("{path}.{key}")).is_some() {
                        self.report(
                            format!("{path}.{key}"),
                            ReportKind::Property,
                            format!("the panel's {key} is not imported: manyi has no panels, so its questions join the page"),
                        );
                    }
                }
                let key = if obj.get("elements").is_some() {
                    "elements"
                } else {
                    "questions"
                };
                if let Some(list) = obj.get(key) {
                    self.elements(list, &format!("{path}.{key}"), &inner);
                }
                let handled = [
                    "type",
                    "name",
                    "title",
                    "description",
                    "elements",
                    "questions",
                    "visibleIf",
                    "visible",
                    "enableIf",
                    "readOnly",
                ];
                self.leftovers(obj, &handled, path);
            }
            "html" => {
                let text = self.html(obj.get("html"), &format!("{path}.html"));
                if obj.contains_key("visibleIf") {
                    self.report(
                        format!("{path}.visibleIf"),
                        ReportKind::Condition,
                        "the html element's condition is not imported: its text is shown with a question",
                    );
                }
                self.leftovers(obj, &["type", "name", "html", "visibleIf"], path);
                if let Some(text) = text {
                    self.pending_html.push((text, path.to_owned()));
                }
            }
            _ => {
                let before = self.reports.len();
                match self.question(obj, &kind, &name, path, ctx) {
                    Some(drafts) => {
                        for draft in drafts {
                            self.push_question(draft);
                        }
                    }
                    None => {
                        // The question's own report says why; conditions that read it are
                        // reported as reading something not imported.
                        if !name.is_empty() {
                            self.names
                                .entry(name.to_js_lower())
                                .or_insert(Target::Dropped(path.to_owned()));
                        }
                        debug_assert!(self.reports.len() > before, "a dropped element is reported");
                    }
                }
            }
        }
    }

    fn push_question(&mut self, mut draft: Draft) {
        let pending = std::mem::take(&mut self.pending_html);
        let id = draft.question.id.clone();
        for (text, path) in pending.into_iter().rev() {
            draft.question.help = Some(match draft.question.help.take() {
                Some(help) => join_text(Some(text), help),
                None => text,
            });
            self.report(
                path,
                ReportKind::Changed,
                format!(
                    "html element shown as part of the help text of {id:?}, the question after it (manyi has no information elements)"
                ),
            );
        }
        self.pages
            .last_mut()
            .expect("questions are read inside a page")
            .questions
            .push(draft);
    }

    /// Builds the question(s) for one element, or reports why it cannot be imported.
    fn question(
        &mut self,
        obj: &Map<String, Json>,
        kind: &str,
        name: &str,
        path: &str,
        ctx: &Context,
    ) -> Option<Vec<Draft>> {
        let unsupported = match kind {
            "file" => Some("file uploads: manyi stores no files"),
            "signaturepad" => Some("signatures: manyi stores no drawings"),
            "paneldynamic" => Some("dynamic panels: manyi has no repeated sections"),
            "matrixdynamic" | "matrixdropdown" => {
                Some("matrices with cell editors: manyi's matrix is a grid of rows on one scale")
            }
            "ranking" => Some("ranking: manyi has no ranking question"),
            "expression" => Some("calculated values: manyi stores answers only"),
            "image" => Some("images: manyi shows no images"),
            "imagemap" => Some("image maps: manyi shows no images"),
            "" => Some("the element has no type"),
            _ if !QUESTION_TYPES.contains(&kind) => {
                Some("not a SurveyJS question type manyi knows (a custom widget?)")
            }
            _ if name.is_empty() => Some("it has no name to store its answer under"),
            _ => None,
        };
        if let Some(why) = unsupported {
            let message = format!("{kind} element {name:?} not imported: {why}");
            self.report(path, ReportKind::Element, message);
            return None;
        }
        let ext: QuestionExt = self.extension(obj, path).unwrap_or_default();
        let id = self.free_id(name, "q");
        let text = self
            .text(obj.get("title"), &format!("{path}.title"))
            .unwrap_or_else(|| LocalizedText::Plain(name.to_owned()));
        let help = self.text(obj.get("description"), &format!("{path}.description"));
        for (key, t) in [("title", Some(&text)), ("description", help.as_ref())] {
            if t.is_some_and(has_piping) {
                self.report(
                    format!("{path}.{key}"),
                    ReportKind::Changed,
                    "the text pipes answers in with {…}; manyi shows the braces as written",
                );
            }
        }
        let mut q = Question {
            id: id.clone(),
            kind: QuestionKind::Text,
            text,
            help,
            required: obj.get("isRequired") == Some(&Json::Bool(true)),
            dimension: ext.dimension.clone(),
            reverse: ext.reverse,
            weight: ext.weight,
            scale: None,
            options: Vec::new(),
            rows: Vec::new(),
            required_rows: RequiredRows::All,
            metric: ext.metric,
            visible_if: None,
            enable_if: None,
            required_if: None,
            max_length: None,
            multiline: false,
            stars: false,
            validators: Vec::new(),
            methods: Vec::new(),
        };
        let mut conditions = ctx.clone();
        self.container_conditions(obj, path, &mut conditions);
        let mut el = Element {
            obj,
            kind,
            name,
            path,
            handled: COMMON.to_vec(),
            conditions,
            extra: Vec::new(),
            extra_names: Vec::new(),
            rows: HashMap::new(),
            renumbered: false,
        };
        let require: Vec<Cond> = obj
            .get("requiredIf")
            .and_then(Json::as_str)
            .map(|text| cond(text, format!("{path}.requiredIf")))
            .into_iter()
            .collect();
        let imported = match kind {
            "text" | "comment" => {
                self.text_input(&mut el, &mut q);
                true
            }
            "boolean" if ext.kind == Some(QuestionKind::Contact) => {
                self.contact(&mut el, &mut q, &ext);
                true
            }
            "boolean" => self.boolean(&mut el, &mut q),
            "rating" | "slider" => self.rating(&mut el, &mut q, &ext),
            "matrix" => self.matrix(&mut el, &mut q, &ext),
            "multipletext" => return self.multiple_text(el, &q, &require),
            _ => self.choice(&mut el, &mut q),
        };
        if !imported {
            return None;
        }
        self.comment_box(&mut el, &id);
        el.handled.push("validators");
        q.validators = self.validators(obj, path, q.kind);
        self.leftovers(obj, &el.handled, path);
        self.claim_id(&id, name, path);
        let key = name.to_js_lower();
        // With two elements of one name, conditions keep reading the first.
        if !matches!(
            self.names.get(&key),
            Some(Target::Question { .. } | Target::Part(_))
        ) {
            let target = match q.kind {
                // The boolean holds the consent, which is one part of manyi's answer.
                QuestionKind::Contact => Target::Part(format!("{id}.agreed")),
                _ => Target::Question {
                    id: id.clone(),
                    rows: el.rows,
                    renumbered: el.renumbered,
                },
            };
            self.names.insert(key, target);
        }
        if q.kind == QuestionKind::Contact {
            self.contacts.push(id.clone());
            for part in super::export::contact_parts(&q) {
                let part_name = part["name"].as_str().unwrap_or_default();
                // The elements are named after the question, as an export names them.
                let Some(suffix) = part_name.strip_prefix(id.as_str()) else {
                    continue;
                };
                let expected = ContactPart {
                    question: id.clone(),
                    json: part.clone(),
                    seen: false,
                };
                self.contact_parts
                    .insert(format!("{name}{suffix}").to_js_lower(), expected);
            }
        }
        self.add_names(el.extra_names);
        let mut drafts = vec![Draft {
            question: q,
            visible: el.conditions.visible,
            enable: el.conditions.enable,
            require,
            ext,
        }];
        drafts.extend(el.extra);
        Some(drafts)
    }

    /// Reports each contact question whose method choice or detail field was not found after
    /// its consent: manyi's runner asks for them all the same.
    fn missing_contact_parts(&mut self) {
        let mut missing: Vec<(String, String)> = self
            .contact_parts
            .iter()
            .filter(|(_, part)| !part.seen)
            .map(|(name, part)| (part.question.clone(), name.clone()))
            .collect();
        missing.sort();
        for (question, name) in missing {
            self.report(
                "$",
                ReportKind::Changed,
                format!(
                    "contact question {question:?} has no element {name:?} after its consent; \
                     manyi's runner asks for the method and the details all the same"
                ),
            );
        }
    }

    /// A boolean an export wrote for a contact question's consent becomes that question, with
    /// the methods its `manyi` property lists. The elements after it that ask for the method
    /// and the details are its parts (see [`Importer::contact_part`]).
    fn contact(&mut self, el: &mut Element, q: &mut Question, ext: &QuestionExt) {
        q.kind = QuestionKind::Contact;
        q.methods = ext.methods.clone();
        // The export's own choice of how SurveyJS draws Yes and No; manyi's runner draws its.
        el.handled.push("renderAs");
    }

    /// An element an export wrote as part of a contact question (its method choice or a field
    /// for its details), which is not a question of its own: manyi's runner asks for the
    /// method and the details in its own words and checks them itself, so an edit made to
    /// the element in SurveyJS is reported rather than carried over.
    fn contact_part(&mut self, obj: &Map<String, Json>, key: &str, path: &str) {
        let Some(part) = self.contact_parts.get_mut(key) else {
            return;
        };
        part.seen = true;
        let question = part.question.clone();
        let edited = *obj != *part.json.as_object().expect("parts are objects");
        let target = match key.rsplit('_').next() {
            Some("method") => Target::Part(format!("{question}.method")),
            // Contact details decide nothing a survey shows (see `contact_panel`).
            _ => Target::Dropped(path.to_owned()),
        };
        self.names.insert(key.to_owned(), target);
        if edited {
            self.report(
                path,
                ReportKind::Changed,
                format!(
                    "this element asks for a part of contact question {question:?}, which \
                     manyi's runner asks in its own words and checks itself; the element's \
                     edits are not imported"
                ),
            );
        }
    }

    fn add_names(&mut self, names: Vec<(String, String)>) {
        for (name, id) in names {
            let target = Target::Question {
                id,
                rows: HashMap::new(),
                renumbered: false,
            };
            self.names.insert(name.to_js_lower(), target);
        }
    }

    fn text_input(&mut self, el: &mut Element, q: &mut Question) {
        el.handled.extend(["maxLength", "inputType"]);
        q.multiline = el.kind == "comment";
        // SurveyJS's 0 and -1 mean no limit of the question's own.
        if let Some(n) = el.num("maxLength").filter(|n| *n >= 1.0) {
            q.max_length = Some(n.min(f64::from(u32::MAX)) as u32);
        }
        if let Some(input) = el.obj.get("inputType").and_then(Json::as_str)
            && input != "text"
        {
            self.report(
                el.at("inputType"),
                ReportKind::Property,
                format!(
                    "inputType {input:?} not imported: manyi takes the answer as free text \
                     without checking its format (conditions still read a numeric answer as \
                     a number)"
                ),
            );
        }
        if el.kind == "text" {
            for key in ["min", "max", "step", "maskType", "maskSettings", "dataList"] {
                if el.obj.contains_key(key) {
                    el.handled.push(key);
                    self.report(
                        el.at(key),
                        ReportKind::Property,
                        format!("{key} not imported: manyi does not check or assist text answers"),
                    );
                }
            }
        }
    }

    /// A boolean becomes a single choice of "true" and "false" (or its valueTrue and
    /// valueFalse), which SurveyJS expressions read back as booleans.
    fn boolean(&mut self, el: &mut Element, q: &mut Question) -> bool {
        el.handled.extend([
            "labelTrue",
            "labelFalse",
            "valueTrue",
            "valueFalse",
            "label",
        ]);
        q.kind = QuestionKind::SingleChoice;
        if let Some(label) = self.text(el.obj.get("label"), &el.at("label")) {
            q.text = label;
        }
        for (key, label_key, default, words) in [
            ("valueTrue", "labelTrue", "true", ("Yes", "是", "是")),
            ("valueFalse", "labelFalse", "false", ("No", "否", "否")),
        ] {
            let value = match el.obj.get(key) {
                Some(Json::String(s)) if !s.is_empty() => s.clone(),
                Some(v @ (Json::Number(_) | Json::Bool(_))) => v.to_string(),
                _ => default.to_owned(),
            };
            let label = self
                .text(el.obj.get(label_key), &el.at(label_key))
                .unwrap_or_else(|| localized(words));
            q.options.push(ChoiceOption { value, label });
        }
        if q.options[0].value == q.options[1].value {
            let message = "boolean element not imported: valueTrue and valueFalse are the same";
            self.report(el.path, ReportKind::Element, message);
            return false;
        }
        true
    }

    /// radiogroup, dropdown, buttongroup and imagepicker become a single choice; checkbox,
    /// tagbox and a multi-select imagepicker a multiple choice. The none, refuse, don't-know
    /// and other items become options; other's text becomes a question of its own.
    fn choice(&mut self, el: &mut Element, q: &mut Question) -> bool {
        let multi = matches!(el.kind, "checkbox" | "tagbox")
            || (el.kind == "imagepicker" && el.flag("multiSelect"));
        q.kind = if multi {
            QuestionKind::MultiChoice
        } else {
            QuestionKind::SingleChoice
        };
        el.handled.extend([
            "choices",
            "multiSelect",
            "choicesMin",
            "choicesMax",
            "choicesStep",
            "selectAllText",
        ]);
        if let Some(choices) = el.obj.get("choices") {
            q.options = self.choices(choices, &el.at("choices"));
        }
        if el.kind == "dropdown"
            && let (Some(min), Some(max)) = (el.num("choicesMin"), el.num("choicesMax"))
        {
            let step = el.num("choicesStep").unwrap_or(1.0);
            let mut v = min;
            while step > 0.0 && v <= max + 1e-9 && q.options.len() < 1000 {
                let value = number_to_string(v);
                if !q.options.iter().any(|o| o.value == value) {
                    let label = LocalizedText::Plain(value.clone());
                    q.options.push(ChoiceOption { value, label });
                }
                v += step;
            }
        }
        if el.kind == "imagepicker" {
            self.report(
                el.at("choices"),
                ReportKind::Changed,
                "the choices' images are not imported: manyi shows their text (or value) only",
            );
        }
        for (flags, value, text_key, words) in SPECIAL_ITEMS {
            el.handled.extend(flags);
            el.handled.push(text_key);
            let Some(flag) = flags.into_iter().find(|f| el.flag(f)) else {
                continue;
            };
            if q.options.iter().any(|o| o.value == value) {
                self.report(
                    el.at(flag),
                    ReportKind::Property,
                    format!("the {value:?} item is not added: a choice already has that value"),
                );
                continue;
            }
            let label = self
                .text(el.obj.get(text_key), &el.at(text_key))
                .unwrap_or_else(|| localized(words));
            q.options.push(ChoiceOption {
                value: value.to_owned(),
                label,
            });
            if value == "other" {
                self.other_text(el, &q.id, multi, flag);
            }
        }
        for key in ["showSelectAllItem", "hasSelectAll"] {
            el.handled.push(key);
            if el.flag(key) {
                self.report(
                    el.at(key),
                    ReportKind::Property,
                    "the select-all item is not imported: manyi has no shortcut to choose every \
                     option (the answers are unaffected)",
                );
            }
        }
        if q.options.is_empty() {
            self.report(
                el.path,
                ReportKind::Element,
                format!(
                    "{} element {:?} not imported: it has no choices (choices from a web \
                     service or another question are not imported)",
                    el.kind, el.name
                ),
            );
            return false;
        }
        true
    }

    /// The text of the other item, asked when other is chosen and then required, as SurveyJS
    /// requires it. SurveyJS stores it as `name-Comment`, which conditions may read.
    fn other_text(&mut self, el: &mut Element, id: &str, multi: bool, flag: &str) {
        el.handled
            .extend(["otherPlaceholder", "otherPlaceHolder", "otherErrorText"]);
        let test = if multi {
            format!("{{{id}}} contains 'other'")
        } else {
            format!("{{{id}}} = 'other'")
        };
        let placeholder = el
            .obj
            .get("otherPlaceholder")
            .or(el.obj.get("otherPlaceHolder"));
        let label = self
            .text(placeholder, &el.at("otherPlaceholder"))
            .unwrap_or_else(|| localized(("Please describe", "请说明", "請說明")));
        let other_id = self.claim_extra_id(&format!("{id}_other"));
        let mut visible = el.conditions.visible.clone();
        visible.push(own_cond(&test, el.at("name")));
        let mut draft = extra_text(&other_id, label, visible, &el.conditions.enable);
        draft.question.required = true;
        el.extra.push(draft);
        el.extra_names
            .push((format!("{}-comment", el.name), other_id.clone()));
        self.report(
            el.at(flag),
            ReportKind::Changed,
            format!(
                "the \"other\" item's text is asked as question {other_id:?}, shown when \
                 \"other\" is chosen"
            ),
        );
    }

    /// SurveyJS's comment box (`showCommentArea`, formerly `hasComment`) becomes a text
    /// question after the question; SurveyJS stores it as `name-Comment`.
    fn comment_box(&mut self, el: &mut Element, id: &str) {
        el.handled.extend([
            "showCommentArea",
            "hasComment",
            "commentText",
            "commentPlaceholder",
            "commentPlaceHolder",
        ]);
        let Some(flag) = ["showCommentArea", "hasComment"]
            .into_iter()
            .find(|f| el.flag(f))
        else {
            return;
        };
        let label = self
            .text(el.obj.get("commentText"), &el.at("commentText"))
            .unwrap_or_else(|| localized(("Other (describe)", "其他（请说明）", "其他（請說明）")));
        let comment_id = self.claim_extra_id(&format!("{id}_comment"));
        let draft = extra_text(
            &comment_id,
            label,
            el.conditions.visible.clone(),
            &el.conditions.enable,
        );
        el.extra.insert(0, draft);
        // The comment box takes `name-Comment` over from the other item's text.
        let key = format!("{}-comment", el.name);
        el.extra_names.retain(|(n, _)| *n != key);
        el.extra_names.push((key, comment_id.clone()));
        self.report(
            el.at(flag),
            ReportKind::Changed,
            format!("the comment box is asked as question {comment_id:?}"),
        );
    }

    /// A rating (or a single-value slider) becomes an NPS question on 0–10 and a rating
    /// otherwise; values that are not evenly spaced numbers make a single choice.
    fn rating(&mut self, el: &mut Element, q: &mut Question, ext: &QuestionExt) -> bool {
        if el.kind == "slider" {
            el.handled.extend(["min", "max", "step", "sliderType"]);
            if el.obj.get("sliderType").and_then(Json::as_str) == Some("range") {
                let message = format!(
                    "range slider {:?} not imported: manyi's answers are single values",
                    el.name
                );
                self.report(el.path, ReportKind::Element, message);
                return false;
            }
        } else {
            el.handled.extend([
                "rateMin",
                "rateMax",
                "rateStep",
                "rateCount",
                "rateValues",
                "autoGenerate",
            ]);
        }
        el.handled.extend([
            "minRateDescription",
            "maxRateDescription",
            "mininumRateDescription",
            "maximumRateDescription",
        ]);
        let values = el
            .obj
            .get("rateValues")
            .and_then(Json::as_array)
            .filter(|v| !v.is_empty() && !el.flag("autoGenerate"));
        let points: Vec<(Json, Option<LocalizedText>)> = match values {
            Some(items) if el.kind == "rating" => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.item(item, &el.at(&format!("rateValues[{i}]"))))
                .collect(),
            _ => {
                let (min, max, step) = rating_range(el);
                // At most 1,000 points are kept; a range of billions of steps (or an
                // infinite one) must not overflow on the way.
                let count = if step > 0.0 && max >= min {
                    (((max - min) / step + 1e-9).floor().min(1_000.0) as usize).saturating_add(1)
                } else {
                    0
                };
                (0..count.min(1000))
                    .map(|i| (Json::from(min + step * i as f64), None))
                    .collect()
            }
        };
        if points.len() < 2 {
            let message = format!(
                "{} element {:?} not imported: its scale has fewer than two points",
                el.kind, el.name
            );
            self.report(el.path, ReportKind::Element, message);
            return false;
        }
        let numbers: Option<Vec<f64>> = points.iter().map(|(v, _)| v.as_f64()).collect();
        let Some((min, max, step)) = numbers.and_then(|n| arithmetic(&n)) else {
            self.rating_as_choice(el, q, points);
            return true;
        };
        if points.len() > 101 {
            let message = format!(
                "{} element {:?} not imported: it has {} points; a manyi scale has at most 101",
                el.kind,
                el.name,
                points.len()
            );
            self.report(el.path, ReportKind::Element, message);
            return false;
        }
        let mut labels: Vec<ScaleLabel> = points
            .into_iter()
            .filter_map(|(v, label)| {
                Some(ScaleLabel {
                    value: v.as_f64()?,
                    label: label?,
                })
            })
            .collect();
        for ([key, alternative], at) in RATE_DESCRIPTIONS.into_iter().zip([min, max]) {
            // survey-core reads the alternative name as the property; the property's own name
            // is taken when both are given.
            let key = match (el.obj.contains_key(key), el.obj.contains_key(alternative)) {
                (false, true) => alternative,
                (true, true) => {
                    let message = format!("{alternative} not imported: {key} is given too");
                    self.report(el.at(alternative), ReportKind::Property, message);
                    key
                }
                _ => key,
            };
            if let Some(label) = self.text(el.obj.get(key), &el.at(key)) {
                labels.retain(|l| l.value != at);
                labels.push(ScaleLabel { value: at, label });
            }
        }
        labels.sort_by(|a, b| a.value.total_cmp(&b.value));
        let nps = min == 0.0 && max == 10.0 && step == 1.0;
        // An export keeps rating, Likert and NPS apart; without it a 0–10 scale is an NPS
        // question and any other scale a rating.
        q.kind = match ext.kind {
            Some(k @ (QuestionKind::Rating | QuestionKind::Likert)) => k,
            _ if nps => QuestionKind::Nps,
            _ => QuestionKind::Rating,
        };
        let explicit_step = step != 1.0 || el.obj.contains_key("rateStep") || min.fract() != 0.0;
        let scale = Scale {
            min,
            max,
            step: (explicit_step && q.kind != QuestionKind::Nps).then_some(step),
            labels,
        };
        // SurveyJS's default 1–5 scale is manyi's default too, and an NPS scale is implied.
        let implied = scale == Scale::new(1.0, 5.0)
            || (q.kind == QuestionKind::Nps && scale.labels.is_empty());
        q.scale = (!implied).then_some(scale);
        if el.obj.get("rateType").and_then(Json::as_str) == Some("stars")
            && q.kind == QuestionKind::Rating
        {
            q.stars = true;
            el.handled.push("rateType");
        }
        true
    }

    fn rating_as_choice(
        &mut self,
        el: &mut Element,
        q: &mut Question,
        points: Vec<(Json, Option<LocalizedText>)>,
    ) {
        q.kind = QuestionKind::SingleChoice;
        for (i, (value, text)) in points.into_iter().enumerate() {
            let Some(value) = value_string(&value) else {
                let message = "a rate value that is not text or a number is not imported";
                self.report(
                    el.at(&format!("rateValues[{i}]")),
                    ReportKind::Property,
                    message,
                );
                continue;
            };
            if !q.options.iter().any(|o| o.value == value) {
                let label = text.unwrap_or_else(|| LocalizedText::Plain(value.clone()));
                q.options.push(ChoiceOption { value, label });
            }
        }
        self.report(
            el.at("rateValues"),
            ReportKind::Changed,
            "the rate values are not evenly spaced numbers, so the rating is imported as a \
             single choice (not scored as a scale)",
        );
        for key in RATE_DESCRIPTIONS.into_iter().flatten() {
            if el.obj.contains_key(key) {
                let message = format!("{key} not imported: a single choice has no scale ends");
                self.report(el.at(key), ReportKind::Property, message);
            }
        }
    }

    /// A matrix becomes a manyi matrix: its rows, and its columns as the scale. Columns that
    /// are not evenly spaced numbers are numbered 1..n, which changes the answers.
    fn matrix(&mut self, el: &mut Element, q: &mut Question, ext: &QuestionExt) -> bool {
        el.handled
            .extend(["rows", "columns", "isAllRowRequired", "eachRowRequired"]);
        q.kind = QuestionKind::Matrix;
        q.dimension = None;
        q.reverse = false;
        // SurveyJS's isRequired asks for any one row, eachRowRequired for every row.
        if el.flag("eachRowRequired") || el.flag("isAllRowRequired") {
            q.required = true;
        } else if q.required {
            q.required_rows = RequiredRows::Any;
        }
        let rows = el.obj.get("rows").and_then(Json::as_array);
        for (i, row) in rows.into_iter().flatten().enumerate() {
            let row_path = el.at(&format!("rows[{i}]"));
            let (value, text) = self.item(row, &row_path);
            let Some(value) = value_string(&value) else {
                let message = "a row without a text or number value is not imported";
                self.report(row_path, ReportKind::Property, message);
                continue;
            };
            let row_id = sanitize(&value)
                .filter(|r| !q.rows.iter().any(|x| &x.id == r))
                .unwrap_or_else(|| format!("r{}", i + 1));
            if row_id != value {
                let message = format!(
                    "row {value:?} is imported as {row_id:?} (row ids use only a–z, 0–9 and _)"
                );
                self.report(row_path, ReportKind::Changed, message);
            }
            let text = text.unwrap_or_else(|| LocalizedText::Plain(value.clone()));
            el.rows.insert(value.to_js_lower(), row_id.clone());
            let row_ext = ext.rows.get(&row_id).cloned().unwrap_or_default();
            q.rows.push(MatrixRow {
                id: row_id,
                text,
                dimension: row_ext.dimension,
                reverse: row_ext.reverse,
                weight: row_ext.weight,
            });
        }
        let columns = el.obj.get("columns").and_then(Json::as_array);
        let columns: Vec<(Json, Option<LocalizedText>)> = columns
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, c)| self.item(c, &el.at(&format!("columns[{i}]"))))
            .collect();
        if q.rows.is_empty() || columns.len() < 2 || columns.len() > 101 {
            let message = format!(
                "matrix {:?} not imported: it needs rows and 2–101 columns",
                el.name
            );
            self.report(el.path, ReportKind::Element, message);
            return false;
        }
        let numbers: Option<Vec<f64>> = columns.iter().map(|(v, _)| v.as_f64()).collect();
        let (min, step, labelled) = match numbers.and_then(|n| arithmetic(&n)) {
            Some((min, _, step)) => (
                min,
                step,
                columns
                    .into_iter()
                    .map(|(v, t)| (v.as_f64().unwrap_or(min), t))
                    .collect::<Vec<_>>(),
            ),
            None => {
                el.renumbered = true;
                let values: Vec<String> = columns
                    .iter()
                    .map(|(v, _)| value_string(v).unwrap_or_else(|| v.to_string()))
                    .collect();
                let message = format!(
                    "the column values {values:?} are not evenly spaced numbers, so the answers \
                     are numbered 1–{} in column order",
                    values.len()
                );
                self.report(el.at("columns"), ReportKind::Changed, message);
                let labelled = columns
                    .into_iter()
                    .enumerate()
                    .map(|(i, (v, t))| {
                        (
                            i as f64 + 1.0,
                            t.or_else(|| value_string(&v).map(LocalizedText::Plain)),
                        )
                    })
                    .collect();
                (1.0, 1.0, labelled)
            }
        };
        let max = labelled.iter().map(|(v, _)| *v).fold(min, f64::max);
        q.scale = Some(Scale {
            min,
            max,
            step: (step != 1.0 || min.fract() != 0.0).then_some(step),
            labels: labelled
                .into_iter()
                .filter_map(|(value, label)| {
                    Some(ScaleLabel {
                        value,
                        label: label?,
                    })
                })
                .collect(),
        });
        true
    }

    /// A multiple-text question becomes one text question per item, named
    /// `question_item`; conditions reading `{question.item}` read that question. SurveyJS
    /// requires a required multiple text to have any one item answered (its value is one
    /// object, empty only when every item is), so each item is required while all the others
    /// are empty; an item's own isRequired still requires it alone.
    fn multiple_text(
        &mut self,
        mut el: Element,
        q: &Question,
        require: &[Cond],
    ) -> Option<Vec<Draft>> {
        el.handled.push("items");
        let items = el.obj.get("items").and_then(Json::as_array);
        let mut parts = Vec::new();
        for (i, item) in items.into_iter().flatten().enumerate() {
            let item_path = el.at(&format!("items[{i}]"));
            let Some(item_name) = item.get("name").and_then(Json::as_str) else {
                let message = "an item without a name is not imported";
                self.report(item_path, ReportKind::Element, message);
                continue;
            };
            let suffix = sanitize(item_name).unwrap_or_else(|| format!("item{}", i + 1));
            let item_id = self.claim_extra_id(&format!("{}_{suffix}", q.id));
            let title = self
                .text(item.get("title"), &format!("{item_path}.title"))
                .unwrap_or_else(|| LocalizedText::Plain(item_name.to_owned()));
            let text = join_text(Some(q.text.clone()), title);
            let mut part = extra_text(
                &item_id,
                text,
                el.conditions.visible.clone(),
                &el.conditions.enable,
            );
            part.question.multiline = false;
            part.question.required = item.get("isRequired") == Some(&Json::Bool(true));
            el.extra_names
                .push((format!("{}.{item_name}", el.name), item_id));
            if let Json::Object(item) = item {
                part.question.validators = self.validators(item, &item_path, QuestionKind::Text);
                let handled = ["name", "title", "isRequired", "validators"];
                self.leftovers(item, &handled, &item_path);
            }
            parts.push(part);
        }
        // The whole question is required by its requiredIf while that holds, else by its
        // isRequired (SurveyJS's requiredIf sets isRequired).
        let whole = if !require.is_empty() {
            Some(require.to_vec())
        } else if q.required {
            Some(Vec::new())
        } else {
            None
        };
        let ids: Vec<String> = parts.iter().map(|p| p.question.id.clone()).collect();
        for part in parts.iter_mut().filter(|p| !p.question.required) {
            let Some(mut conds) = whole.clone() else {
                break;
            };
            let others: Vec<String> = ids
                .iter()
                .filter(|id| **id != part.question.id)
                .map(|id| format!("{{{id}}} empty"))
                .collect();
            if !others.is_empty() {
                let at = if require.is_empty() {
                    "isRequired"
                } else {
                    "requiredIf"
                };
                conds.push(own_cond(&others.join(" and "), el.at(at)));
            }
            if conds.is_empty() {
                part.question.required = true;
            } else {
                part.require = conds;
            }
        }
        let required = if whole.is_some() && parts.len() > 1 {
            "; it is required as in SurveyJS: any one of them answered"
        } else {
            ""
        };
        let message = format!(
            "multiple text {:?} is imported as {} text question(s), one per item; each answer \
             is stored on its own{required}",
            el.name,
            parts.len()
        );
        self.report(el.path, ReportKind::Changed, message);
        self.leftovers(el.obj, &el.handled, el.path);
        self.add_names(el.extra_names);
        // The whole value (an object of item answers) no longer exists.
        self.names
            .insert(el.name.to_js_lower(), Target::Dropped(el.path.to_owned()));
        (!parts.is_empty()).then_some(parts)
    }

    /// The `validators` of an element whose answer is of `kind`, each one reported when it is
    /// not imported: an expression validator, a warning or note (which lets the respondent go
    /// on), a check of another kind's answers, or a pattern manyi cannot use. What the
    /// validators ask is checked as survey-core checks it; their `text` is the message.
    fn validators(
        &mut self,
        obj: &Map<String, Json>,
        path: &str,
        kind: QuestionKind,
    ) -> Vec<AnswerValidator> {
        let Some(list) = obj.get("validators") else {
            return Vec::new();
        };
        let Json::Array(items) = list else {
            self.report(
                format!("{path}.validators"),
                ReportKind::Property,
                not_array(list),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{path}.validators[{i}]");
            let Json::Object(v) = item else {
                self.report(at, ReportKind::Property, not_object(item));
                continue;
            };
            let name = v
                .get("type")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_js_lower();
            let name = name.strip_suffix("validator").unwrap_or(&name).to_owned();
            let not_imported = |why: &str| format!("{name:?} validator not imported: {why}");
            let notification = v.get("notificationType").and_then(Json::as_str);
            if notification.is_some_and(|n| n != "error") {
                let why = "a warning or note lets the respondent go on, and manyi has no such \
                           messages";
                self.report(at, ReportKind::Property, not_imported(why));
                continue;
            }
            if out.len() == MAX_VALIDATORS {
                let why = format!("a manyi question has at most {MAX_VALIDATORS} validators");
                self.report(at, ReportKind::Property, not_imported(&why));
                continue;
            }
            let num = |key: &str| v.get(key).and_then(Json::as_f64);
            // SurveyJS reads a count or length of 0 (JavaScript's false) as no bound.
            let count = |key: &str| {
                num(key)
                    .filter(|x| *x >= 1.0)
                    .map(|x| x.min(f64::from(u32::MAX)) as u32)
            };
            let (check, keys): (Check, &[&str]) = match name.as_str() {
                "email" => (Check::Email, &[]),
                "regex" => {
                    let regex = v.get("regex").and_then(Json::as_str).unwrap_or("");
                    let case_insensitive = [v.get("caseInsensitive"), v.get("insensitive")]
                        .contains(&Some(&Json::Bool(true)));
                    if regex.is_empty() {
                        let why = "it has no regex, so SurveyJS checks nothing with it";
                        self.report(at, ReportKind::Property, not_imported(why));
                        continue;
                    }
                    if let Err(e) = crate::validate::compile_pattern(regex, case_insensitive) {
                        let why = format!(
                            "{e} (manyi's engine runs in linear time, so it has no look-around \
                             or back-references)"
                        );
                        self.report(
                            format!("{at}.regex"),
                            ReportKind::Property,
                            not_imported(&why),
                        );
                        continue;
                    }
                    let check = Check::Pattern {
                        regex: regex.to_owned(),
                        case_insensitive,
                    };
                    (check, &["regex", "caseInsensitive", "insensitive"])
                }
                "numeric" => {
                    let check = Check::Numeric {
                        min: num("minValue"),
                        max: num("maxValue"),
                    };
                    (check, &["minValue", "maxValue"])
                }
                "answercount" => {
                    let check = Check::AnswerCount {
                        min: count("minCount"),
                        max: count("maxCount"),
                    };
                    (check, &["minCount", "maxCount"])
                }
                "text" => {
                    let check = Check::TextLength {
                        min: count("minLength"),
                        max: count("maxLength"),
                        allow_digits: v.get("allowDigits") != Some(&Json::Bool(false)),
                    };
                    (check, &["minLength", "maxLength", "allowDigits"])
                }
                "expression" => {
                    let why = "manyi has no validation by expression (a visibleIf or \
                               requiredIf may say part of it)";
                    self.report(at, ReportKind::Property, not_imported(why));
                    continue;
                }
                _ => {
                    self.report(
                        at,
                        ReportKind::Property,
                        not_imported("manyi has no such check"),
                    );
                    continue;
                }
            };
            let fits = match check {
                Check::AnswerCount { .. } => kind == QuestionKind::MultiChoice,
                _ => kind == QuestionKind::Text,
            };
            let contradictory = match check {
                Check::Numeric {
                    min: Some(min),
                    max: Some(max),
                } => min > max,
                Check::AnswerCount {
                    min: Some(min),
                    max: Some(max),
                }
                | Check::TextLength {
                    min: Some(min),
                    max: Some(max),
                    ..
                } => min > max,
                _ => false,
            };
            if !fits || contradictory {
                let why = if contradictory {
                    "its minimum is above its maximum, so SurveyJS refuses every answer"
                } else if let Check::AnswerCount { .. } = check {
                    "manyi counts the options of a multiple choice only"
                } else {
                    "manyi applies it to text answers only"
                };
                self.report(at, ReportKind::Property, not_imported(why));
                continue;
            }
            let message = self.text(v.get("text"), &format!("{at}.text"));
            let mut handled = vec!["type", "text", "notificationType"];
            handled.extend(keys);
            self.leftovers(v, &handled, &at);
            out.push(AnswerValidator { check, message });
        }
        out
    }

    /// An id for a question the importer adds, made unique.
    fn claim_extra_id(&mut self, wanted: &str) -> String {
        let mut id = wanted.to_owned();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{wanted}_{n}");
            n += 1;
        }
        self.ids.insert(id.clone());
        id
    }

    /// An item of `rows`, `columns` or `rateValues`: a bare value or `{"value", "text"}`; any
    /// other property of it is reported.
    fn item(&mut self, item: &Json, path: &str) -> (Json, Option<LocalizedText>) {
        let (value, text) = item_value(item);
        let text = text.and_then(|t| self.text(Some(&t), &format!("{path}.text")));
        if let Json::Object(obj) = item {
            self.leftovers(obj, &["value", "text"], path);
        }
        (value, text)
    }

    fn choices(&mut self, list: &Json, path: &str) -> Vec<ChoiceOption> {
        let Json::Array(items) = list else {
            self.report(path, ReportKind::Property, not_array(list));
            return Vec::new();
        };
        let mut out: Vec<ChoiceOption> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            let (value, text) = item_value(item);
            let Some(value) = value_string(&value).filter(|v| !v.is_empty()) else {
                self.report(
                    item_path,
                    ReportKind::Property,
                    "a choice without a text or number value is not imported",
                );
                continue;
            };
            if out.iter().any(|o| o.value == value) {
                self.report(
                    item_path,
                    ReportKind::Property,
                    format!("a second choice with the value {value:?} is not imported"),
                );
                continue;
            }
            let label = text
                .and_then(|t| self.text(Some(&t), &format!("{item_path}.text")))
                .unwrap_or_else(|| LocalizedText::Plain(value.clone()));
            if let Json::Object(obj) = item {
                for key in ["visibleIf", "enableIf"] {
                    if obj.contains_key(key) {
                        self.report(format!("{item_path}.{key}"), ReportKind::Condition, format!("the choice's {key} is not imported: manyi's options are always offered"));
                    }
                }
                let handled = ["value", "text", "visibleIf", "enableIf", "imageLink"];
                self.leftovers(obj, &handled, &item_path);
            }
            out.push(ChoiceOption { value, label });
        }
        out
    }

    fn triggers(&mut self, triggers: Option<&Json>) {
        let Some(Json::Array(items)) = triggers else {
            return;
        };
        for (i, trigger) in items.iter().enumerate() {
            let path = format!("$.triggers[{i}]");
            let kind = trigger.get("type").and_then(Json::as_str).unwrap_or("");
            match (kind, trigger.get("expression").and_then(Json::as_str)) {
                ("complete", Some(text)) => self.completes.push(Cond {
                    text: text.to_owned(),
                    path: format!("{path}.expression"),
                    negate: true,
                    renamed: false,
                }),
                _ => self.report(
                    path,
                    ReportKind::Property,
                    format!("{kind:?} trigger not imported: manyi supports complete triggers only"),
                ),
            }
        }
    }

    /// Collects [`Importer::valued`]: the built-in variables, the names of calculated values
    /// and the names triggers set (`setToName` of setvalue, copyvalue and runexpression).
    fn valued_names(&mut self, root: &Map<String, Json>) {
        self.valued
            .extend(BUILT_IN_VARIABLES.iter().map(|v| v.to_string()));
        let lists = [("calculatedValues", "name"), ("triggers", "setToName")];
        for (list, key) in lists {
            let items = root
                .get(list)
                .and_then(Json::as_array)
                .into_iter()
                .flatten();
            for name in items.filter_map(|item| item.get(key)?.as_str()) {
                self.valued.insert(name.to_js_lower());
            }
        }
    }

    /// The second pass: every condition parsed, renamed and checked.
    fn resolve_conditions(&mut self) {
        let mut pages = std::mem::take(&mut self.pages);
        // A complete trigger ends the survey after the page where what it reads is answered:
        // the questions of later pages get "and not (trigger)".
        let completes = std::mem::take(&mut self.completes);
        for trigger in completes {
            let Some((expr, _)) = self.expression(&trigger) else {
                continue;
            };
            let read: HashSet<String> = expr
                .variables()
                .iter()
                .map(|v| crate::validate::variable_question(v))
                .collect();
            let last_page = pages
                .iter()
                .rposition(|p| p.questions.iter().any(|d| read.contains(&d.question.id)))
                .unwrap_or(0);
            for page in pages.iter_mut().skip(last_page + 1) {
                for draft in &mut page.questions {
                    draft.visible.push(trigger.clone());
                }
            }
        }
        for page in &mut pages {
            for draft in &mut page.questions {
                let ext = std::mem::take(&mut draft.ext);
                draft.question.visible_if = self.combine(&draft.visible, ext.visible_if);
                draft.question.enable_if = self.combine(&draft.enable, ext.enable_if);
                draft.question.required_if = self.combine(&draft.require, ext.required_if);
            }
        }
        self.pages = pages;
    }

    /// Conditions that all must hold, as one SurveyJS expression; a manyi condition kept in
    /// the extension wins when the SurveyJS text is the one manyi exported for it.
    fn combine(&mut self, conds: &[Cond], manyi: Option<String>) -> Option<ConditionText> {
        if let (Some(text), [only]) = (&manyi, conds)
            && !only.negate
            && super::export::condition_to_surveyjs(text, &self.contacts).as_deref()
                == Some(only.text.as_str())
        {
            return Some(ConditionText::Manyi(text.clone()));
        }
        // A condition that cannot be imported is left out (and reported); the others stay.
        let mut unknown = Vec::new();
        let mut parts: Vec<(Expr, &Cond)> = Vec::new();
        for c in conds {
            if let Some((expr, names)) = self.expression(c) {
                parts.push((expr, c));
                for name in names {
                    if !unknown.contains(&name) {
                        unknown.push(name);
                    }
                }
            }
        }
        let text = match parts.as_slice() {
            // Nothing was renamed: keep the author's text as written.
            [(expr, c)]
                if !c.negate && expr.to_string() == Expr::parse(&c.text).ok()?.to_string() =>
            {
                c.text.clone()
            }
            _ => parts
                .into_iter()
                .map(|(e, c)| if c.negate { Expr::Not(Box::new(e)) } else { e })
                .reduce(|a, b| Expr::binary(BinOp::And, a, b))?
                .to_string(),
        };
        Some(ConditionText::SurveyJs(SurveyJsExpression {
            surveyjs: text,
            unknown,
        }))
    }

    /// One condition parsed with its variables renamed to question ids, with the names it
    /// reads that no element has (see [`SurveyJsExpression::unknown`]); None (reported) when
    /// it cannot be carried over.
    fn expression(&mut self, c: &Cond) -> Option<(Expr, Vec<String>)> {
        let drop = |im: &mut Importer, why: String| {
            im.report(
                c.path.clone(),
                ReportKind::Condition,
                format!("{why}; the condition is not imported"),
            );
            None
        };
        let mut expr = match Expr::parse(&c.text) {
            Ok(e) => e,
            Err(e) => {
                return drop(
                    self,
                    format!(
                        "{:?} does not parse ({e}), so SurveyJS would treat it as false",
                        c.text
                    ),
                );
            }
        };
        if let Some(f) = expr
            .functions()
            .into_iter()
            .find(|f| !FUNCTIONS.contains(f))
        {
            return drop(
                self,
                format!(
                    "it calls {f}(), which manyi does not implement (it has {})",
                    FUNCTIONS.join(", ")
                ),
            );
        }
        if c.renamed {
            return Some((expr, Vec::new()));
        }
        let mut problem = None;
        // (the name as written, the name kept) of each name no element has.
        let mut unknown: Vec<(String, String)> = Vec::new();
        let (names, valued, ids) = (&self.names, &self.valued, &self.ids);
        expr.rename_variables(&mut |path| match rename(path, names, valued) {
            Ok(Some(renamed)) => renamed,
            Ok(None) => {
                let kept = unknown_name(path, ids);
                unknown.push((path.to_owned(), kept.clone()));
                kept
            }
            Err(why) => {
                problem.get_or_insert(why);
                path.to_owned()
            }
        });
        if let Some(why) = problem {
            return drop(self, why);
        }
        let mut questions = Vec::new();
        for (written, kept) in unknown {
            let renamed = if kept == written {
                String::new()
            } else {
                format!(
                    " (kept as {{{kept}}}, as {:?} is the id of another question)",
                    crate::validate::variable_question(&written)
                )
            };
            self.report(
                c.path.clone(),
                ReportKind::Changed,
                format!(
                    "it reads {{{written}}}, which names no question of the survey{renamed}: \
                     SurveyJS reads such a name as empty, and so does manyi (unless a page \
                     setting a SurveyJS variable of that name gave it a value)"
                ),
            );
            let question = crate::validate::variable_question(&kept);
            if !questions.contains(&question) {
                questions.push(question);
            }
        }
        Some((expr, questions))
    }
}

/// The properties every question maps (see [`Importer::question`]).
const COMMON: &[&str] = &[
    "type",
    "name",
    "title",
    "description",
    "isRequired",
    "visibleIf",
    "visible",
    "enableIf",
    "readOnly",
    "requiredIf",
    "manyi",
];

/// A rating's end descriptions, each with the alternative (misspelt) name survey-core also
/// reads.
const RATE_DESCRIPTIONS: [[&str; 2]; 2] = [
    ["minRateDescription", "mininumRateDescription"],
    ["maxRateDescription", "maximumRateDescription"],
];

/// The SurveyJS question types the importer maps.
const QUESTION_TYPES: &[&str] = &[
    "text",
    "comment",
    "boolean",
    "radiogroup",
    "dropdown",
    "buttongroup",
    "checkbox",
    "tagbox",
    "imagepicker",
    "rating",
    "matrix",
    "multipletext",
    "slider",
];

type Words = (&'static str, &'static str, &'static str);

/// The special items of choice questions: their flags (current and legacy name), the value
/// SurveyJS stores, the property with their text, and their default text (en, zh-CN, zh-TW).
const SPECIAL_ITEMS: [([&str; 2], &str, &str, Words); 4] = [
    (
        ["showNoneItem", "hasNone"],
        "none",
        "noneText",
        ("None", "无", "無"),
    ),
    (
        ["showRefuseItem", "hasRefuse"],
        "refused",
        "refuseText",
        ("Refuse to answer", "拒绝回答", "拒絕回答"),
    ),
    (
        ["showDontKnowItem", "hasDontKnow"],
        "dontknow",
        "dontKnowText",
        ("Don't know", "不知道", "不知道"),
    ),
    (
        ["showOtherItem", "hasOther"],
        "other",
        "otherText",
        ("Other (describe)", "其他（请说明）", "其他（請說明）"),
    ),
];

/// One question element being imported, with what has been read of it so far.
struct Element<'a> {
    obj: &'a Map<String, Json>,
    kind: &'a str,
    name: &'a str,
    path: &'a str,
    /// The properties read; the others are reported.
    handled: Vec<&'static str>,
    conditions: Context,
    /// Questions added after this one: the other item's text, the comment box.
    extra: Vec<Draft>,
    /// SurveyJS names of what the added questions hold (such as `q-Comment`) → their ids.
    extra_names: Vec<(String, String)>,
    /// Matrix rows: lower-cased SurveyJS row value → row id.
    rows: HashMap<String, String>,
    renumbered: bool,
}

impl Element<'_> {
    fn flag(&self, key: &str) -> bool {
        self.obj.get(key) == Some(&Json::Bool(true))
    }

    fn num(&self, key: &str) -> Option<f64> {
        self.obj.get(key).and_then(Json::as_f64)
    }

    fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }
}

/// A rating's (or slider's) range as survey-core computes it: rateCount counts only with
/// exactly one of rateMin and rateMax; the defaults are 1–5 in steps of 1 (0–100 for a
/// slider).
fn rating_range(el: &Element) -> (f64, f64, f64) {
    if el.kind == "slider" {
        let get = |k: &str, default: f64| el.num(k).unwrap_or(default);
        return (get("min", 0.0), get("max", 100.0), get("step", 1.0));
    }
    let step = el.num("rateStep").filter(|s| *s > 0.0).unwrap_or(1.0);
    let count = el.num("rateCount");
    let min = el
        .num("rateMin")
        .or_else(|| Some(el.num("rateMax")? - step * (count? - 1.0)))
        .unwrap_or(1.0);
    let max = el
        .num("rateMax")
        .or_else(|| Some(el.num("rateMin")? + step * (count? - 1.0)))
        .unwrap_or(5.0);
    (min, max, step)
}

/// A text question the importer adds (an other item's text, a comment box, a multiple-text
/// item), with the conditions of the question it comes from.
fn extra_text(id: &str, text: LocalizedText, visible: Vec<Cond>, enable: &[Cond]) -> Draft {
    Draft {
        question: Question {
            id: id.to_owned(),
            kind: QuestionKind::Text,
            text,
            help: None,
            required: false,
            dimension: None,
            reverse: false,
            weight: None,
            scale: None,
            options: Vec::new(),
            rows: Vec::new(),
            required_rows: RequiredRows::All,
            metric: None,
            visible_if: None,
            enable_if: None,
            required_if: None,
            max_length: None,
            multiline: true,
            stars: false,
            validators: Vec::new(),
            methods: Vec::new(),
        },
        visible,
        enable: enable.to_vec(),
        require: Vec::new(),
        ext: QuestionExt::default(),
    }
}

/// SurveyJS's built-in variables (`SurveyValueGetterContext`), lower case: the survey's
/// locale, page numbers and quiz counts, which manyi does not have.
const BUILT_IN_VARIABLES: &[&str] = &[
    "locale",
    "pageno",
    "pagecount",
    "correctedanswers",
    "correctanswers",
    "correctedanswercount",
    "incorrectedanswers",
    "incorrectanswers",
    "incorrectedanswercount",
    "questioncount",
];

/// A variable path with its question part replaced by the question's id (and a matrix row's
/// value by the row's id); `None` when its name is no element's nor anything else SurveyJS
/// gives a value (a typo), which SurveyJS reads as empty; or why it reads something that has
/// a value in SurveyJS but was not imported.
fn rename(
    path: &str,
    names: &HashMap<String, Target>,
    valued: &HashSet<String>,
) -> Result<Option<String>, String> {
    if path.contains(':') && serde_json::from_str::<Json>(&format!("{{{path}}}")).is_ok() {
        return Ok(Some(path.to_owned()));
    }
    let segments: Vec<&str> = path.split('.').collect();
    // The longest dotted prefix that names an element wins, as in SurveyJS's lookup.
    for k in (1..=segments.len()).rev() {
        let prefix = segments[..k].join(".");
        let (base, index) = split_index(&prefix);
        match names.get(&base.to_js_lower()) {
            Some(Target::Question {
                id,
                rows,
                renumbered,
            }) => {
                if *renumbered {
                    return Err(format!(
                        "it reads {{{path}}}, whose answers were renumbered"
                    ));
                }
                let mut rest: Vec<String> = segments[k..].iter().map(|s| s.to_string()).collect();
                if let Some(first) = rest.first_mut()
                    && index.is_empty()
                    && let Some(row) = rows.get(&first.to_js_lower())
                {
                    *first = row.clone();
                }
                let mut out = format!("{id}{index}");
                for part in rest {
                    out.push('.');
                    out.push_str(&part);
                }
                return Ok(Some(out));
            }
            Some(Target::Part(part)) => {
                let mut out = format!("{part}{index}");
                for rest in &segments[k..] {
                    out.push('.');
                    out.push_str(rest);
                }
                return Ok(Some(out));
            }
            Some(Target::Dropped(at)) => {
                return Err(format!("it reads {{{path}}}, and {at} was not imported"));
            }
            None => {}
        }
    }
    let (first, _) = split_index(segments[0]);
    if valued.contains(&first.to_js_lower()) {
        return Err(format!(
            "it reads {{{path}}}, which is not a question of the survey but has a value in \
             SurveyJS (calculated values, variables set by triggers and built-in variables \
             are not imported)"
        ));
    }
    Ok(None)
}

/// `name[index]` as (`name`, `[index]`); (`name`, "") without an index.
fn split_index(segment: &str) -> (&str, &str) {
    match segment.rfind('[') {
        Some(i) if segment.ends_with(']') => (&segment[..i], &segment[i..]),
        _ => (segment, ""),
    }
}

/// The name a condition keeps for a name no element has: as written, unless its question part
/// is an id a question was given (`Typo!` became `typo`, and the condition reads `{typo}`),
/// which would read that question; then with `_unknown` added until it is no id.
fn unknown_name(path: &str, ids: &HashSet<String>) -> String {
    let (first, rest) = match path.find('.') {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    };
    let (base, index) = split_index(first);
    let mut name = base.to_owned();
    while ids.contains(&crate::validate::variable_question(&name)) {
        name.push_str("_unknown");
    }
    format!("{name}{index}{rest}")
}

fn cond(text: &str, path: String) -> Cond {
    Cond {
        text: text.to_owned(),
        path,
        negate: false,
        renamed: false,
    }
}

/// A condition the importer writes itself, over question ids.
fn own_cond(text: &str, path: String) -> Cond {
    Cond {
        renamed: true,
        ..cond(text, path)
    }
}

/// An item of `choices`, `rows`, `columns` or `rateValues`: a bare value or
/// `{"value": …, "text": …}`. A bare string is SurveyJS's `"value|text"` shorthand when it
/// holds a `|`: SurveyJS's ItemValue stores what comes before the first `|` as the value and
/// shows what follows (when not empty) as the text.
fn item_value(item: &Json) -> (Json, Option<Json>) {
    match item {
        Json::Object(obj) => (
            obj.get("value").cloned().unwrap_or(Json::Null),
            obj.get("text").cloned(),
        ),
        Json::String(s) => match s.split_once('|') {
            Some((value, text)) => (
                Json::String(value.to_owned()),
                (!text.is_empty()).then(|| Json::String(text.to_owned())),
            ),
            None => (item.clone(), None),
        },
        other => (other.clone(), None),
    }
}

/// A value as manyi stores it: text, or a number or boolean written as JavaScript writes it.
fn value_string(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => n.as_f64().map(number_to_string),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// (min, max, step) when the numbers, sorted, are evenly spaced.
fn arithmetic(numbers: &[f64]) -> Option<(f64, f64, f64)> {
    let mut sorted = numbers.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    if sorted.len() == 1 {
        return Some((min, max, 1.0));
    }
    let step = sorted[1] - sorted[0];
    let even = step > 0.0
        && sorted
            .windows(2)
            .all(|w| ((w[1] - w[0]) - step).abs() < 1e-9 * step.max(1.0));
    even.then_some((min, max, step))
}

fn localized((en, zh_cn, zh_tw): (&str, &str, &str)) -> LocalizedText {
    LocalizedText::PerLocale(BTreeMap::from([
        ("en".to_owned(), en.to_owned()),
        ("zh-CN".to_owned(), zh_cn.to_owned()),
        ("zh-TW".to_owned(), zh_tw.to_owned()),
    ]))
}

/// Two texts one after the other, a blank line between, per locale.
fn join_text(first: Option<LocalizedText>, second: LocalizedText) -> LocalizedText {
    let Some(first) = first else { return second };
    match (&first, &second) {
        (LocalizedText::Plain(a), LocalizedText::Plain(b)) => {
            LocalizedText::Plain(format!("{a}\n\n{b}"))
        }
        _ => {
            let locales: HashSet<&String> = [&first, &second]
                .into_iter()
                .filter_map(|t| match t {
                    LocalizedText::PerLocale(map) => Some(map.keys()),
                    LocalizedText::Plain(_) => None,
                })
                .flatten()
                .collect();
            LocalizedText::PerLocale(
                locales
                    .into_iter()
                    .map(|l| {
                        (
                            l.clone(),
                            format!("{}\n\n{}", first.get(l, l), second.get(l, l)),
                        )
                    })
                    .collect(),
            )
        }
    }
}

/// Whether a text pipes answers in (`{name}`), which manyi does not do.
fn has_piping(text: &LocalizedText) -> bool {
    let check = |s: &str| s.find('{').is_some_and(|i| s[i..].contains('}'));
    match text {
        LocalizedText::Plain(s) => check(s),
        LocalizedText::PerLocale(map) => map.values().any(|s| check(s)),
    }
}

/// `zh-cn` → `zh-CN`: the language in lower case, a two-letter region in upper case, a
/// four-letter script capitalised. Parts are counted in characters and changed only in their
/// ASCII letters, so a tag that is not BCP 47 (`en-éab`) is lower-cased, never cut inside a
/// character.
pub(crate) fn canonical_locale(tag: &str) -> String {
    tag.split(['-', '_'])
        .enumerate()
        .map(|(i, part)| match (i, part.chars().count()) {
            (0, _) => part.to_ascii_lowercase(),
            (_, 2) => part.to_ascii_uppercase(),
            (_, 4) => {
                let mut chars = part.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                })
            }
            _ => part.to_ascii_lowercase(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A page or row id from a SurveyJS name, or None when nothing of it is usable.
fn sanitize(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    (!out.is_empty()).then(|| out.to_owned())
}

/// A survey id from a title: `[a-z0-9-]`, at most 64 characters (empty when none is left).
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(64).collect();
    out.trim_end_matches('-').to_owned()
}

/// Plain text from HTML: tags removed, line breaks for `<br>` and block ends, the common
/// entities decoded. Returns whether there were tags.
pub(crate) fn html_to_text(html: &str) -> (String, bool) {
    let mut out = String::new();
    let mut had_tags = false;
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        had_tags = true;
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let block_end = tag.starts_with('/')
            && matches!(
                name.as_str(),
                "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr"
            );
        if name == "br" || block_end {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let mut text = String::new();
    let mut rest = out.as_str();
    while let Some(amp) = rest.find('&') {
        text.push_str(&rest[..amp]);
        let entity_end = rest[amp..].find(';').filter(|e| *e <= 10);
        let decoded = entity_end.and_then(|e| {
            let name = &rest[amp + 1..amp + e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" | "#39" => '\'',
                "nbsp" => ' ',
                _ => {
                    let code = match name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => name.strip_prefix('#')?.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                text.push(c);
                rest = &rest[amp + e + 1..];
            }
            None => {
                text.push('&');
                rest = &rest[amp + 1..];
            }
        }
    }
    text.push_str(rest);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut joined = lines.join("\n");
    while joined.contains("\n\n\n") {
        joined = joined.replace("\n\n\n", "\n\n");
    }
    (joined.trim().to_owned(), had_tags)
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn not_object(value: &Json) -> String {
    format!(
        "expected an element object, found {}; not imported",
        json_kind(value)
    )
}

fn not_array(value: &Json) -> String {
    format!("expected a list, found {}; not imported", json_kind(value))
}
