//! The query strings of the report, the open-text answers and the export, and how they read:
//! the server parses them with these functions, the CLI reads its flags with the same ones, and
//! the dashboard writes them with [`ReportQuery::to_query_string`].

use chrono::{DateTime, FixedOffset, NaiveDate};
use manyi_core::report::{BucketSpec, BucketUnit, MetaFilter, ReportOptions, TextAnswer};
use serde::{Deserialize, Serialize};

use crate::export::ExportFormat;

/// The most open-text answers one request lists.
pub const MAX_TEXTS: usize = 1000;
/// How many open-text answers a request lists when it does not say.
pub const DEFAULT_TEXTS: usize = 100;

/// A query option that does not read; the message names the option and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// The report's options, all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// Only responses submitted at or after this time: RFC 3339, or a `YYYY-MM-DD` date taken
    /// at midnight in `utc_offset`.
    #[cfg_attr(feature = "openapi", param(example = "2026-11-01"))]
    pub from: Option<String>,
    /// Only responses submitted before this time (same forms as `from`); with `from`, the
    /// report compares the period with the one before it.
    pub to: Option<String>,
    /// A `meta` key (such as `channel`) to break the figures down by.
    #[cfg_attr(feature = "openapi", param(example = "channel"))]
    pub segment: Option<String>,
    /// Figures per `day`, `week` or `month`.
    #[cfg_attr(feature = "openapi", param(example = "week"))]
    pub bucket: Option<String>,
    /// The offset that dates and buckets are taken in, such as `+08:00` or `Z`; default UTC.
    #[cfg_attr(feature = "openapi", param(example = "+08:00"))]
    pub utc_offset: Option<String>,
    /// Only responses with this `meta` value, written `key:value` (split at the first colon);
    /// the previous period of a comparison is filtered the same way.
    #[cfg_attr(feature = "openapi", param(example = "channel:web"))]
    pub filter: Option<String>,
}

impl ReportQuery {
    /// The core's report options this query asks for.
    pub fn options(&self) -> Result<ReportOptions, QueryError> {
        let offset = offset_or_utc(self.utc_offset.as_deref())?;
        let bucket = self
            .bucket
            .as_deref()
            .map(|b| b.parse::<BucketUnit>().map_err(QueryError))
            .transpose()?;
        Ok(ReportOptions {
            segment: self.segment.clone(),
            bucket: bucket.map(|unit| BucketSpec {
                unit,
                utc_offset: offset,
            }),
            ..selection(
                self.from.as_deref(),
                self.to.as_deref(),
                self.filter.as_deref(),
                offset,
            )?
        })
    }

    /// The query as a URL's query string (without `?`), each value percent-encoded, in the
    /// order of the fields; absent options are left out.
    pub fn to_query_string(&self) -> String {
        query_string(&[
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("segment", self.segment.as_deref()),
            ("bucket", self.bucket.as_deref()),
            ("utc_offset", self.utc_offset.as_deref()),
            ("filter", self.filter.as_deref()),
        ])
    }
}

/// Which open-text answers to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TextsQuery {
    /// Only answers containing this text, compared case-insensitively; all when absent.
    pub q: Option<String>,
    /// How many answers to list (1–1000; default 100). `total` counts them all.
    pub limit: Option<usize>,
    /// As for the report.
    pub from: Option<String>,
    /// As for the report.
    pub to: Option<String>,
    /// As for the report.
    pub utc_offset: Option<String>,
    /// As for the report: `key:value`.
    pub filter: Option<String>,
}

impl TextsQuery {
    /// The responses this query selects (a period and a filter) as the core's options.
    pub fn options(&self) -> Result<ReportOptions, QueryError> {
        let offset = offset_or_utc(self.utc_offset.as_deref())?;
        selection(
            self.from.as_deref(),
            self.to.as_deref(),
            self.filter.as_deref(),
            offset,
        )
    }

    /// How many answers to list: the limit asked for, within 1–[`MAX_TEXTS`].
    pub fn limit(&self) -> Result<usize, QueryError> {
        let limit = self.limit.unwrap_or(DEFAULT_TEXTS);
        if (1..=MAX_TEXTS).contains(&limit) {
            Ok(limit)
        } else {
            Err(QueryError(format!(
                "limit {limit} is outside 1–{MAX_TEXTS}"
            )))
        }
    }

    /// The query as a URL's query string (without `?`).
    pub fn to_query_string(&self) -> String {
        let limit = self.limit.map(|n| n.to_string());
        query_string(&[
            ("q", self.q.as_deref()),
            ("limit", limit.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("utc_offset", self.utc_offset.as_deref()),
            ("filter", self.filter.as_deref()),
        ])
    }
}

/// The reply: how many answers match and the newest of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextsReply {
    pub total: usize,
    /// `{"question", "text", "submitted_at"}`, newest first.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub answers: Vec<TextAnswer>,
}

impl From<manyi_core::report::TextAnswers> for TextsReply {
    fn from(found: manyi_core::report::TextAnswers) -> TextsReply {
        TextsReply {
            total: found.total,
            answers: found.answers,
        }
    }
}

/// The export's format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ExportQuery {
    /// `json` (the default), `csv` or `xlsx`. Read here rather than by serde so an unknown
    /// format gets the API's error.
    #[cfg_attr(feature = "openapi", param(inline, value_type = Option<ExportFormat>))]
    pub format: Option<String>,
}

impl ExportQuery {
    /// The format asked for; JSON when none is.
    pub fn format(&self) -> Result<ExportFormat, QueryError> {
        match self.format.as_deref() {
            None => Ok(ExportFormat::Json),
            Some(text) => text.parse().map_err(QueryError),
        }
    }
}

/// The refusal of a report whose segment key has more values than a report breaks down into
/// (`manyi_core::limits::MAX_SEGMENT_GROUPS`).
pub fn too_many_segments(key: &str) -> QueryError {
    QueryError(format!(
        "segment {key:?} has more than {} values in these responses; break the figures down \
         by a key with fewer values, such as channel, location or counter, or filter on one \
         value with filter={key}:VALUE",
        manyi_core::limits::MAX_SEGMENT_GROUPS
    ))
}

/// `+08:00`, `-05:30`, `+0800`, or `Z` for UTC.
pub fn parse_offset(text: &str) -> Result<FixedOffset, QueryError> {
    if text.eq_ignore_ascii_case("z") {
        return Ok(FixedOffset::east_opt(0).expect("zero is a valid offset"));
    }
    text.parse().map_err(|_| {
        QueryError(format!(
            "utc_offset {text:?} is not an offset such as +08:00"
        ))
    })
}

/// An RFC 3339 time, or a `YYYY-MM-DD` date taken at midnight in `offset`; `name` (the option
/// it came from) goes into the error.
pub fn parse_instant(
    name: &str,
    text: &str,
    offset: FixedOffset,
) -> Result<DateTime<FixedOffset>, QueryError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(offset).single())
        .ok_or_else(|| {
            QueryError(format!(
                "{name} {text:?} is neither an RFC 3339 time nor a YYYY-MM-DD date"
            ))
        })
}

/// `key:value` as a filter, split at the first colon; the key must not be empty.
pub fn parse_filter(text: &str) -> Result<MetaFilter, QueryError> {
    match text.split_once(':') {
        Some((key, value)) if !key.is_empty() => Ok(MetaFilter {
            key: key.to_owned(),
            value: value.to_owned(),
        }),
        _ => Err(QueryError(format!(
            "filter {text:?} is not a key:value pair such as channel:web"
        ))),
    }
}

fn offset_or_utc(text: Option<&str>) -> Result<FixedOffset, QueryError> {
    text.map_or(
        Ok(FixedOffset::east_opt(0).expect("zero is a valid offset")),
        parse_offset,
    )
}

/// The options that select responses: a period and a `meta` filter.
fn selection(
    from: Option<&str>,
    to: Option<&str>,
    filter: Option<&str>,
    offset: FixedOffset,
) -> Result<ReportOptions, QueryError> {
    Ok(ReportOptions {
        from: from.map(|t| parse_instant("from", t, offset)).transpose()?,
        to: to.map(|t| parse_instant("to", t, offset)).transpose()?,
        filter: filter.map(parse_filter).transpose()?,
        ..ReportOptions::default()
    })
}

/// `name=value` pairs joined by `&`, values percent-encoded as `encodeURIComponent` does.
pub(crate) fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        let Some(value) = value else { continue };
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        for byte in value.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' => {
                    out.push(byte as char)
                }
                b'*' | b'\'' | b'(' | b')' => out.push(byte as char),
                _ => out.push_str(&format!("%{byte:02X}")),
            }
        }
    }
    out
}
