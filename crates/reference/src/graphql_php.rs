//! What webonyx/graphql-php 15 (Magento's GraphQL engine) says where its wording reaches the
//! client: syntax errors, the validation rules, and variable coercion (GRAPHQL.md §1.7 B, §2.5,
//! §2.6, §3.3). async-graphql parses the document and executes it; this module only words the
//! refusals the way graphql-php does, with the same locations and in the same order.
//!
//! Positions of nested literal values are not kept by the parser, so a lexer ([`tokens`])
//! gives every token's line and column; the validator walks a literal's tokens alongside the
//! parsed value.

use super::json::{self, OrderedJson};
use async_graphql::Name;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::parser::{Pos, Positioned};
use async_graphql_value::{ConstValue, Value};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// One error as graphql-php formats a validation, coercion or syntax error: a message and its
/// locations, no `path`, no `extensions` (§1.7 B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PhpError {
    pub(crate) message: String,
    pub(crate) locations: Vec<Pos>,
}

impl PhpError {
    fn new(message: impl Into<String>, locations: Vec<Pos>) -> Self {
        PhpError {
            message: message.into(),
            locations,
        }
    }
}

/// Why a document is not executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A `SyntaxError`, raised by the controller before execution (400 in 2.4.8).
    Syntax(PhpError),
    /// Validation errors, in graphql-php's order (200, no `data`).
    Invalid(Vec<PhpError>),
    /// An unknown type name: the lazy type loader's `LogicException` escapes (500, §1.6).
    UnknownType,
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

/// graphql-php's token kinds, named as its `Token::getDescription` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Eof,
    Punctuator(&'static str),
    Name,
    Int,
    Float,
    String,
    BlockString,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    /// The name's or number's text, or the string's decoded value.
    pub(crate) value: Option<String>,
    pub(crate) pos: Pos,
}

impl Token {
    /// `Token::getDescription`: the kind, then the value in quotes.
    fn description(&self) -> String {
        let kind = match self.kind {
            Kind::Eof => "<EOF>",
            Kind::Punctuator(text) => text,
            Kind::Name => "Name",
            Kind::Int => "Int",
            Kind::Float => "Float",
            Kind::String => "String",
            Kind::BlockString => "BlockString",
        };
        match &self.value {
            Some(value) => format!("{kind} \"{value}\""),
            None => kind.to_owned(),
        }
    }
}

/// The lexer's own refusal: its message (after "Syntax Error: ") and where.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LexError {
    message: String,
    pos: Pos,
    /// Where the token being read starts: the parser asks for it there.
    token_start: Pos,
}

impl LexError {
    fn at(message: impl Into<String>, pos: Pos) -> Self {
        LexError {
            message: message.into(),
            pos,
            token_start: pos,
        }
    }

    fn starting_at(self, token_start: Pos) -> Self {
        LexError { token_start, ..self }
    }
}

/// A character cursor counting lines and columns as graphql-php does (one column per
/// character; `\r\n`, `\r` and `\n` end a line).
struct Chars<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    column: usize,
}

impl Chars<'_> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.chars.next()?;
        match ch {
            '\n' => {
                self.line += 1;
                self.column = 1;
            }
            '\r' => {
                if self.chars.peek() == Some(&'\n') {
                    self.chars.next();
                }
                self.line += 1;
                self.column = 1;
            }
            _ => self.column += 1,
        }
        Some(ch)
    }
}

/// Every token of `source`, ending with `<EOF>`, or the first lexing error.
fn tokens(source: &str) -> Result<Vec<Token>, LexError> {
    let mut chars = Chars {
        chars: source.chars().peekable(),
        line: 1,
        column: 1,
    };
    let mut out = Vec::new();
    loop {
        // Ignored: whitespace, line terminators, commas, the BOM and comments.
        while let Some(ch) = chars.peek() {
            match ch {
                ' ' | '\t' | ',' | '\u{feff}' | '\n' | '\r' => {
                    chars.bump();
                }
                '#' => {
                    while chars.peek().is_some_and(|ch| ch != '\n' && ch != '\r') {
                        chars.bump();
                    }
                }
                _ => break,
            }
        }
        let pos = chars.pos();
        let Some(ch) = chars.peek() else {
            out.push(Token {
                kind: Kind::Eof,
                value: None,
                pos,
            });
            return Ok(out);
        };
        let token = |kind, value| Token { kind, value, pos };
        match ch {
            '!' | '$' | '&' | '(' | ')' | ':' | '=' | '@' | '[' | ']' | '{' | '|' | '}' => {
                chars.bump();
                const PUNCTUATORS: [&str; 13] = ["!", "$", "&", "(", ")", ":", "=", "@", "[", "]", "{", "|", "}"];
                let text = PUNCTUATORS.into_iter().find(|text| text.starts_with(ch)).unwrap_or("!");
                out.push(token(Kind::Punctuator(text), None));
            }
            '.' => {
                let dots = (0..3)
                    .take_while(|_| chars.peek() == Some('.') && chars.bump().is_some())
                    .count();
                if dots != 3 {
                    return Err(LexError::at("Cannot parse the unexpected character \".\".", pos));
                }
                out.push(token(Kind::Punctuator("..."), None));
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                let mut name = String::new();
                while let Some(ch) = chars.peek().filter(|ch| ch.is_ascii_alphanumeric() || *ch == '_') {
                    name.push(ch);
                    chars.bump();
                }
                out.push(token(Kind::Name, Some(name)));
            }
            '-' | '0'..='9' => {
                let (kind, text) = read_number(&mut chars).map_err(|error| error.starting_at(pos))?;
                out.push(token(kind, Some(text)));
            }
            '"' => {
                let (kind, text) = read_string(&mut chars).map_err(|error| error.starting_at(pos))?;
                out.push(token(kind, Some(text)));
            }
            other => {
                return Err(LexError::at(
                    format!("Cannot parse the unexpected character {}.", quoted_char(other)),
                    pos,
                ));
            }
        }
    }
}

/// `Utils::printCharCode`: a printable character in quotes, else its code point.
fn quoted_char(ch: char) -> String {
    if ch < ' ' && ch != '\t' && ch != '\n' && ch != '\r' {
        format!("\"\\u{:04X}\"", u32::from(ch))
    } else if ch == '\'' {
        "\"'\"".to_owned()
    } else {
        format!("\"{ch}\"")
    }
}

fn read_number(chars: &mut Chars<'_>) -> Result<(Kind, String), LexError> {
    let mut text = String::new();
    let mut is_float = false;
    let take = |chars: &mut Chars<'_>, text: &mut String| {
        if let Some(ch) = chars.bump() {
            text.push(ch);
        }
    };
    let digits = |chars: &mut Chars<'_>, text: &mut String| -> Result<(), LexError> {
        match chars.peek() {
            Some(ch) if ch.is_ascii_digit() => {
                while let Some(ch) = chars.peek().filter(char::is_ascii_digit) {
                    text.push(ch);
                    chars.bump();
                }
                Ok(())
            }
            other => Err(LexError::at(
                format!(
                    "Invalid number, expected digit but got: {}.",
                    other.map_or("<EOF>".to_owned(), quoted_char)
                ),
                chars.pos(),
            )),
        }
    };
    if chars.peek() == Some('-') {
        take(chars, &mut text);
    }
    if chars.peek() == Some('0') {
        take(chars, &mut text);
        if let Some(ch) = chars.peek().filter(char::is_ascii_digit) {
            return Err(LexError::at(
                format!("Invalid number, unexpected digit after 0: {}.", quoted_char(ch)),
                chars.pos(),
            ));
        }
    } else {
        digits(chars, &mut text)?;
    }
    if chars.peek() == Some('.') {
        is_float = true;
        take(chars, &mut text);
        digits(chars, &mut text)?;
    }
    if matches!(chars.peek(), Some('e' | 'E')) {
        is_float = true;
        take(chars, &mut text);
        if matches!(chars.peek(), Some('+' | '-')) {
            take(chars, &mut text);
        }
        digits(chars, &mut text)?;
    }
    Ok((if is_float { Kind::Float } else { Kind::Int }, text))
}

fn read_string(chars: &mut Chars<'_>) -> Result<(Kind, String), LexError> {
    chars.bump();
    let mut value = String::new();
    if chars.peek() == Some('"') {
        chars.bump();
        if chars.peek() != Some('"') {
            return Ok((Kind::String, value));
        }
        chars.bump();
        // A block string: raw until the closing `"""`.
        let mut quotes = 0;
        loop {
            match chars.bump() {
                None => {
                    return Err(LexError::at("Unterminated string.", chars.pos()));
                }
                Some('"') => {
                    quotes += 1;
                    if quotes == 3 {
                        return Ok((Kind::BlockString, value));
                    }
                }
                Some(ch) => {
                    value.extend(std::iter::repeat_n('"', quotes));
                    quotes = 0;
                    value.push(ch);
                }
            }
        }
    }
    loop {
        let pos = chars.pos();
        match chars.peek() {
            None | Some('\n' | '\r') => {
                return Err(LexError::at("Unterminated string.", pos));
            }
            Some('"') => {
                chars.bump();
                return Ok((Kind::String, value));
            }
            Some('\\') => {
                chars.bump();
                let escaped = chars.bump();
                let decoded = match escaped {
                    Some('"') => Some('"'),
                    Some('\\') => Some('\\'),
                    Some('/') => Some('/'),
                    Some('b') => Some('\u{8}'),
                    Some('f') => Some('\u{c}'),
                    Some('n') => Some('\n'),
                    Some('r') => Some('\r'),
                    Some('t') => Some('\t'),
                    Some('u') => {
                        let hex: String = (0..4).filter_map(|_| chars.bump()).collect();
                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                    }
                    _ => None,
                };
                match decoded {
                    Some(ch) => value.push(ch),
                    None => {
                        return Err(LexError::at("Invalid character escape sequence.", pos));
                    }
                }
            }
            Some(ch) => {
                chars.bump();
                value.push(ch);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Syntax errors
// ---------------------------------------------------------------------------------------------

/// Parses `query` with async-graphql; a refusal is worded as graphql-php's parser words it.
pub(crate) fn parse(query: &str) -> Result<ExecutableDocument, Refusal> {
    let lexed = tokens(query);
    match async_graphql::parser::parse_query(query) {
        Ok(document) => Ok(document),
        Err(error) => Err(describe_parse_error(query, &lexed, &error)),
    }
}

fn describe_parse_error(
    query: &str,
    lexed: &Result<Vec<Token>, LexError>,
    error: &async_graphql::parser::Error,
) -> Refusal {
    use async_graphql::parser::Error as ParseError;
    match error {
        ParseError::Syntax { message, start, .. } => Refusal::Syntax(syntax_error(lexed, message, *start)),
        ParseError::MultipleOperations { anonymous, .. } => Refusal::Invalid(vec![PhpError::new(
            "This anonymous operation must be the only defined operation.",
            vec![*anonymous],
        )]),
        ParseError::OperationDuplicated {
            operation,
            first,
            second,
        } => Refusal::Invalid(vec![PhpError::new(
            format!("There can be only one operation named \"{operation}\"."),
            vec![*first, *second],
        )]),
        ParseError::FragmentDuplicated {
            fragment,
            first,
            second,
        } => Refusal::Invalid(vec![PhpError::new(
            format!("There can be only one fragment named \"{fragment}\"."),
            vec![*first, *second],
        )]),
        // A document of fragments only, or nested beyond the parser's limit.
        _ => Refusal::Syntax(syntax_error(lexed, "", end_of(query))),
    }
}

fn end_of(query: &str) -> Pos {
    tokens(query)
        .ok()
        .and_then(|tokens| tokens.last().map(|token| token.pos))
        .unwrap_or(Pos { line: 1, column: 1 })
}

/// graphql-php fails at the first bad token: a lexing error if the lexer stops at or before
/// where the parser did, else `Expected Name, found …` where a name must come (a selection, an
/// argument, a type), `Expected …` for the one punctuator that must follow, or
/// `Unexpected …`.
fn syntax_error(lexed: &Result<Vec<Token>, LexError>, pest_message: &str, at: Pos) -> PhpError {
    let before = |a: Pos, b: Pos| (a.line, a.column) <= (b.line, b.column);
    let tokens = match lexed {
        Err(lex) if before(lex.token_start, at) || pest_message.is_empty() => {
            return PhpError::new(format!("Syntax Error: {}", lex.message), vec![lex.pos]);
        }
        Err(_) => &[][..],
        Ok(tokens) => tokens.as_slice(),
    };
    let index = tokens
        .iter()
        .position(|token| before(at, token.pos))
        .unwrap_or(tokens.len());
    let eof = Token {
        kind: Kind::Eof,
        value: None,
        pos: at,
    };
    let token = |offset: usize| tokens.get(index + offset).unwrap_or(&eof);
    let expected = pest_message
        .lines()
        .filter_map(|line| line.trim().strip_prefix("= expected "))
        .next()
        .unwrap_or_default();
    let wanted: Vec<&str> = expected
        .split([',', ' '])
        .filter(|word| !word.is_empty() && *word != "or")
        .collect();
    let wants = |rule: &str| wanted.contains(&rule);
    let is = |offset: usize, kind: Kind| token(offset).kind == kind;
    // pest reports the start of a rule that graphql-php enters and fails inside: a variable
    // definition (`$name :`), an argument or object field (`name :`).
    let (found, expectation) = if wants("variable_definition") && is(0, Kind::Punctuator("$")) {
        if is(1, Kind::Name) {
            (token(2), Some(":"))
        } else {
            (token(1), Some("Name"))
        }
    } else if (wants("object_field") || wants("argument")) && is(0, Kind::Name) {
        (token(1), Some(":"))
    } else if wants("variable_definition") || wants("variable") {
        (token(0), Some("$"))
    } else if wants("selection_set") && !wants("selection") && !wants("field") {
        (token(0), Some("{"))
    } else if [
        "name",
        "selection",
        "field",
        "argument",
        "object_field",
        "type_",
        "named_type",
        "alias",
    ]
    .iter()
    .any(|rule| wants(rule))
    {
        (token(0), Some("Name"))
    } else {
        (token(0), None)
    };
    let message = match expectation {
        Some(kind) => format!("Syntax Error: Expected {kind}, found {}", found.description()),
        None => format!("Syntax Error: Unexpected {}", found.description()),
    };
    PhpError::new(message, vec![found.pos])
}

// ---------------------------------------------------------------------------------------------
// The schema, as graphql-php sees it
// ---------------------------------------------------------------------------------------------

/// A type reference: `String`, `[CustomerAddress]`, `String!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn from_ast(ty: &Type) -> Self {
        let base = match &ty.base {
            BaseType::Named(name) => TypeRef::Named(name.to_string()),
            BaseType::List(inner) => TypeRef::List(Box::new(TypeRef::from_ast(inner))),
        };
        if ty.nullable {
            base
        } else {
            TypeRef::NonNull(Box::new(base))
        }
    }

    fn named(&self) -> &str {
        match self {
            TypeRef::Named(name) => name,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.named(),
        }
    }

    fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    fn nullable(&self) -> &TypeRef {
        match self {
            TypeRef::NonNull(inner) => inner,
            other => other,
        }
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Named(name) => formatter.write_str(name),
            TypeRef::List(inner) => write!(formatter, "[{inner}]"),
            TypeRef::NonNull(inner) => write!(formatter, "{inner}!"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct InputValue {
    name: String,
    ty: TypeRef,
    has_default: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct FieldDef {
    name: String,
    args: Vec<InputValue>,
    ty: TypeRef,
}

#[derive(Debug, Clone)]
enum TypeDef {
    Scalar,
    Enum(Vec<String>),
    Object(Vec<FieldDef>),
    Input(Vec<InputValue>),
}

/// The schema's types, read from its SDL (graphql-php's view of the same declarations).
#[derive(Debug, Clone)]
pub(crate) struct SchemaIndex {
    types: HashMap<String, TypeDef>,
}

impl SchemaIndex {
    /// Reads the types of an SDL document; built-in scalars are always known.
    pub(crate) fn from_sdl(sdl: &str) -> Self {
        let mut types: HashMap<String, TypeDef> = ["String", "Int", "Float", "Boolean", "ID"]
            .into_iter()
            .map(|name| (name.to_owned(), TypeDef::Scalar))
            .collect();
        let input_value = |value: &async_graphql::parser::types::InputValueDefinition| InputValue {
            name: value.name.node.to_string(),
            ty: TypeRef::from_ast(&value.ty.node),
            has_default: value.default_value.is_some(),
        };
        let document = async_graphql::parser::parse_schema(sdl).expect("async-graphql exports valid SDL");
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let definition = definition.node;
            let kind = match definition.kind {
                TypeKind::Scalar => TypeDef::Scalar,
                TypeKind::Enum(values) => {
                    TypeDef::Enum(values.values.iter().map(|v| v.node.value.node.to_string()).collect())
                }
                TypeKind::Object(object) => TypeDef::Object(
                    object
                        .fields
                        .iter()
                        .map(|field| FieldDef {
                            name: field.node.name.node.to_string(),
                            args: field.node.arguments.iter().map(|arg| input_value(&arg.node)).collect(),
                            ty: TypeRef::from_ast(&field.node.ty.node),
                        })
                        .collect(),
                ),
                TypeKind::InputObject(input) => {
                    TypeDef::Input(input.fields.iter().map(|field| input_value(&field.node)).collect())
                }
                TypeKind::Interface(_) | TypeKind::Union(_) => continue,
            };
            types.insert(definition.name.node.to_string(), kind);
        }
        SchemaIndex { types }
    }

    fn object_field(&self, type_name: &str, field: &str) -> Option<&FieldDef> {
        match self.types.get(type_name)? {
            TypeDef::Object(fields) => fields.iter().find(|f| f.name == field),
            _ => None,
        }
    }

    /// How much of an error's `path` survives graphql-php's null propagation: the value at
    /// `path[..k]` becomes null, `k` being the deepest nullable position at or above the
    /// failed field; 0 means `data` itself is null. A response key that is not a field name
    /// (an alias) is taken as nullable.
    pub(crate) fn nullable_prefix(&self, root: &str, path: &[OrderedJson]) -> usize {
        let mut parent = TypeRef::Named(root.to_owned());
        let mut nullable_at = 0;
        for (depth, segment) in path.iter().enumerate() {
            let current = match segment {
                OrderedJson::String(key) => match self.object_field(parent.named(), key) {
                    Some(field) => field.ty.clone(),
                    None => return depth + 1,
                },
                _ => match parent.nullable() {
                    TypeRef::List(item) => (**item).clone(),
                    _ => return depth + 1,
                },
            };
            if !current.is_non_null() {
                nullable_at = depth + 1;
            }
            parent = current;
        }
        nullable_at
    }

    fn is_leaf(&self, type_name: &str) -> bool {
        matches!(self.types.get(type_name), Some(TypeDef::Scalar | TypeDef::Enum(_)))
    }

    fn is_input(&self, type_name: &str) -> bool {
        matches!(
            self.types.get(type_name),
            Some(TypeDef::Scalar | TypeDef::Enum(_) | TypeDef::Input(_))
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Suggestions and printing
// ---------------------------------------------------------------------------------------------

/// `Utils::suggestionList`: options within `0.4·len + 1` edits (case-insensitive,
/// transpositions count once), nearest first, then in natural order.
pub(crate) fn suggestion_list<'a>(input: &str, options: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let threshold = input.chars().count() * 2 / 5 + 1;
    let lower: Vec<char> = input.to_lowercase().chars().collect();
    let mut found: Vec<(usize, &str)> = options
        .into_iter()
        .filter_map(|option| {
            let distance = if option == input {
                0
            } else if option.to_lowercase() == input.to_lowercase() {
                1
            } else {
                let candidate: Vec<char> = option.to_lowercase().chars().collect();
                damerau_levenshtein(&lower, &candidate)
            };
            (distance <= threshold).then_some((distance, option))
        })
        .collect();
    found.sort_by(|(a_distance, a), (b_distance, b)| a_distance.cmp(b_distance).then_with(|| a.cmp(b)));
    found.into_iter().map(|(_, option)| option).collect()
}

/// Optimal string alignment distance.
fn damerau_levenshtein(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// `Utils::quotedOrList`: at most five, `"a"`, `"a" or "b"`, `"a", "b", or "c"`.
pub(crate) fn quoted_or_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().take(5).map(|item| format!("\"{item}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, second] => format!("{first} or {second}"),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

/// ` Did you mean "a" or "b"?`, or nothing.
fn did_you_mean(suggestions: &[&str]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" Did you mean {}?", quoted_or_list(suggestions))
    }
}

/// `Printer::doPrint` of a literal value.
fn print_value(value: &Value) -> String {
    match value {
        Value::Variable(name) => format!("${name}"),
        Value::Null => "null".to_owned(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => serde_json::to_string(text).unwrap_or_default(),
        Value::Boolean(flag) => flag.to_string(),
        Value::Binary(_) => String::new(),
        Value::Enum(name) => name.to_string(),
        Value::List(items) => format!("[{}]", items.iter().map(print_value).collect::<Vec<_>>().join(", ")),
        Value::Object(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(name, value)| format!("{name}: {}", print_value(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `Utils::printSafeJson`: PHP's `json_encode` of the decoded request value, where a JSON object
/// became a PHP array (so `{}` prints as `[]`).
fn print_safe_json(value: &OrderedJson) -> String {
    fn php_array(value: &OrderedJson) -> OrderedJson {
        match value {
            OrderedJson::Object(entries) if entries.is_empty() => OrderedJson::Array(Vec::new()),
            OrderedJson::Object(entries) => OrderedJson::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.clone(), php_array(value)))
                    .collect(),
            ),
            OrderedJson::Array(items) => OrderedJson::Array(items.iter().map(php_array).collect()),
            other => other.clone(),
        }
    }
    String::from_utf8(json::encode(&php_array(value))).unwrap_or_default()
}

/// `Utils::printSafe` of a scalar variable value.
fn print_safe(value: &OrderedJson) -> String {
    match value {
        OrderedJson::String(text) => format!("\"{text}\""),
        OrderedJson::Null => "null".to_owned(),
        OrderedJson::Bool(flag) => flag.to_string(),
        OrderedJson::Number(number) => number.to_string(),
        OrderedJson::Array(_) | OrderedJson::Object(_) => "array".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// The names Magento's schema keeps for output types: every NAME token of the document and
/// every key of the variables (§1.6). Unknown output fields get suggestions only from these.
pub(crate) fn names_in_request(query: &str, variables: Option<&OrderedJson>) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = tokens(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|token| token.kind == Kind::Name)
        .filter_map(|token| token.value)
        .collect();
    fn keys(value: &OrderedJson, names: &mut BTreeSet<String>) {
        match value {
            OrderedJson::Object(entries) => {
                for (key, value) in entries {
                    names.insert(key.clone());
                    keys(value, names);
                }
            }
            OrderedJson::Array(items) => items.iter().for_each(|item| keys(item, names)),
            _ => {}
        }
    }
    if let Some(variables) = variables {
        keys(variables, &mut names);
    }
    names
}

/// Every field node of the document, in operations and fragments (`validateFieldCount`).
pub(crate) fn field_count(document: &ExecutableDocument) -> usize {
    fn count(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|selection| match &selection.node {
                Selection::Field(field) => 1 + count(&field.node.selection_set.node),
                Selection::InlineFragment(fragment) => count(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    document
        .operations
        .iter()
        .map(|(_, operation)| count(&operation.node.selection_set.node))
        .chain(
            document
                .fragments
                .values()
                .map(|fragment| count(&fragment.node.selection_set.node)),
        )
        .sum()
}

/// A variable used somewhere, with the type its position expects.
struct Usage {
    name: String,
    pos: Pos,
    expected: TypeRef,
    location_has_default: bool,
}

struct Validator<'a> {
    schema: &'a SchemaIndex,
    document: &'a ExecutableDocument,
    names: &'a BTreeSet<String>,
    tokens: Vec<Token>,
    errors: Vec<PhpError>,
    usages: Vec<Usage>,
    unknown_type: bool,
}

/// graphql-php's `DocumentValidator` with the default rules that can fire on this schema, in its
/// traversal order (the rules run in parallel as each node is entered and left), then the
/// executor's "one operation" rule.
pub(crate) fn validate(
    query: &str,
    document: &ExecutableDocument,
    schema: &SchemaIndex,
    names: &BTreeSet<String>,
) -> Result<(), Refusal> {
    let mut validator = Validator {
        schema,
        document,
        names,
        tokens: tokens(query).unwrap_or_default(),
        errors: Vec::new(),
        usages: Vec::new(),
        unknown_type: false,
    };
    enum Definition<'d> {
        Operation(Option<&'d Name>, &'d Positioned<OperationDefinition>),
        Fragment(&'d Positioned<async_graphql::parser::types::FragmentDefinition>),
    }
    let mut definitions: Vec<(Pos, Definition<'_>)> = match &document.operations {
        DocumentOperations::Single(operation) => vec![(operation.pos, Definition::Operation(None, operation))],
        DocumentOperations::Multiple(operations) => operations
            .iter()
            .map(|(name, operation)| (operation.pos, Definition::Operation(Some(name), operation)))
            .collect(),
    };
    definitions.extend(
        document
            .fragments
            .values()
            .map(|fragment| (fragment.pos, Definition::Fragment(fragment))),
    );
    definitions.sort_by_key(|(pos, _)| (pos.line, pos.column));
    for (_, definition) in &definitions {
        match definition {
            Definition::Operation(name, operation) => validator.operation(*name, operation),
            Definition::Fragment(fragment) => {
                let on = fragment.node.type_condition.node.on.node.to_string();
                if !validator.schema.types.contains_key(&on) {
                    validator.unknown_type = true;
                }
                validator.selection_set(&fragment.node.selection_set.node, Some(&on));
            }
        }
    }
    if validator.unknown_type {
        return Err(Refusal::UnknownType);
    }
    if !validator.errors.is_empty() {
        return Err(Refusal::Invalid(validator.errors));
    }
    if definitions
        .iter()
        .filter(|(_, definition)| matches!(definition, Definition::Operation(..)))
        .count()
        > 1
    {
        return Err(Refusal::Invalid(vec![PhpError::new(
            "Must provide operation name if query contains multiple operations.",
            Vec::new(),
        )]));
    }
    Ok(())
}

impl Validator<'_> {
    fn error(&mut self, message: impl Into<String>, locations: Vec<Pos>) {
        self.errors.push(PhpError::new(message, locations));
    }

    fn operation(&mut self, name: Option<&Name>, operation: &Positioned<OperationDefinition>) {
        let root = match operation.node.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        let definitions = &operation.node.variable_definitions;
        for definition in definitions {
            let ty = TypeRef::from_ast(&definition.node.var_type.node);
            if !self.schema.types.contains_key(ty.named()) {
                self.unknown_type = true;
            } else if !self.schema.is_input(ty.named()) {
                self.error(
                    format!(
                        "Variable \"${}\" cannot be non-input type \"{ty}\".",
                        definition.node.name.node
                    ),
                    vec![definition.node.var_type.pos],
                );
            }
        }
        self.usages.clear();
        let root_known = self.schema.types.contains_key(root);
        self.selection_set(&operation.node.selection_set.node, root_known.then_some(root));
        // Leaving the operation: NoUndefinedVariables, NoUnusedVariables, then
        // VariablesInAllowedPosition.
        let defined = |usage: &Usage| {
            definitions
                .iter()
                .find(|definition| definition.node.name.node.as_str() == usage.name)
        };
        let suffix = |verb: &str| match name {
            Some(name) => format!(" {verb} \"{name}\"."),
            None => ".".to_owned(),
        };
        let usages = std::mem::take(&mut self.usages);
        for usage in usages.iter().filter(|usage| defined(usage).is_none()) {
            let message = match name {
                Some(name) => format!("Variable \"${}\" is not defined by operation \"{name}\".", usage.name),
                None => format!("Variable \"${}\" is not defined.", usage.name),
            };
            self.error(message, vec![usage.pos, operation.pos]);
        }
        for definition in definitions {
            let variable = definition.node.name.node.as_str();
            if !usages.iter().any(|usage| usage.name == variable) {
                self.error(
                    format!("Variable \"${variable}\" is never used{}", suffix("in operation")),
                    vec![definition.pos],
                );
            }
        }
        for usage in &usages {
            let Some(definition) = defined(usage) else {
                continue;
            };
            let var_type = TypeRef::from_ast(&definition.node.var_type.node);
            let has_default = definition
                .node
                .default_value
                .as_ref()
                .is_some_and(|value| value.node != ConstValue::Null);
            if !allowed_in_position(&var_type, has_default, &usage.expected, usage.location_has_default) {
                self.error(
                    format!(
                        "Variable \"${}\" of type \"{var_type}\" used in position expecting type \"{}\".",
                        usage.name, usage.expected
                    ),
                    vec![definition.pos, usage.pos],
                );
            }
        }
    }

    fn selection_set(&mut self, set: &SelectionSet, parent: Option<&str>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => self.field(field, parent),
                Selection::InlineFragment(fragment) => {
                    let on = match &fragment.node.type_condition {
                        Some(condition) => {
                            let on = condition.node.on.node.to_string();
                            if !self.schema.types.contains_key(&on) {
                                self.unknown_type = true;
                            }
                            Some(on)
                        }
                        None => parent.map(str::to_owned),
                    };
                    self.selection_set(&fragment.node.selection_set.node, on.as_deref());
                }
                Selection::FragmentSpread(spread) => {
                    // Variables used in a spread fragment count for the operation.
                    if let Some(fragment) = self.document.fragments.get(&spread.node.fragment_name.node) {
                        let on = fragment.node.type_condition.node.on.node.to_string();
                        let errors = self.errors.len();
                        self.selection_set(&fragment.node.selection_set.node, Some(&on));
                        // The fragment's own errors are reported where it is defined.
                        self.errors.truncate(errors);
                    } else {
                        self.error(
                            format!("Unknown fragment \"{}\".", spread.node.fragment_name.node),
                            vec![spread.node.fragment_name.pos],
                        );
                    }
                }
            }
        }
    }

    fn field(&mut self, field: &Positioned<Field>, parent: Option<&str>) {
        let name = field.node.name.node.as_str();
        let location = field.pos;
        if name.starts_with("__") {
            // Introspection: graphql-php's own types, not Magento's.
            return;
        }
        let definition = parent
            .and_then(|parent| self.schema.object_field(parent, name))
            .cloned();
        let has_selection = !field.node.selection_set.node.items.is_empty();
        // ScalarLeafs.
        if let Some(definition) = &definition {
            let named = definition.ty.named();
            if self.schema.is_leaf(named) && has_selection {
                self.error(
                    format!(
                        "Field \"{name}\" must not have a selection since type \"{}\" has no subfields.",
                        definition.ty
                    ),
                    vec![field.node.selection_set.pos],
                );
            } else if !self.schema.is_leaf(named) && !has_selection {
                self.error(
                    format!(
                        "Field \"{name}\" of type \"{}\" must have a sub selection.",
                        definition.ty
                    ),
                    vec![location],
                );
            }
        }
        // FieldsOnCorrectType, with suggestions from the fields Magento kept (§1.6).
        if let Some(parent) = parent
            && definition.is_none()
        {
            let kept: Vec<&str> = match self.schema.types.get(parent) {
                Some(TypeDef::Object(fields)) => fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .filter(|f| self.names.contains(*f))
                    .collect(),
                _ => Vec::new(),
            };
            let suggestions = suggestion_list(name, kept);
            self.error(
                format!(
                    "Cannot query field \"{name}\" on type \"{parent}\".{}",
                    did_you_mean(&suggestions)
                ),
                vec![location],
            );
        }
        for (arg_name, value) in &field.node.arguments {
            let arg = definition
                .as_ref()
                .and_then(|definition| definition.args.iter().find(|a| a.name == arg_name.node.as_str()));
            match (&definition, arg) {
                (Some(definition), None) => {
                    let suggestions =
                        suggestion_list(arg_name.node.as_str(), definition.args.iter().map(|a| a.name.as_str()));
                    self.error(
                        format!(
                            "Unknown argument \"{}\" on field \"{name}\" of type \"{}\".{}",
                            arg_name.node,
                            parent.unwrap_or_default(),
                            did_you_mean(&suggestions)
                        ),
                        vec![arg_name.pos],
                    );
                }
                (_, Some(arg)) => {
                    let arg = arg.clone();
                    let mut cursor = self.cursor_at(value.pos);
                    self.value(&value.node, Some((&arg.ty, arg.has_default)), &mut cursor, value.pos);
                }
                (None, None) => {}
            }
        }
        let child = definition
            .as_ref()
            .map(|definition| definition.ty.named().to_owned())
            .filter(|named| !self.schema.is_leaf(named));
        self.selection_set(&field.node.selection_set.node, child.as_deref());
        // Leaving the field: ProvidedRequiredArguments.
        if let Some(definition) = &definition {
            for arg in &definition.args {
                let provided = field.node.arguments.iter().any(|(n, _)| n.node.as_str() == arg.name);
                if !provided && arg.ty.is_non_null() && !arg.has_default {
                    self.error(
                        format!(
                            "Field \"{name}\" argument \"{}\" of type \"{}\" is required but not provided.",
                            arg.name, arg.ty
                        ),
                        vec![location],
                    );
                }
            }
        }
    }

    fn cursor_at(&self, pos: Pos) -> usize {
        self.tokens
            .iter()
            .position(|token| token.pos == pos)
            .unwrap_or(self.tokens.len())
    }

    fn token(&self, at: usize) -> Option<&Token> {
        self.tokens.get(at)
    }

    /// ValuesOfCorrectType for a literal (and its variables' usages), consuming its tokens.
    fn value(&mut self, value: &Value, expected: Option<(&TypeRef, bool)>, cursor: &mut usize, pos: Pos) {
        match value {
            Value::Variable(variable) => {
                *cursor += 2;
                if let Some((ty, has_default)) = expected {
                    self.usages.push(Usage {
                        name: variable.to_string(),
                        pos,
                        expected: ty.clone(),
                        location_has_default: has_default,
                    });
                }
            }
            Value::Object(fields) => {
                *cursor += 1;
                let input_fields = expected.and_then(|(ty, _)| match self.schema.types.get(ty.named()) {
                    Some(TypeDef::Input(fields)) => Some(fields.clone()),
                    _ => None,
                });
                match (expected, &input_fields) {
                    (Some((ty, _)), None) if !matches!(ty.nullable(), TypeRef::List(_)) => {
                        self.error(
                            format!("Expected value of type \"{ty}\", found {}.", print_value(value)),
                            vec![pos],
                        );
                    }
                    (Some((ty, _)), Some(declared)) => {
                        for field in declared {
                            if !fields.contains_key(field.name.as_str()) && field.ty.is_non_null() && !field.has_default
                            {
                                self.error(
                                    format!(
                                        "Field {}.{} of required type {} was not provided.",
                                        ty.named(),
                                        field.name,
                                        field.ty
                                    ),
                                    vec![pos],
                                );
                            }
                        }
                    }
                    _ => {}
                }
                while let Some(token) = self.token(*cursor).cloned() {
                    if token.kind == Kind::Punctuator("}") || token.kind == Kind::Eof {
                        *cursor += 1;
                        break;
                    }
                    let key = token.value.clone().unwrap_or_default();
                    *cursor += 2;
                    let value_pos = self.token(*cursor).map_or(token.pos, |t| t.pos);
                    let field_type = input_fields
                        .as_ref()
                        .and_then(|fields| fields.iter().find(|f| f.name == key))
                        .map(|f| (f.ty.clone(), f.has_default));
                    if field_type.is_none()
                        && let (Some((ty, _)), Some(declared)) = (expected, &input_fields)
                    {
                        let suggestions = suggestion_list(&key, declared.iter().map(|f| f.name.as_str()));
                        self.error(
                            format!(
                                "Field \"{key}\" is not defined by type \"{}\".{}",
                                ty.named(),
                                did_you_mean(&suggestions)
                            ),
                            vec![token.pos],
                        );
                    }
                    let nested = fields.get(key.as_str()).cloned().unwrap_or(Value::Null);
                    self.value(
                        &nested,
                        field_type.as_ref().map(|(ty, default)| (ty, *default)),
                        cursor,
                        value_pos,
                    );
                }
            }
            Value::List(items) => {
                *cursor += 1;
                let item_type = expected.map(|(ty, _)| match ty.nullable() {
                    TypeRef::List(inner) => (*inner.clone(), false),
                    other => (other.clone(), false),
                });
                for item in items {
                    let item_pos = self.token(*cursor).map_or(pos, |t| t.pos);
                    self.value(item, item_type.as_ref().map(|(ty, d)| (ty, *d)), cursor, item_pos);
                }
                *cursor += 1;
            }
            scalar => {
                *cursor += 1;
                let Some((ty, _)) = expected else {
                    return;
                };
                if let Some(message) = self.literal_error(scalar, ty) {
                    self.error(message, vec![pos]);
                }
            }
        }
    }

    /// `isValidValueNode` and the scalars' `parseLiteral` messages.
    fn literal_error(&self, value: &Value, ty: &TypeRef) -> Option<String> {
        let printed = print_value(value);
        if *value == Value::Null {
            return ty
                .is_non_null()
                .then(|| format!("Expected value of type \"{ty}\", found null."));
        }
        let ty = match ty.nullable() {
            TypeRef::List(inner) => return self.literal_error(value, inner),
            other => other,
        };
        let named = ty.named();
        let bad = |message: String| Some(message);
        match (self.schema.types.get(named), value) {
            (Some(TypeDef::Scalar), _) => match (named, value) {
                ("String" | "ID", Value::String(_)) => None,
                ("ID", Value::Number(number)) if number.is_i64() => None,
                ("String", _) => bad(format!("String cannot represent a non string value: {printed}")),
                ("ID", _) => bad(format!(
                    "ID cannot represent a non-string and non-integer value: {printed}"
                )),
                ("Int", Value::Number(number)) if number.is_i64() || number.is_u64() => {
                    let fits = number.as_i64().is_some_and(|n| i32::try_from(n).is_ok());
                    (!fits).then(|| format!("Int cannot represent non 32-bit signed integer value: {printed}"))
                }
                ("Int", _) => bad(format!("Int cannot represent non-integer value: {printed}")),
                ("Float", Value::Number(_)) => None,
                ("Float", _) => bad(format!("Float cannot represent non numeric value: {printed}")),
                ("Boolean", Value::Boolean(_)) => None,
                ("Boolean", _) => bad(format!("Boolean cannot represent a non boolean value: {printed}")),
                _ => None,
            },
            (Some(TypeDef::Enum(values)), Value::Enum(name)) if values.iter().any(|v| v == name.as_str()) => None,
            (Some(TypeDef::Enum(_)), _) => bad(format!("Expected value of type \"{ty}\", found {printed}.")),
            (Some(TypeDef::Input(_)), _) => bad(format!("Expected value of type \"{ty}\", found {printed}.")),
            _ => None,
        }
    }
}

/// `VariablesInAllowedPosition`: a nullable variable fits a non-null position only with a
/// default on either side; then the types must match.
fn allowed_in_position(var_type: &TypeRef, var_default: bool, location: &TypeRef, location_default: bool) -> bool {
    if let TypeRef::NonNull(inner) = location
        && !var_type.is_non_null()
    {
        return (var_default || location_default) && is_subtype(var_type, inner);
    }
    is_subtype(var_type, location)
}

fn is_subtype(sub: &TypeRef, sup: &TypeRef) -> bool {
    match (sub, sup) {
        (TypeRef::NonNull(a), TypeRef::NonNull(b)) => is_subtype(a, b),
        (TypeRef::NonNull(a), b) => is_subtype(a, b),
        (_, TypeRef::NonNull(_)) => false,
        (TypeRef::List(a), TypeRef::List(b)) => is_subtype(a, b),
        (TypeRef::Named(a), TypeRef::Named(b)) => a == b,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Variable coercion
// ---------------------------------------------------------------------------------------------

/// `Values::getVariableValues`: each defined variable in order, with graphql-php's messages;
/// the executor then stops at the errors (200, no `data`).
pub(crate) fn coerce_variables(
    document: &ExecutableDocument,
    schema: &SchemaIndex,
    variables: &[(String, OrderedJson)],
) -> Result<(), Vec<PhpError>> {
    let Some((_, operation)) = document.operations.iter().next() else {
        return Ok(());
    };
    let mut errors = Vec::new();
    for definition in &operation.node.variable_definitions {
        let name = definition.node.name.node.as_str();
        let ty = TypeRef::from_ast(&definition.node.var_type.node);
        let location = vec![definition.pos];
        let Some((_, value)) = variables.iter().rev().find(|(key, _)| key == name) else {
            if definition.node.default_value.is_none() && ty.is_non_null() {
                errors.push(PhpError::new(
                    format!("Variable \"${name}\" of required type \"{ty}\" was not provided."),
                    location,
                ));
            }
            continue;
        };
        if *value == OrderedJson::Null && ty.is_non_null() {
            errors.push(PhpError::new(
                format!("Variable \"${name}\" of non-null type \"{ty}\" must not be null."),
                location,
            ));
            continue;
        }
        let mut problems = Vec::new();
        coerce(schema, value, &ty, &mut Vec::new(), &mut problems);
        for problem in problems {
            let at = if problem.path.is_empty() {
                String::new()
            } else {
                format!(" at \"{name}.{}\"", problem.path.join("."))
            };
            errors.push(PhpError::new(
                format!(
                    "Variable \"${name}\" got invalid value {}{at}; {}",
                    print_safe_json(&problem.value),
                    problem.message
                ),
                location.clone(),
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// One `CoercionError`: where in the value, the offending value, the message.
struct Coercion {
    path: Vec<String>,
    value: OrderedJson,
    message: String,
}

/// `Value::coerceInputValue`.
fn coerce(schema: &SchemaIndex, value: &OrderedJson, ty: &TypeRef, path: &mut Vec<String>, out: &mut Vec<Coercion>) {
    let problem = |path: &[String], message: String| Coercion {
        path: path.to_vec(),
        value: value.clone(),
        message,
    };
    if let TypeRef::NonNull(inner) = ty {
        if *value == OrderedJson::Null {
            out.push(problem(
                path,
                format!("Expected non-nullable type \"{ty}\" not to be null."),
            ));
            return;
        }
        return coerce(schema, value, inner, path, out);
    }
    if *value == OrderedJson::Null {
        return;
    }
    if let TypeRef::List(inner) = ty {
        match value {
            OrderedJson::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(index.to_string());
                    coerce(schema, item, inner, path, out);
                    path.pop();
                }
            }
            single => coerce(schema, single, inner, path, out),
        }
        return;
    }
    let named = ty.named();
    match schema.types.get(named) {
        Some(TypeDef::Input(fields)) => {
            // PHP arrays: a JSON list is an array with integer keys.
            let entries: Vec<(String, OrderedJson)> = match value {
                OrderedJson::Object(entries) => entries.clone(),
                OrderedJson::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| (index.to_string(), item.clone()))
                    .collect(),
                _ => {
                    out.push(problem(path, format!("Expected type \"{named}\" to be an object.")));
                    return;
                }
            };
            for field in fields {
                match entries.iter().rev().find(|(key, _)| *key == field.name) {
                    None if field.ty.is_non_null() && !field.has_default => out.push(problem(
                        path,
                        format!(
                            "Field \"{}\" of required type \"{}\" was not provided.",
                            field.name, field.ty
                        ),
                    )),
                    None => {}
                    Some((_, field_value)) => {
                        path.push(field.name.clone());
                        coerce(schema, field_value, &field.ty, path, out);
                        path.pop();
                    }
                }
            }
            for (key, _) in &entries {
                if !fields.iter().any(|field| field.name == *key) {
                    let suggestions = suggestion_list(key, fields.iter().map(|f| f.name.as_str()));
                    out.push(problem(
                        path,
                        format!(
                            "Field \"{key}\" is not defined by type \"{named}\".{}",
                            did_you_mean(&suggestions)
                        ),
                    ));
                }
            }
        }
        Some(TypeDef::Scalar) => {
            let printed = print_safe(value);
            let message = match (named, value) {
                ("String", OrderedJson::String(_)) | ("Boolean", OrderedJson::Bool(_)) => None,
                ("String", _) => Some(format!("String cannot represent a non string value: {printed}")),
                ("Boolean", _) => Some(format!("Boolean cannot represent a non boolean value: {printed}")),
                ("Int", OrderedJson::Number(number)) => match number.as_i64() {
                    Some(n) if i32::try_from(n).is_ok() => None,
                    Some(_) => Some(format!(
                        "Int cannot represent non 32-bit signed integer value: {printed}"
                    )),
                    None => Some(format!("Int cannot represent non-integer value: {printed}")),
                },
                ("Int", _) => Some(format!("Int cannot represent non-integer value: {printed}")),
                ("Float", OrderedJson::Number(_)) => None,
                ("Float", _) => Some(format!("Float cannot represent non numeric value: {printed}")),
                ("ID", OrderedJson::String(_)) => None,
                ("ID", OrderedJson::Number(number)) if number.is_i64() => None,
                ("ID", _) => Some(format!(
                    "ID cannot represent a non-string and non-integer value: {printed}"
                )),
                _ => None,
            };
            if let Some(message) = message {
                out.push(problem(path, message));
            }
        }
        Some(TypeDef::Enum(values)) => {
            if !matches!(value, OrderedJson::String(text) if values.contains(text)) {
                out.push(problem(
                    path,
                    format!("Value {} does not exist in \"{named}\" enum.", print_safe(value)),
                ));
            }
        }
        Some(TypeDef::Object(_)) | None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql_schema::schema;

    fn index() -> SchemaIndex {
        SchemaIndex::from_sdl(&schema().sdl())
    }

    /// The first error graphql-php reports for `query` (with `variables`), as message and
    /// `line:column` locations.
    fn first_error(query: &str, variables: &str) -> (String, Vec<(usize, usize)>) {
        let variables: OrderedJson = OrderedJson::parse(variables.as_bytes()).unwrap();
        let pairs = match &variables {
            OrderedJson::Object(entries) => entries.clone(),
            _ => Vec::new(),
        };
        let schema = index();
        let error = match parse(query) {
            Err(Refusal::Syntax(error)) => error,
            Err(Refusal::Invalid(errors)) => errors[0].clone(),
            Err(Refusal::UnknownType) => PhpError::new("unknown type", Vec::new()),
            Ok(document) => {
                let names = names_in_request(query, Some(&variables));
                match validate(query, &document, &schema, &names) {
                    Err(Refusal::Invalid(errors)) => errors[0].clone(),
                    Err(Refusal::UnknownType) => PhpError::new("unknown type", Vec::new()),
                    Err(Refusal::Syntax(error)) => error,
                    Ok(()) => match coerce_variables(&document, &schema, &pairs) {
                        Err(errors) => errors[0].clone(),
                        Ok(()) => PhpError::new("valid", Vec::new()),
                    },
                }
            }
        };
        (
            error.message,
            error.locations.iter().map(|pos| (pos.line, pos.column)).collect(),
        )
    }

    fn assert_first(query: &str, variables: &str, message: &str, locations: &[(usize, usize)]) {
        assert_eq!(
            first_error(query, variables),
            (message.to_owned(), locations.to_vec()),
            "{query} {variables}"
        );
    }

    const SELECTION: &str = "{ customer { email } }";

    /// GRAPHQL.md §1.2, §1.7 C: graphql-php's parser messages and locations.
    #[test]
    fn syntax_errors_are_worded_as_graphql_php_words_them() {
        assert_first("", "{}", "Syntax Error: Unexpected <EOF>", &[(1, 1)]);
        assert_first("   ", "{}", "Syntax Error: Unexpected <EOF>", &[(1, 4)]);
        assert_first("{", "{}", "Syntax Error: Expected Name, found <EOF>", &[(1, 2)]);
        assert_first(
            "{ customer { email }",
            "{}",
            "Syntax Error: Expected Name, found <EOF>",
            &[(1, 21)],
        );
        assert_first("{}", "{}", "Syntax Error: Expected Name, found }", &[(1, 2)]);
        assert_first(
            "{ isEmailAvailable(email: \"a@b.c) { is_email_available } }",
            "{}",
            "Syntax Error: Unterminated string.",
            &[(1, 59)],
        );
        assert_first(
            "{ customer { email ? } }",
            "{}",
            "Syntax Error: Cannot parse the unexpected character \"?\".",
            &[(1, 20)],
        );
        assert_first(
            "mutation { createCustomerV2(input: ) { customer { email } } }",
            "{}",
            "Syntax Error: Unexpected )",
            &[(1, 36)],
        );
    }

    /// §2.5: a missing required input field in a literal, email first (fields sorted).
    #[test]
    fn missing_required_input_fields() {
        let query = "mutation { createCustomerV2(input: {}) { customer { email } } }";
        assert_first(
            query,
            "{}",
            "Field CustomerCreateInput.email of required type String! was not provided.",
            &[(1, 36)],
        );
        assert_first(
            "mutation { createCustomerV2(input: {email: \"a@example.com\", firstname: \"A\"}) { customer { email } } }",
            "{}",
            "Field CustomerCreateInput.lastname of required type String! was not provided.",
            &[(1, 36)],
        );
    }

    /// §2.6: unknown input fields, with graphql-php's suggestions.
    #[test]
    fn unknown_input_fields_get_suggestions() {
        let create = |extra: &str| {
            format!(
                "mutation {{\n  createCustomerV2(input: {{firstname: \"A\" lastname: \"B\" email: \"a@example.com\" {extra}: \"x\"}}) {{ customer {{ email }} }}\n}}"
            )
        };
        assert_first(
            &create("test123"),
            "{}",
            "Field \"test123\" is not defined by type \"CustomerCreateInput\".",
            &[(2, 80)],
        );
        assert_first(
            &create("emial"),
            "{}",
            "Field \"emial\" is not defined by type \"CustomerCreateInput\". Did you mean \"email\"?",
            &[(2, 80)],
        );
        assert_first(
            &create("first_name"),
            "{}",
            "Field \"first_name\" is not defined by type \"CustomerCreateInput\". Did you mean \"firstname\", \"lastname\", or \"middlename\"?",
            &[(2, 80)],
        );
        assert_first(
            &create("isSubscribed"),
            "{}",
            "Field \"isSubscribed\" is not defined by type \"CustomerCreateInput\". Did you mean \"is_subscribed\"?",
            &[(2, 80)],
        );
        assert_first(
            &create("addresses"),
            "{}",
            "Field \"addresses\" is not defined by type \"CustomerCreateInput\".",
            &[(2, 80)],
        );
    }

    /// §2.5 "Other literal errors" and §3.3 rows 0 and 0b.
    #[test]
    fn literal_and_argument_errors() {
        let create =
            |input: &str| format!("mutation {{ createCustomerV2(input: {input}) {{ customer {{ email }} }} }}");
        assert_first(
            &create("{email: \"a@example.com\", firstname: null, lastname: \"B\"}"),
            "{}",
            "Expected value of type \"String!\", found null.",
            &[(1, 72)],
        );
        assert_first(
            &create("{email: \"a@example.com\", firstname: 5, lastname: \"B\"}"),
            "{}",
            "String cannot represent a non string value: 5",
            &[(1, 72)],
        );
        assert_first(
            &create("{email: \"a@example.com\", firstname: \"A\", lastname: \"B\", gender: \"1\"}"),
            "{}",
            "Int cannot represent non-integer value: \"1\"",
            &[(1, 100)],
        );
        assert_first(
            &create("{email: \"a@example.com\", firstname: \"A\", lastname: \"B\", is_subscribed: \"yes\"}"),
            "{}",
            "Boolean cannot represent a non boolean value: \"yes\"",
            &[(1, 107)],
        );
        assert_first(
            &create("\"foo\""),
            "{}",
            "Expected value of type \"CustomerCreateInput\", found \"foo\".",
            &[(1, 36)],
        );
        assert_first(
            "mutation { createCustomerV2 { customer { email } } }",
            "{}",
            "Field \"createCustomerV2\" argument \"input\" of type \"CustomerCreateInput!\" is required but not provided.",
            &[(1, 12)],
        );
        assert_first(
            "mutation { createCustomerV2(input: {email: \"a@example.com\", firstname: \"A\", lastname: \"B\"}) }",
            "{}",
            "Field \"createCustomerV2\" of type \"CustomerOutput\" must have a sub selection.",
            &[(1, 12)],
        );
        assert_first(
            "mutation {\n  generateCustomerToken(password: \"x\") { token }\n}",
            "{}",
            "Field \"generateCustomerToken\" argument \"email\" of type \"String!\" is required but not provided.",
            &[(2, 3)],
        );
        assert_first(
            "mutation {\n  generateCustomerToken(username: \"a\", password: \"x\") { token }\n}",
            "{}",
            "Unknown argument \"username\" on field \"generateCustomerToken\" of type \"Mutation\".",
            &[(2, 25)],
        );
        assert_first(
            "{ isEmailAvailable { is_email_available } }",
            "{}",
            "Field \"isEmailAvailable\" argument \"email\" of type \"String!\" is required but not provided.",
            &[(1, 3)],
        );
        assert_first(
            "{ isEmailAvailable(email: null) { is_email_available } }",
            "{}",
            "Expected value of type \"String!\", found null.",
            &[(1, 27)],
        );
    }

    /// §1.6: unknown output fields, suggestions only from names the request contains.
    #[test]
    fn unknown_output_fields() {
        assert_first(
            "{ customer { emial } }",
            "{}",
            "Cannot query field \"emial\" on type \"Customer\".",
            &[(1, 14)],
        );
        assert_first(
            "{ customer { emial email } }",
            "{}",
            "Cannot query field \"emial\" on type \"Customer\". Did you mean \"email\"?",
            &[(1, 14)],
        );
        assert_first(
            "mutation { generateCustomerToken(email: \"a\", password: \"b\") { token expires } }",
            "{}",
            "Cannot query field \"expires\" on type \"CustomerToken\".",
            &[(1, 69)],
        );
        assert_first(
            "{ customer { email { x } } }",
            "{}",
            "Field \"email\" must not have a selection since type \"String\" has no subfields.",
            &[(1, 20)],
        );
        assert_first(SELECTION, "{}", "valid", &[]);
    }

    /// §2.5 "Through variables": graphql-php's coercion messages.
    #[test]
    fn variable_coercion_errors() {
        let query = "mutation createAcct($input: CustomerCreateInput!) { createCustomerV2(input: $input) { customer { email } } }";
        let location = [(1, 21)];
        assert_first(
            query,
            r#"{"input":{"firstname":"a","lastname":"b"}}"#,
            "Variable \"$input\" got invalid value {\"firstname\":\"a\",\"lastname\":\"b\"}; Field \"email\" of required type \"String!\" was not provided.",
            &location,
        );
        assert_first(
            query,
            "{}",
            "Variable \"$input\" of required type \"CustomerCreateInput!\" was not provided.",
            &location,
        );
        assert_first(
            query,
            r#"{"input":null}"#,
            "Variable \"$input\" of non-null type \"CustomerCreateInput!\" must not be null.",
            &location,
        );
        assert_first(
            query,
            r#"{"input":{"firstname":"a","lastname":"b","email":null}}"#,
            "Variable \"$input\" got invalid value null at \"input.email\"; Expected non-nullable type \"String!\" not to be null.",
            &location,
        );
        assert_first(
            query,
            r#"{"input":"abc"}"#,
            "Variable \"$input\" got invalid value \"abc\"; Expected type \"CustomerCreateInput\" to be an object.",
            &location,
        );
        assert_first(
            query,
            r#"{"input":{}}"#,
            "Variable \"$input\" got invalid value []; Field \"email\" of required type \"String!\" was not provided.",
            &location,
        );
        assert_first(
            query,
            r#"{"input":{"firstname":"a","lastname":"b","email":"a@example.com","test123":"x"}}"#,
            "Variable \"$input\" got invalid value {\"firstname\":\"a\",\"lastname\":\"b\",\"email\":\"a@example.com\",\"test123\":\"x\"}; Field \"test123\" is not defined by type \"CustomerCreateInput\".",
            &location,
        );
        assert_first(
            "mutation ($e: String!, $p: String!) { generateCustomerToken(email: $e, password: $p) { token } }",
            r#"{"e":5,"p":"x"}"#,
            "Variable \"$e\" got invalid value 5; String cannot represent a non string value: 5",
            &[(1, 11)],
        );
    }

    #[test]
    fn variable_definitions_and_usages() {
        assert_first(
            "query ($e: String) { isEmailAvailable(email: $e) { is_email_available } }",
            "{}",
            "Variable \"$e\" of type \"String\" used in position expecting type \"String!\".",
            &[(1, 8), (1, 46)],
        );
        assert_first(
            "query Q { isEmailAvailable(email: $e) { is_email_available } }",
            "{}",
            "Variable \"$e\" is not defined by operation \"Q\".",
            &[(1, 35), (1, 1)],
        );
        assert_first(
            "query ($e: String!) { customer { email } }",
            "{}",
            "Variable \"$e\" is never used.",
            &[(1, 8)],
        );
        assert_first(
            "query A { customer { email } } query B { customer { email } }",
            "{}",
            "Must provide operation name if query contains multiple operations.",
            &[],
        );
        assert_first(
            "{ customer { email } } query B { customer { email } }",
            "{}",
            "This anonymous operation must be the only defined operation.",
            &[(1, 1)],
        );
        assert_eq!(
            parse("query ($input: CustomerCreateInputX!) { customer { email } }")
                .map_err(|_| ())
                .and_then(|document| validate("", &document, &index(), &BTreeSet::new()).map_err(|_| ())),
            Err(())
        );
    }

    /// graphql-php's null propagation: the nearest nullable position at or above the failure.
    #[test]
    fn nulls_propagate_to_the_nearest_nullable_field() {
        let path = |segments: &str| match OrderedJson::parse(segments.as_bytes()).unwrap() {
            OrderedJson::Array(items) => items,
            _ => unreachable!(),
        };
        let schema = index();
        assert_eq!(schema.nullable_prefix("Mutation", &path(r#"["createCustomerV2"]"#)), 1);
        assert_eq!(
            schema.nullable_prefix(
                "Mutation",
                &path(r#"["createCustomerV2","customer","confirmation_status"]"#)
            ),
            1
        );
        assert_eq!(
            schema.nullable_prefix("Query", &path(r#"["customer","addresses",0,"id"]"#)),
            4
        );
        assert_eq!(schema.nullable_prefix("Query", &path(r#"["aliased","email"]"#)), 1);
    }

    #[test]
    fn suggestion_lists_and_quoting() {
        assert_eq!(quoted_or_list(&["a"]), "\"a\"");
        assert_eq!(quoted_or_list(&["a", "b"]), "\"a\" or \"b\"");
        assert_eq!(
            quoted_or_list(&["a", "b", "c", "d", "e", "f"]),
            "\"a\", \"b\", \"c\", \"d\", or \"e\""
        );
        assert_eq!(
            suggestion_list("subscribed", ["is_subscribed", "email"]),
            vec!["is_subscribed"]
        );
        assert_eq!(suggestion_list("EMAIL", ["email"]), vec!["email"]);
        assert!(suggestion_list("website_id", ["email", "firstname", "gender", "lastname"]).is_empty());
    }

    #[test]
    fn values_print_as_php_prints_them() {
        let value = OrderedJson::parse(br#"{"a":{},"b":"x/y","c":"\u00d8"}"#).unwrap();
        assert_eq!(print_safe_json(&value), r#"{"a":[],"b":"x\/y","c":"\u00d8"}"#);
    }
}
