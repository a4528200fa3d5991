//! The formats `GET /api/v1/surveys/{id}/responses` writes.

use serde::{Deserialize, Serialize};

/// The export formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// The stored responses as a JSON array.
    #[default]
    Json,
    /// UTF-8 with a byte-order mark so Excel shows Chinese, in the column layout `manyi score`
    /// reads back.
    Csv,
    /// The same columns as CSV, with numbers as numbers.
    Xlsx,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Json, ExportFormat::Csv, ExportFormat::Xlsx];

    /// The name in the query string, which is also the file's extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// The media type the server sends it with.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<ExportFormat, String> {
        ExportFormat::ALL
            .into_iter()
            .find(|format| format.as_str() == text)
            .ok_or_else(|| format!("format {text:?} is not one of json, csv, xlsx"))
    }
}
