//! manyi's own condition language, in which `visible_if`, `enable_if` and `required_if` are
//! written unless a definition picks SurveyJS's: parsed once into a tree, evaluated on every
//! answer, and printed back so that `parse(print(c)) == c`.
//!
//! Grammar (keywords are case-insensitive):
//!
//! ```text
//! expr    := and ( ("or" | "||") and )*
//! and     := unary ( ("and" | "&&") unary )*
//! unary   := ("not" | "!") unary | "(" expr ")" | compare
//! compare := operand ( ("==" | "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "contains") operand
//!                    | "in" "[" literal ("," literal)* "]" )
//! operand := variable | number | string | "true" | "false"
//! variable:= question_id ( "." row_id )?      (a contact question's part: agreed, method)
//! ```
//!
//! A condition is at most [`MAX_CONDITION_LENGTH`](crate::limits::MAX_CONDITION_LENGTH)
//! characters long, at most [`MAX_CONDITION_DEPTH`] operators deep (a chain `a and b and …` is
//! parsed into a tree one level deeper per operator) and opens at most
//! [`MAX_CONDITION_NESTING`] parentheses and `not`s inside one another. The parser refuses
//! anything beyond, so parsing, and evaluating, printing, cloning and dropping a parsed
//! condition, which recurse once per level, stay within a small stack.
//!
//! Semantics: a comparison that involves an unanswered question is false, except `!=`, which is
//! then true (an unanswered question differs from every value). Numbers compare numerically; a
//! number and a numeric string compare as numbers; other strings compare exactly. `contains`
//! tests membership in a multiple-choice answer or a substring of a text answer.
//!
//! A definition may also give a condition as a SurveyJS expression (see
//! [`crate::model::ConditionText`]); that language is `condition::surveyjs`, beside this one,
//! and `condition::Rule` holds a condition in either.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::{ParseError, too_long};
use crate::limits::{MAX_CONDITION_DEPTH, MAX_CONDITION_NESTING};
use crate::model::{Answer, Answers};
use crate::number::{parse_f64, write_literal};

/// A reference to an answer: a question, one row of a matrix question, or one part of a
/// contact question's answer (`agreed`, `method`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarRef {
    pub question: String,
    pub row: Option<String>,
}

impl fmt::Display for VarRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.row {
            Some(row) => write!(f, "{}.{}", self.question, row),
            None => f.write_str(&self.question),
        }
    }
}

/// A literal or a variable in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Operand {
    Var(VarRef),
    Number(f64),
    Text(String),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
}

impl CompareOp {
    fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Contains => "contains",
        }
    }
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    Or(Box<Condition>, Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Compare {
        left: Operand,
        op: CompareOp,
        right: Operand,
    },
    In {
        var: VarRef,
        values: Vec<Operand>,
    },
}

impl Condition {
    /// Parses condition text, reporting the first syntax error with its position.
    pub fn parse(text: &str) -> Result<Condition, ParseError> {
        Condition::parse_located(text).map(|(condition, _)| condition)
    }

    /// Parses condition text as [`Condition::parse`] does, and gives the character position
    /// (0-based) of each variable, in the order [`Condition::variables`] lists them: a check
    /// made after parsing (an alert rule naming no question, score or `meta` key) can then
    /// point at the variable as a syntax error points at its token.
    pub fn parse_located(text: &str) -> Result<(Condition, Vec<usize>), ParseError> {
        if too_long(text) {
            return Err(ParseError::too_long());
        }
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens: &tokens,
            pos: 0,
            end: text.chars().count(),
            open: 0,
            variables: Vec::new(),
        };
        let (condition, _depth) = parser.expr()?;
        if let Some(token) = parser.peek() {
            return Err(ParseError {
                position: token.position,
                message: format!("unexpected {} after a complete condition", token.kind),
            });
        }
        Ok((condition, parser.variables))
    }

    /// Every answer the condition reads, in order of appearance.
    pub fn variables(&self) -> Vec<&VarRef> {
        let mut out = Vec::new();
        self.collect_vars(&mut out);
        out
    }

    fn collect_vars<'a>(&'a self, out: &mut Vec<&'a VarRef>) {
        match self {
            Condition::Or(a, b) | Condition::And(a, b) => {
                a.collect_vars(out);
                b.collect_vars(out);
            }
            Condition::Not(inner) => inner.collect_vars(out),
            Condition::Compare { left, right, .. } => {
                for operand in [left, right] {
                    if let Operand::Var(v) = operand {
                        out.push(v);
                    }
                }
            }
            Condition::In { var, .. } => out.push(var),
        }
    }

    /// Calls `f` on every variable, in the order [`Condition::variables`] lists them, so a
    /// caller can rename what a variable reads (alert rules point `meta.key` and score names at
    /// values of their own) without a tree of its own. It recurses once per level, which
    /// [`MAX_CONDITION_DEPTH`] bounds.
    pub fn for_each_variable_mut(&mut self, f: &mut dyn FnMut(&mut VarRef)) {
        match self {
            Condition::Or(a, b) | Condition::And(a, b) => {
                a.for_each_variable_mut(f);
                b.for_each_variable_mut(f);
            }
            Condition::Not(inner) => inner.for_each_variable_mut(f),
            Condition::Compare { left, right, .. } => {
                for operand in [left, right] {
                    if let Operand::Var(v) = operand {
                        f(v);
                    }
                }
            }
            Condition::In { var, .. } => f(var),
        }
    }

    /// Every (variable, literal) pair compared for equality or membership, so validation can
    /// check string literals against a choice question's options.
    pub fn literal_comparisons(&self) -> Vec<(&VarRef, &Operand)> {
        let mut out = Vec::new();
        self.collect_literals(&mut out);
        out
    }

    fn collect_literals<'a>(&'a self, out: &mut Vec<(&'a VarRef, &'a Operand)>) {
        match self {
            Condition::Or(a, b) | Condition::And(a, b) => {
                a.collect_literals(out);
                b.collect_literals(out);
            }
            Condition::Not(inner) => inner.collect_literals(out),
            Condition::Compare { left, op, right } => {
                if matches!(op, CompareOp::Eq | CompareOp::Ne | CompareOp::Contains) {
                    match (left, right) {
                        (Operand::Var(v), lit) | (lit, Operand::Var(v))
                            if !matches!(lit, Operand::Var(_)) =>
                        {
                            out.push((v, lit))
                        }
                        _ => {}
                    }
                }
            }
            Condition::In { var, values } => out.extend(values.iter().map(|v| (var, v))),
        }
    }

    /// Evaluates the condition on the given answers.
    pub fn eval(&self, answers: &dyn Answers) -> bool {
        match self {
            Condition::Or(a, b) => a.eval(answers) || b.eval(answers),
            Condition::And(a, b) => a.eval(answers) && b.eval(answers),
            Condition::Not(inner) => !inner.eval(answers),
            Condition::Compare { left, op, right } => {
                let (l, r) = (resolve(left, answers), resolve(right, answers));
                match (l, r) {
                    (Some(l), Some(r)) => compare(&l, *op, &r),
                    _ => *op == CompareOp::Ne,
                }
            }
            Condition::In { var, values } => match lookup(var, answers) {
                Some(value) => values.iter().any(|candidate| {
                    resolve(candidate, answers).is_some_and(|c| compare(&value, CompareOp::Eq, &c))
                }),
                None => false,
            },
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Var(v) => v.fmt(f),
            Operand::Number(n) => write_literal(f, *n),
            Operand::Text(s) => {
                // The tokenizer's one escape is a backslash, which takes the next character
                // as it is; every other character stands for itself, control characters
                // included, so only the quote and the backslash are escaped.
                f.write_str("\"")?;
                for c in s.chars() {
                    if matches!(c, '"' | '\\') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")
            }
            Operand::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl fmt::Display for Condition {
    /// Prints the condition in the language it was parsed from, fully parenthesised where
    /// precedence would otherwise be ambiguous, so `parse(display(c)) == c`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // A chain is parsed into a tree that leans left (`a or b or c` is `(a or b) or c`),
            // so an `or` on the right of an `or`, and an `and` on the right of an `and`, came
            // from parentheses and keeps them.
            Condition::Or(a, b) => match **b {
                Condition::Or(..) => write!(f, "{a} or ({b})"),
                _ => write!(f, "{a} or {b}"),
            },
            Condition::And(a, b) => {
                let left = matches!(**a, Condition::Or(..));
                let right = matches!(**b, Condition::Or(..) | Condition::And(..));
                let side = |c: &Condition, parens: bool, f: &mut fmt::Formatter<'_>| {
                    if parens {
                        write!(f, "({c})")
                    } else {
                        write!(f, "{c}")
                    }
                };
                side(a, left, f)?;
                f.write_str(" and ")?;
                side(b, right, f)
            }
            Condition::Not(inner) => match **inner {
                Condition::Compare { .. } | Condition::In { .. } | Condition::Not(_) => {
                    write!(f, "not {inner}")
                }
                _ => write!(f, "not ({inner})"),
            },
            Condition::Compare { left, op, right } => {
                write!(f, "{left} {} {right}", op.symbol())
            }
            Condition::In { var, values } => {
                write!(f, "{var} in [")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// A value as the evaluator sees it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Number(f64),
    Text(String),
    List(Vec<String>),
    Bool(bool),
}

fn lookup(var: &VarRef, answers: &dyn Answers) -> Option<Value> {
    let answer = answers.answer(&var.question)?;
    match (&var.row, answer) {
        (Some(row), Answer::Matrix(rows)) => rows.get(row).copied().map(Value::Number),
        // A contact answer's consent and method read as parts; its number or address never
        // decides what a survey shows, so no condition reads it.
        (Some(part), Answer::Contact(contact)) => match part.as_str() {
            "agreed" => Some(Value::Bool(contact.agreed)),
            "method" => contact.method.map(|m| Value::Text(m.as_str().to_owned())),
            _ => None,
        },
        (Some(_), _) => None,
        (None, Answer::Number(n)) => Some(Value::Number(*n)),
        (None, Answer::Text(s)) => Some(Value::Text(s.clone())),
        (None, Answer::Choices(list)) => Some(Value::List(list.clone())),
        // A whole matrix or contact answer has no single value to compare; its parts do.
        (None, Answer::Matrix(_) | Answer::Contact(_)) => None,
    }
}

fn resolve(operand: &Operand, answers: &dyn Answers) -> Option<Value> {
    match operand {
        Operand::Var(v) => lookup(v, answers),
        Operand::Number(n) => Some(Value::Number(*n)),
        Operand::Text(s) => Some(Value::Text(s.clone())),
        Operand::Bool(b) => Some(Value::Bool(*b)),
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => Some(*n),
        Value::Text(s) => parse_f64(s.trim()),
        _ => None,
    }
}

fn compare(left: &Value, op: CompareOp, right: &Value) -> bool {
    use std::cmp::Ordering;
    if op == CompareOp::Contains {
        return match (left, right) {
            (Value::List(items), Value::Text(needle)) => items.iter().any(|i| i == needle),
            (Value::Text(hay), Value::Text(needle)) => hay.contains(needle.as_str()),
            _ => false,
        };
    }
    let ordering = match (left, right) {
        (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::List(a), Value::List(b)) if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
            // The same items in any order, each as often: counted rather than sorted, which
            // spares the browser's bundle a sort for these short lists.
            let count = |list: &[String], item: &String| list.iter().filter(|i| *i == item).count();
            let same = a.len() == b.len() && a.iter().all(|item| count(a, item) == count(b, item));
            Some(if same {
                Ordering::Equal
            } else {
                Ordering::Less
            })
        }
        (l, r) => match (as_number(l), as_number(r)) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
    };
    match ordering {
        Some(o) => match op {
            CompareOp::Eq => o == Ordering::Equal,
            CompareOp::Ne => o != Ordering::Equal,
            CompareOp::Lt => o == Ordering::Less,
            CompareOp::Le => o != Ordering::Greater,
            CompareOp::Gt => o == Ordering::Greater,
            CompareOp::Ge => o != Ordering::Less,
            CompareOp::Contains => unreachable!("handled above"),
        },
        // Values of incomparable types are simply unequal.
        None => op == CompareOp::Ne,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Ident(String),
    Number(f64),
    Text(String),
    Op(CompareOp),
    And,
    Or,
    Not,
    In,
    True,
    False,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::Ident(s) => write!(f, "name `{s}`"),
            TokenKind::Number(n) => write!(f, "number {n}"),
            TokenKind::Text(s) => write!(f, "string {s:?}"),
            TokenKind::Op(op) => write!(f, "`{}`", op.symbol()),
            TokenKind::And => f.write_str("`and`"),
            TokenKind::Or => f.write_str("`or`"),
            TokenKind::Not => f.write_str("`not`"),
            TokenKind::In => f.write_str("`in`"),
            TokenKind::True => f.write_str("`true`"),
            TokenKind::False => f.write_str("`false`"),
            TokenKind::LParen => f.write_str("`(`"),
            TokenKind::RParen => f.write_str("`)`"),
            TokenKind::LBracket => f.write_str("`[`"),
            TokenKind::RBracket => f.write_str("`]`"),
            TokenKind::Comma => f.write_str("`,`"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    position: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let err = |position: usize, message: String| ParseError { position, message };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two = chars.get(i + 1).copied();
        let kind = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => TokenKind::LParen,
            ')' => TokenKind::RParen,
            '[' => TokenKind::LBracket,
            ']' => TokenKind::RBracket,
            ',' => TokenKind::Comma,
            '=' if two == Some('=') => {
                i += 1;
                TokenKind::Op(CompareOp::Eq)
            }
            '=' => TokenKind::Op(CompareOp::Eq),
            '!' if two == Some('=') => {
                i += 1;
                TokenKind::Op(CompareOp::Ne)
            }
            '!' => TokenKind::Not,
            '<' if two == Some('=') => {
                i += 1;
                TokenKind::Op(CompareOp::Le)
            }
            '<' if two == Some('>') => {
                i += 1;
                TokenKind::Op(CompareOp::Ne)
            }
            '<' => TokenKind::Op(CompareOp::Lt),
            '>' if two == Some('=') => {
                i += 1;
                TokenKind::Op(CompareOp::Ge)
            }
            '>' => TokenKind::Op(CompareOp::Gt),
            '&' if two == Some('&') => {
                i += 1;
                TokenKind::And
            }
            '|' if two == Some('|') => {
                i += 1;
                TokenKind::Or
            }
            '"' | '\'' => {
                let quote = c;
                let mut value = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "unterminated string".into())),
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(&escaped) => value.push(escaped),
                                None => return Err(err(start, "unterminated string".into())),
                            }
                            i += 2;
                        }
                        Some(&ch) if ch == quote => break,
                        Some(&ch) => {
                            value.push(ch);
                            i += 1;
                        }
                    }
                }
                TokenKind::Text(value)
            }
            c if c.is_ascii_digit()
                || (c == '-' && two.is_some_and(|d| d.is_ascii_digit() || d == '.'))
                || (c == '.' && two.is_some_and(|d| d.is_ascii_digit())) =>
            {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
                    end += 1;
                }
                let literal: String = chars[i..end].iter().collect();
                let value = parse_f64(&literal)
                    .ok_or_else(|| err(start, format!("`{literal}` is not a number")))?;
                i = end - 1;
                TokenKind::Number(value)
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = i + 1;
                while end < chars.len()
                    && (chars[end].is_alphanumeric() || chars[end] == '_' || chars[end] == '.')
                {
                    end += 1;
                }
                let word: String = chars[i..end].iter().collect();
                i = end - 1;
                match word.to_ascii_lowercase().as_str() {
                    "and" => TokenKind::And,
                    "or" => TokenKind::Or,
                    "not" => TokenKind::Not,
                    "in" => TokenKind::In,
                    "contains" => TokenKind::Op(CompareOp::Contains),
                    "true" => TokenKind::True,
                    "false" => TokenKind::False,
                    _ => TokenKind::Ident(word),
                }
            }
            other => return Err(err(start, format!("unexpected character `{other}`"))),
        };
        tokens.push(Token {
            kind,
            position: start,
        });
        i += 1;
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    /// The character length of the input, where "unexpected end" errors point.
    end: usize,
    /// How many `not`s and parentheses enclose the token being read: each is one more level
    /// of the parser's recursion, so it is bounded before recursing.
    open: usize,
    /// The position of every variable read so far, in the order of the text, which is the
    /// order `Condition::variables` walks the tree in.
    variables: Vec<usize>,
}

/// A parsed condition with its depth: the most operators on a path from it to a value.
type Parsed = Result<(Condition, usize), ParseError>;

/// `join(left, right)` one level above the deeper of the two, or the error at `position` (the
/// operator's) when that passes [`MAX_CONDITION_DEPTH`].
fn joined(
    join: fn(Box<Condition>, Box<Condition>) -> Condition,
    (left, left_depth): (Condition, usize),
    (right, right_depth): (Condition, usize),
    position: usize,
) -> Parsed {
    let depth = left_depth.max(right_depth) + 1;
    if depth > MAX_CONDITION_DEPTH {
        return Err(ParseError::too_deep(position));
    }
    Ok((join(Box::new(left), Box::new(right)), depth))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek().is_some_and(|t| &t.kind == kind)
    }

    fn error_here(&self, expected: &str) -> ParseError {
        match self.peek() {
            Some(token) => ParseError {
                position: token.position,
                message: format!("expected {expected}, found {}", token.kind),
            },
            None => ParseError {
                position: self.end,
                message: format!("expected {expected}, found the end of the condition"),
            },
        }
    }

    /// The position of the current token, which the caller knows is there.
    fn position(&self) -> usize {
        self.peek().map_or(self.end, |t| t.position)
    }

    fn expr(&mut self) -> Parsed {
        let mut left = self.and()?;
        while self.at(&TokenKind::Or) {
            let position = self.position();
            self.pos += 1;
            let right = self.and()?;
            left = joined(Condition::Or, left, right, position)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Parsed {
        let mut left = self.unary()?;
        while self.at(&TokenKind::And) {
            let position = self.position();
            self.pos += 1;
            let right = self.unary()?;
            left = joined(Condition::And, left, right, position)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Parsed {
        if !self.at(&TokenKind::Not) && !self.at(&TokenKind::LParen) {
            return Ok((self.compare()?, 1));
        }
        let position = self.position();
        if self.open >= MAX_CONDITION_NESTING {
            return Err(ParseError::too_nested(position));
        }
        self.open += 1;
        let parsed = if self.at(&TokenKind::Not) {
            self.pos += 1;
            self.unary().and_then(|(inner, depth)| {
                if depth >= MAX_CONDITION_DEPTH {
                    return Err(ParseError::too_deep(position));
                }
                Ok((Condition::Not(Box::new(inner)), depth + 1))
            })
        } else {
            self.pos += 1;
            self.parenthesised(position)
        };
        self.open -= 1;
        parsed
    }

    /// The condition after a `(` (at `open`) up to its `)`.
    fn parenthesised(&mut self, open: usize) -> Parsed {
        let inner = self.expr()?;
        if !self.at(&TokenKind::RParen) {
            let mut error = self.error_here("`)`");
            error
                .message
                .push_str(&format!(" (to close the `(` at character {})", open + 1));
            return Err(error);
        }
        self.pos += 1;
        Ok(inner)
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error_here("a question id or a value"));
        };
        let operand = match token.kind {
            TokenKind::Ident(name) => {
                self.variables.push(token.position);
                Operand::Var(parse_var(&name, token.position)?)
            }
            TokenKind::Number(n) => Operand::Number(n),
            TokenKind::Text(s) => Operand::Text(s),
            TokenKind::True => Operand::Bool(true),
            TokenKind::False => Operand::Bool(false),
            _ => return Err(self.error_here("a question id or a value")),
        };
        self.pos += 1;
        Ok(operand)
    }

    fn compare(&mut self) -> Result<Condition, ParseError> {
        let left_position = self.peek().map(|t| t.position);
        let left = self.operand()?;
        if self.at(&TokenKind::In) {
            self.pos += 1;
            let Operand::Var(var) = left else {
                return Err(ParseError {
                    position: left_position.unwrap_or(0),
                    message: "the left side of `in` must be a question id".into(),
                });
            };
            if !self.at(&TokenKind::LBracket) {
                return Err(self.error_here("`[` to start the list after `in`"));
            }
            self.pos += 1;
            let mut values = Vec::new();
            loop {
                let value = self.operand()?;
                if let Operand::Var(_) = value {
                    return Err(ParseError {
                        position: self.tokens[self.pos - 1].position,
                        message: "a list after `in` holds values, not question ids".into(),
                    });
                }
                values.push(value);
                if self.at(&TokenKind::Comma) {
                    self.pos += 1;
                    continue;
                }
                if self.at(&TokenKind::RBracket) {
                    self.pos += 1;
                    break;
                }
                return Err(self.error_here("`,` or `]`"));
            }
            return Ok(Condition::In { var, values });
        }
        let op = match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Op(op)) => *op,
            _ => return Err(self.error_here("a comparison such as `==`, `<=` or `contains`")),
        };
        self.pos += 1;
        let right = self.operand()?;
        if !matches!(left, Operand::Var(_)) && !matches!(right, Operand::Var(_)) {
            return Err(ParseError {
                position: left_position.unwrap_or(0),
                message: "a comparison needs a question id on at least one side".into(),
            });
        }
        Ok(Condition::Compare { left, op, right })
    }
}

fn parse_var(name: &str, position: usize) -> Result<VarRef, ParseError> {
    let mut parts = name.split('.');
    let question = parts.next().unwrap_or_default();
    let row = parts.next();
    if parts.next().is_some() || question.is_empty() || row.is_some_and(str::is_empty) {
        return Err(ParseError {
            position,
            message: format!("`{name}` is not a question id or `question.row`"),
        });
    }
    Ok(VarRef {
        question: question.to_owned(),
        row: row.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn answers(pairs: &[(&str, Answer)]) -> BTreeMap<String, Answer> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn display_round_trips_through_parse() {
        for text in [
            "nps <= 6",
            "channel == \"store\" and csat >= 4",
            "(a == 1 or b == 2) and not c > 3",
            "not (a == 1 and b == 2)",
            "picks contains \"web\" or q.r1 in [1, 2, \"x\"]",
        ] {
            let parsed = Condition::parse(text).unwrap();
            let printed = parsed.to_string();
            assert_eq!(
                Condition::parse(&printed).unwrap(),
                parsed,
                "{text} -> {printed}"
            );
        }
    }

    /// The `condition_manyi` fuzz target found that strings were printed with Rust's escapes
    /// (`\0`, `\t`, `\u{301}`), which the tokenizer reads as the escaped letter. Reading the
    /// printer for more of the kind found that a number too large for an `f64` was printed as
    /// `inf`, which reads as a question id, and that a chain parenthesised to lean right was
    /// printed without its parentheses.
    #[test]
    fn display_round_trips_any_text_and_number() {
        let huge = "9".repeat(400);
        for text in [
            "a == \"nul\0 tab\t line\n e\u{301} bell\u{7}\"".to_owned(),
            r#"a == "quote \" and backslash \\ and 'single'""#.to_owned(),
            "a in ['x\ty', \"\u{200b}\"]".to_owned(),
            format!("a > {huge} or a < -{huge}"),
            // A chain leans left; parentheses that make it lean right are printed back.
            "a == 1 or (b == 2 or c == 3)".to_owned(),
            "a == 1 and (b == 2 and c == 3)".to_owned(),
            "(a == 1 or b == 2) or c == 3".to_owned(),
        ] {
            let parsed = Condition::parse(&text).unwrap();
            let printed = parsed.to_string();
            assert_eq!(
                Condition::parse(&printed),
                Ok(parsed),
                "{text:?} -> {printed:?}"
            );
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let c = Condition::parse("a == 1 or b == 1 and c == 1").unwrap();
        let only_a = answers(&[("a", Answer::Number(1.0))]);
        assert!(c.eval(&only_a));
        let only_b = answers(&[("b", Answer::Number(1.0))]);
        assert!(!c.eval(&only_b));
    }
}
