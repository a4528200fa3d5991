//! The SurveyJS expression language: its syntax tree, its parser and its printer.
//!
//! The parser follows survey-core's PEG grammar (`src/expressions/grammar.pegjs`) rule by rule,
//! with the same ordered choices and backtracking, so an expression reads here as it reads in
//! SurveyJS, quirks included: a closing parenthesis may be missing, a bare word is a string,
//! `contains` binds tighter than `*`, and `!` applies to a single factor. One addition: `not`
//! followed by a space or `(` negates like `!` (SurveyJS itself has no `not`). Before parsing,
//! the text is patched as survey-core's `ConditionsParser` patches it (`=>`, `=<`, `<>` and
//! `equals` are rewritten); every rewrite keeps the length, so error positions stay right.
//!
//! An expression is at most [`MAX_CONDITION_LENGTH`](crate::limits::MAX_CONDITION_LENGTH)
//! characters long, at most [`MAX_CONDITION_DEPTH`] operators deep (a chain `a + b + c` is a
//! tree one level deeper per operator) and opens at most [`MAX_CONDITION_NESTING`] factors
//! (parentheses, `!`, calls, lists) inside one another. The parser refuses anything beyond, so evaluating, printing, cloning and dropping a parsed expression, which
//! recurse once per level, stay within a small stack; no PEG alternative could read such text
//! otherwise, so the limit ends the parse where it is passed.
//!
//! ```text
//! expr     := or_expr
//! or_expr  := and_expr (("||" | "or") and_expr)*
//! and_expr := cmp (("&&" | "and") cmp)*
//! cmp      := sum (("<=" | ">=" | "==" | "=" | "!=" | "<" | ">" | word forms) sum)*
//! sum      := product (("+" | "-") product)*
//! product  := power (("*" | "/" | "%") power)*
//! power    := binfn (("^" | "power") binfn)*
//! binfn    := factor (("contains" | "notcontains" | "anyof" | "allof" | "noneof") factor?)*
//! factor   := "(" expr ")"? | name "(" args ")"? | ("!" | "negate") factor
//!           | atom ("empty" | "notempty") | atom | "[" args "]"
//! atom     := "null" | "undefined" | "true" | "false" | number | "0x" digits | word
//!           | 'string' | "string" | "{" name "}"
//! ```

use std::fmt;

use crate::condition::error::{ParseError, too_long};
use crate::limits::{MAX_CONDITION_DEPTH, MAX_CONDITION_NESTING};
use crate::number::{parse_f64, write_literal};

/// A parsed SurveyJS expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `null` or `undefined`.
    Null,
    Bool(bool),
    Number(f64),
    /// A quoted string or a bare word.
    Text(String),
    /// `{name}`, a path such as `q.row`, `q[0]` or `q.length`; `raw` for `{#name}`, whose value
    /// is used as stored, without turning numeric strings into numbers.
    Var {
        name: String,
        raw: bool,
    },
    Array(Vec<Expr>),
    /// `!x`: true when `x` is falsy.
    Not(Box<Expr>),
    /// `x empty`, or `x notempty` when `negated`.
    Empty {
        operand: Box<Expr>,
        negated: bool,
    },
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Call {
        name: String,
        args: Vec<Expr>,
    },
}

/// A binary operator, listed from the loosest binding to the tightest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Contains,
    NotContains,
    AnyOf,
    AllOf,
    NoneOf,
}

impl BinOp {
    /// Binding strength; operators of one level associate to the left.
    pub fn precedence(self) -> u8 {
        use BinOp::*;
        match self {
            Or => 1,
            And => 2,
            Eq | Ne | Lt | Le | Gt | Ge => 3,
            Add | Sub => 4,
            Mul | Div | Mod => 5,
            Pow => 6,
            Contains | NotContains | AnyOf | AllOf | NoneOf => 7,
        }
    }

    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "=",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Pow => "^",
            Contains => "contains",
            NotContains => "notcontains",
            AnyOf => "anyof",
            AllOf => "allof",
            NoneOf => "noneof",
        }
    }
}

/// The binding strength of a factor: anything tighter than every binary operator.
const FACTOR: u8 = 8;

impl Expr {
    /// Parses SurveyJS expression text. The error points at the furthest character the parser
    /// reached, as survey-core's parser does, and says what it expected there.
    pub fn parse(text: &str) -> Result<Expr, ParseError> {
        if too_long(text) {
            return Err(ParseError::too_long());
        }
        // survey-core rewrites these everywhere in the text, string literals included.
        let patched = text
            .replace("=>", ">=")
            .replace("=<", "<=")
            .replace("<>", "!=")
            .replace("equals", "equal ");
        let mut p = Parser {
            chars: patched.chars().collect(),
            pos: 0,
            far: 0,
            expected: Vec::new(),
            depth: 0,
            fatal: None,
        };
        let parsed = p.expression();
        if let Some(error) = p.fatal {
            return Err(error);
        }
        match parsed {
            Some(e) if p.pos == p.chars.len() => Ok(e),
            parsed => {
                if parsed.is_some() {
                    p.fail("the end of the expression");
                }
                Err(p.error())
            }
        }
    }

    /// Every variable path read, in order of appearance (`{#q}` gives `q`).
    pub fn variables(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Var { name, .. } = e {
                out.push(name.as_str());
            }
        });
        out
    }

    /// Every function called, in order of appearance.
    pub fn functions(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Call { name, .. } = e {
                out.push(name.as_str());
            }
        });
        out
    }

    fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Array(items) | Expr::Call { args: items, .. } => {
                items.iter().for_each(|e| e.visit(f))
            }
            Expr::Not(e) | Expr::Empty { operand: e, .. } => e.visit(f),
            Expr::Binary { left, right, .. } => {
                left.visit(f);
                right.visit(f);
            }
            _ => {}
        }
    }

    /// The same expression with every variable path rewritten by `rename` (which gets the path
    /// and returns the new one), for the importer's question-id changes.
    pub fn rename_variables(&mut self, rename: &mut dyn FnMut(&str) -> String) {
        match self {
            Expr::Var { name, .. } => *name = rename(name),
            Expr::Array(items) | Expr::Call { args: items, .. } => {
                items.iter_mut().for_each(|e| e.rename_variables(rename))
            }
            Expr::Not(e) | Expr::Empty { operand: e, .. } => e.rename_variables(rename),
            Expr::Binary { left, right, .. } => {
                left.rename_variables(rename);
                right.rename_variables(rename);
            }
            _ => {}
        }
    }

    /// The most operators on a path from this expression to a value: a value is 0, and each
    /// operator, call or list is one more than the deepest of its operands.
    fn depth(&self) -> usize {
        match self {
            Expr::Null | Expr::Bool(_) | Expr::Number(_) | Expr::Text(_) | Expr::Var { .. } => 0,
            Expr::Array(items) | Expr::Call { args: items, .. } => {
                1 + items.iter().map(Expr::depth).max().unwrap_or(0)
            }
            Expr::Not(e) | Expr::Empty { operand: e, .. } => 1 + e.depth(),
            Expr::Binary { left, right, .. } => 1 + left.depth().max(right.depth()),
        }
    }

    /// `left op right`, boxed.
    pub fn binary(op: BinOp, left: Expr, right: Expr) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        match self {
            Expr::Null => f.write_str("null"),
            Expr::Bool(b) => write!(f, "{b}"),
            Expr::Number(n) => write_literal(f, *n),
            Expr::Text(s) => {
                // The grammar has escapes for both quotes and nothing else.
                f.write_str("'")?;
                for c in s.chars() {
                    match c {
                        '\'' => f.write_str("\\'")?,
                        '"' => f.write_str("\\\"")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("'")
            }
            Expr::Var { name, raw } => write!(f, "{{{}{name}}}", if *raw { "#" } else { "" }),
            Expr::Array(items) => {
                f.write_str("[")?;
                write_list(f, items)?;
                f.write_str("]")
            }
            Expr::Call { name, args } => {
                write!(f, "{name}(")?;
                write_list(f, args)?;
                f.write_str(")")
            }
            Expr::Not(e) => {
                f.write_str("!")?;
                e.write(f, FACTOR)
            }
            Expr::Empty { operand, negated } => {
                operand.write(f, FACTOR)?;
                f.write_str(if *negated { " notempty" } else { " empty" })
            }
            Expr::Binary { op, left, right } => {
                let p = op.precedence();
                if p < min {
                    f.write_str("(")?;
                }
                left.write(f, p)?;
                write!(f, " {} ", op.symbol())?;
                right.write(f, p + 1)?;
                if p < min {
                    f.write_str(")")?;
                }
                Ok(())
            }
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        item.write(f, 0)?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    /// Prints SurveyJS syntax with only the parentheses precedence needs, so that
    /// `Expr::parse(&e.to_string()) == Ok(e)` for every parsed expression whose printed text
    /// is within the length limit, but one kind: a name or string whose text, once patched,
    /// holds `=>`, `=<`, `<>` or `equals` (`{a<>>b}` is read as `{a!=>b}`). The grammar has no
    /// way to write those characters that the patch would leave alone, so survey-core itself
    /// reads such printed text differently.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, 0)
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// The furthest position where a terminal failed, and what was expected there: a PEG
    /// parser's best guess at where the error is.
    far: usize,
    expected: Vec<&'static str>,
    /// How many factors are open: each nests the whole grammar once more, so the depth is
    /// capped to keep the recursion from exhausting the stack.
    depth: usize,
    /// The error that ends the parse, whatever alternatives remain: an expression deeper than
    /// [`MAX_CONDITION_DEPTH`] or nested more than [`MAX_CONDITION_NESTING`].
    fatal: Option<ParseError>,
}

type Rule = fn(&mut Parser) -> Option<Expr>;
type OpRule = fn(&mut Parser) -> Option<BinOp>;

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn fail(&mut self, what: &'static str) {
        if self.pos > self.far {
            self.far = self.pos;
            self.expected.clear();
        }
        if self.pos == self.far && !self.expected.contains(&what) {
            self.expected.push(what);
        }
    }

    fn error(&self) -> ParseError {
        let found = match self.chars.get(self.far) {
            Some(c) => format!("unexpected `{c}`"),
            None => "unexpected end of the expression".to_owned(),
        };
        ParseError {
            position: self.far,
            message: format!("{found}; expected {}", self.expected.join(" or ")),
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `text` (ASCII case-insensitively when `ci`), or records the failure.
    fn eat(&mut self, text: &str, ci: bool, what: &'static str) -> bool {
        let end = self.pos + text.chars().count();
        let matched = end <= self.chars.len()
            && self.chars[self.pos..end]
                .iter()
                .zip(text.chars())
                .all(|(a, b)| {
                    if ci {
                        a.eq_ignore_ascii_case(&b)
                    } else {
                        *a == b
                    }
                });
        if matched {
            self.pos = end;
        } else {
            self.fail(what);
        }
        matched
    }

    fn run(&mut self, pairs: &[(&str, bool, BinOp)]) -> Option<BinOp> {
        pairs
            .iter()
            .find(|(text, ci, _)| self.eat(text, *ci, "an operator"))
            .map(|(_, _, op)| *op)
    }

    /// `head (_ op _ next)*`, each repetition all or nothing. With `optional_right`, a missing
    /// right operand is `null` (the grammar's `Factor?` after `contains` and its kin).
    fn chain(&mut self, next: Rule, op: OpRule, optional_right: bool) -> Option<Expr> {
        let mut head = next(self)?;
        // Every operand is a tree already checked against the limit, so its depth is
        // computed once and cheaply.
        let mut head_depth = head.depth();
        loop {
            let save = self.pos;
            self.ws();
            let at = self.pos;
            if let Some(op) = op(self) {
                self.ws();
                let right = match next(self) {
                    _ if self.fatal.is_some() => return None,
                    Some(right) => Some(right),
                    None if optional_right => Some(Expr::Null),
                    None => None,
                };
                if let Some(right) = right {
                    head_depth = head_depth.max(right.depth()) + 1;
                    if head_depth > MAX_CONDITION_DEPTH {
                        self.fatal = Some(ParseError::too_deep(at));
                        return None;
                    }
                    head = Expr::binary(op, head, right);
                    continue;
                }
            }
            self.pos = save;
            return Some(head);
        }
    }

    fn expression(&mut self) -> Option<Expr> {
        self.ws();
        let e = self.chain(Parser::and_expr, Parser::or_op, false)?;
        self.ws();
        Some(e)
    }

    fn or_op(&mut self) -> Option<BinOp> {
        self.run(&[("||", false, BinOp::Or), ("or", true, BinOp::Or)])
    }

    fn and_expr(&mut self) -> Option<Expr> {
        self.chain(Parser::cmp_expr, Parser::and_op, false)
    }

    fn and_op(&mut self) -> Option<BinOp> {
        self.run(&[("&&", false, BinOp::And), ("and", true, BinOp::And)])
    }

    fn cmp_expr(&mut self) -> Option<Expr> {
        self.chain(Parser::sum_expr, Parser::cmp_op, false)
    }

    fn cmp_op(&mut self) -> Option<BinOp> {
        use BinOp::*;
        self.run(&[
            ("<=", false, Le),
            ("lessorequal", true, Le),
            (">=", false, Ge),
            ("greaterorequal", true, Ge),
            ("==", false, Eq),
            ("equal", true, Eq),
            ("=", false, Eq),
            ("!=", false, Ne),
            ("notequal", true, Ne),
            ("<", false, Lt),
            ("less", true, Lt),
            (">", false, Gt),
            ("greater", true, Gt),
        ])
    }

    fn sum_expr(&mut self) -> Option<Expr> {
        self.chain(Parser::product_expr, Parser::sum_op, false)
    }

    fn sum_op(&mut self) -> Option<BinOp> {
        self.run(&[("+", false, BinOp::Add), ("-", false, BinOp::Sub)])
    }

    fn product_expr(&mut self) -> Option<Expr> {
        self.chain(Parser::power_expr, Parser::product_op, false)
    }

    fn product_op(&mut self) -> Option<BinOp> {
        use BinOp::*;
        self.run(&[("*", false, Mul), ("/", false, Div), ("%", false, Mod)])
    }

    fn power_expr(&mut self) -> Option<Expr> {
        self.chain(Parser::binfn_expr, Parser::power_op, false)
    }

    fn power_op(&mut self) -> Option<BinOp> {
        self.run(&[("^", false, BinOp::Pow), ("power", true, BinOp::Pow)])
    }

    fn binfn_expr(&mut self) -> Option<Expr> {
        self.chain(Parser::factor, Parser::binfn_op, true)
    }

    fn binfn_op(&mut self) -> Option<BinOp> {
        use BinOp::*;
        self.run(&[
            ("*=", false, Contains),
            ("contains", true, Contains),
            ("contain", true, Contains),
            ("notcontains", true, NotContains),
            ("notcontain", true, NotContains),
            ("anyof", true, AnyOf),
            ("allof", true, AllOf),
            ("noneof", true, NoneOf),
        ])
    }

    fn factor(&mut self) -> Option<Expr> {
        if self.fatal.is_some() {
            return None;
        }
        if self.depth >= MAX_CONDITION_NESTING {
            self.fatal = Some(ParseError::too_nested(self.pos));
            return None;
        }
        let start = self.pos;
        self.depth += 1;
        let e = self.factor_inner();
        self.depth -= 1;
        let e = e.filter(|_| self.fatal.is_none())?;
        if e.depth() > MAX_CONDITION_DEPTH {
            self.fatal = Some(ParseError::too_deep(start));
            return None;
        }
        Some(e)
    }

    fn factor_inner(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.eat("(", false, "a value") {
            if let Some(e) = self.expression() {
                self.eat(")", false, "`)`");
                return Some(e);
            }
            self.pos = start;
        }
        if let Some(e) = self.not_word() {
            return Some(e);
        }
        if let Some(e) = self.call() {
            return Some(e);
        }
        if let Some(e) = self.unary() {
            return Some(e);
        }
        if let Some(e) = self.atom() {
            return Some(e);
        }
        if self.eat("[", false, "a value") {
            let items = self.sequence();
            if self.eat("]", false, "`]`") {
                return Some(Expr::Array(items));
            }
        }
        self.pos = start;
        None
    }

    /// manyi's addition: `not x` means `!x`.
    fn not_word(&mut self) -> Option<Expr> {
        let start = self.pos;
        let end = start + 3;
        let is_not = end <= self.chars.len()
            && self.chars[start..end]
                .iter()
                .collect::<String>()
                .eq_ignore_ascii_case("not")
            && matches!(self.chars.get(end), Some(' ' | '\t' | '\n' | '\r' | '('));
        if is_not {
            self.pos = end;
            self.ws();
            if let Some(e) = self.factor() {
                return Some(Expr::Not(Box::new(e)));
            }
            self.pos = start;
        }
        None
    }

    fn call(&mut self) -> Option<Expr> {
        let start = self.pos;
        let name = self.word()?;
        if !self.eat("(", false, "`(`") {
            self.pos = start;
            return None;
        }
        let args = self.sequence();
        self.eat(")", false, "`)`");
        Some(Expr::Call { name, args })
    }

    /// `Expression? (_ "," _ Expression)*`. As in survey-core, items after a missing first
    /// item are parsed and thrown away.
    fn sequence(&mut self) -> Vec<Expr> {
        let first = self.expression();
        let mut items: Vec<Expr> = first.iter().cloned().collect();
        loop {
            let save = self.pos;
            self.ws();
            if self.eat(",", false, "`,`") {
                self.ws();
                if let Some(e) = self.expression() {
                    items.push(e);
                    continue;
                }
            }
            self.pos = save;
            break;
        }
        if first.is_none() {
            items.clear();
        }
        items
    }

    fn unary(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.eat("!", false, "a value") || self.eat("negate", true, "a value") {
            self.ws();
            if let Some(e) = self.factor() {
                return Some(Expr::Not(Box::new(e)));
            }
            self.pos = start;
        }
        if let Some(atom) = self.atom() {
            self.ws();
            for (word, negated) in [("empty", false), ("notempty", true)] {
                if self.eat(word, true, "an operator") {
                    return Some(Expr::Empty {
                        operand: Box::new(atom),
                        negated,
                    });
                }
            }
        }
        self.pos = start;
        None
    }

    fn atom(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.ws();
        if self.eat("undefined", false, "a value") || self.eat("null", false, "a value") {
            return Some(Expr::Null);
        }
        if let Some(e) = self.constant() {
            return Some(e);
        }
        if self.eat("{", false, "a value") {
            let from = self.pos;
            while matches!(self.peek(), Some(c) if c != '{' && c != '}') {
                self.pos += 1;
            }
            let name: String = self.chars[from..self.pos].iter().collect();
            if !name.is_empty() && self.eat("}", false, "`}`") {
                return Some(match name.strip_prefix('#') {
                    Some(rest) if !rest.is_empty() => Expr::Var {
                        name: rest.to_owned(),
                        raw: true,
                    },
                    _ => Expr::Var { name, raw: false },
                });
            }
        }
        self.pos = start;
        None
    }

    fn constant(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.eat("true", true, "a value") {
            return Some(Expr::Bool(true));
        }
        if self.eat("false", true, "a value") {
            return Some(Expr::Bool(false));
        }
        if self.eat("0x", false, "a value") {
            let digits = self.digits();
            if !digits.is_empty() {
                // `parseInt("0x…", 16)`: the decimal digit characters read in base 16.
                let value = digits
                    .chars()
                    .fold(0.0, |acc, d| acc * 16.0 + f64::from(d as u8 - b'0'));
                return Some(Expr::Number(value));
            }
            self.pos = start;
        }
        let negative = self.eat("-", false, "a value");
        if let Some(n) = self.number() {
            return Some(Expr::Number(if negative { -n } else { n }));
        }
        self.pos = start;
        if let Some(word) = self.word() {
            return Some(Expr::Text(word));
        }
        if self.eat("''", false, "a value") || self.eat("\"\"", false, "a value") {
            return Some(Expr::Text(String::new()));
        }
        for quote in ['\'', '"'] {
            if self.peek() == Some(quote) {
                self.pos += 1;
                let mut text = String::new();
                while let Some(c) = self.peek() {
                    match (c, self.chars.get(self.pos + 1)) {
                        ('\\', Some(&q @ ('\'' | '"'))) => {
                            text.push(q);
                            self.pos += 2;
                        }
                        ('\'' | '"', _) => break,
                        (c, _) => {
                            text.push(c);
                            self.pos += 1;
                        }
                    }
                }
                if !text.is_empty() && self.peek() == Some(quote) {
                    self.pos += 1;
                    return Some(Expr::Text(text));
                }
                self.fail("a closing quote");
                self.pos = start;
            }
        }
        self.fail("a value");
        None
    }

    fn digits(&mut self) -> String {
        let from = self.pos;
        while matches!(self.peek(), Some('0'..='9')) {
            self.pos += 1;
        }
        self.chars[from..self.pos].iter().collect()
    }

    /// `Digits "." Digits / NonZeroDigits Digits? / "0"`.
    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        let int = self.digits();
        if !int.is_empty() && self.peek() == Some('.') {
            self.pos += 1;
            let frac = self.digits();
            if !frac.is_empty() {
                return parse_f64(&format!("{int}.{frac}"));
            }
        }
        self.pos = start;
        if matches!(self.peek(), Some('1'..='9')) {
            return parse_f64(&self.digits());
        }
        if self.peek() == Some('0') {
            self.pos += 1;
            return Some(0.0);
        }
        self.fail("a value");
        None
    }

    /// `Letters (Digits Letters*)*`: a letter or `_`, then letters, digits and `_`.
    fn word(&mut self) -> Option<String> {
        let from = self.pos;
        if !matches!(self.peek(), Some(c) if c.is_ascii_alphabetic() || c == '_') {
            self.fail("a value");
            return None;
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        Some(self.chars[from..self.pos].iter().collect())
    }
}
