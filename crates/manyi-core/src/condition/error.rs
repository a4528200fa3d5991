//! The syntax error that both condition languages report, so that a caller shows an error in
//! either language the same way (the CLI and the definition checks point at `position`).

/// A syntax error, with the character position (0-based) where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {})", position + 1)]
pub struct ParseError {
    /// 0-based character offset into the condition text.
    pub position: usize,
    pub message: String,
}
