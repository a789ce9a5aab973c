//! Property tests of redaction on structured outputs: whatever the secrets look like, the
//! exchange log, `drift.json`, `cucumber.json` and `junit.xml` still parse, no secret that
//! stands as a whole token is left, and nothing else changed.
//!
//! The expected document is computed by a naive oracle (every occurrence of every secret at
//! every position, kept where it stands alone, overlaps merged), independent of the matcher.

use magento_harness::secrets::{REDACTED, Redactor};
use proptest::prelude::*;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value, json};

/// Secrets of every shape: digits only, exactly four characters, regex metacharacters,
/// quotes, backslashes, markup and unicode.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{4,8}",
        "[a-z0-9.*+?()|^$\\\\\"'&<>é😀-]{4}",
        "[.*+?()\\[\\]{}|^$\\\\\"'/ a-zA-Z0-9éü漢😀&<>-]{4,12}",
    ]
}

/// A base set of secrets, plus substrings of them (a secret inside another one).
fn secrets() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(secret(), 1..4).prop_map(|base| {
        let mut all = base.clone();
        for s in &base {
            let chars: Vec<char> = s.chars().collect();
            if chars.len() > 4 {
                all.push(chars[1..].iter().collect());
                all.push(chars[..chars.len() - 1].iter().collect());
            }
        }
        all
    })
}

/// One piece of a string value: a secret on its own, a separator, a look-alike (a secret
/// inside a longer run of digits or letters), or filler.
#[derive(Debug, Clone)]
enum Part {
    Secret(usize),
    LookAlike(usize, char, char),
    Separator(&'static str),
    Filler(String),
}

fn part() -> impl Strategy<Value = Part> {
    prop_oneof![
        (0..8usize).prop_map(Part::Secret),
        (0..8usize, "[0-9a-z]", "[0-9a-z]").prop_map(|(i, a, b)| Part::LookAlike(
            i,
            a.chars().next().unwrap(),
            b.chars().next().unwrap()
        )),
        prop::sample::select(vec![
            " ", "=", ";", "/", "\"", "'", "\\", ":", ",", "&", "<", ">", "?otp=", "é", "[", "]"
        ])
        .prop_map(Part::Separator),
        "[a-z0-9 ]{0,6}".prop_map(Part::Filler),
    ]
}

fn render(parts: &[Part], secrets: &[String]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Secret(i) => secrets[i % secrets.len()].clone(),
            Part::LookAlike(i, a, b) => format!("{a}{}{b}", secrets[i % secrets.len()]),
            Part::Separator(s) => (*s).to_owned(),
            Part::Filler(f) => f.clone(),
        })
        .collect()
}

/// Several rendered string values.
fn values() -> impl Strategy<Value = Vec<Vec<Part>>> {
    prop::collection::vec(prop::collection::vec(part(), 0..6), 8)
}

/// What the redactor registers: values of at least four bytes, also with `/` escaped as `\/`.
fn registered(secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .flat_map(|s| [s.clone(), s.replace('/', "\\/")])
        .collect()
}

fn joins(a: Option<char>, b: Option<char>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.is_alphanumeric() && b.is_alphanumeric())
}

/// Every occurrence of a secret in `text` that stands as a whole token.
fn whole_token_spans(text: &str, secrets: &[String]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for start in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        for s in secrets {
            if text[start..].starts_with(s.as_str()) {
                let end = start + s.len();
                if !joins(text[..start].chars().next_back(), s.chars().next())
                    && !joins(s.chars().next_back(), text[end..].chars().next())
                {
                    spans.push((start, end));
                }
            }
        }
    }
    spans.sort_unstable();
    spans
}

/// The oracle: each whole-token occurrence replaced, overlapping or touching ones as one.
fn expected(text: &str, secrets: &[String]) -> String {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in whole_token_spans(text, secrets) {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::new();
    let mut cursor = 0;
    for (start, end) in merged {
        out.push_str(&text[cursor..start]);
        out.push_str(REDACTED);
        cursor = end;
    }
    out + &text[cursor..]
}

/// No secret stands as a whole token anywhere but in the markers.
fn assert_absent(text: &str, secrets: &[String]) {
    for piece in text.split(REDACTED) {
        let left = whole_token_spans(piece, secrets);
        assert!(left.is_empty(), "a secret is left in {piece:?} of {text:?}");
    }
}

fn map_strings(value: &Value, f: &impl Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (f(k), map_strings(v, f)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

fn visit_strings(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| visit_strings(v, f)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            f(k);
            visit_strings(v, f);
        }),
        _ => {}
    }
}

/// A secret's digits inside a longer number: `9<secret>5` where the secret is all digits.
fn number_around(secret: &str) -> Value {
    format!("9{secret}5").parse::<u64>().map_or(json!(912345), Value::from)
}

/// An exchange-log line, a drift record and a cucumber-json-like document holding the values.
fn documents(v: &[String], secrets: &[String]) -> Vec<Value> {
    let n = number_around(&secrets[0]);
    vec![
        json!({
            "method": "POST", "url": v[0], "status": 200, "sent_at": v[1], "elapsed_ms": n,
            "attempts": 1, "request_headers": [["X-Note", v[2]]], "request_body": v[3],
            "response_headers": [], "response_body": v[4]
        }),
        json!([{
            "document": v[5], "scenario": v[6], "path": "/id", "kind": "value",
            "documented": n, "observed": v[7], "accepted_because": null
        }]),
        json!([{
            "uri": "features/x.feature", "id": v[0], "name": v[1], "elements": [{
                "name": v[2], "line": n, "steps": [{
                    "name": v[3], "result": {"status": "failed", "duration": n, "error_message": v[4]},
                    "embeddings": [{"data": v[5], "mime_type": "text/x.cucumber.log+plain"}]
                }]
            }],
            // Keys holding secrets, unique so that redacting them cannot merge two.
            "extra": {format!("k0{}", v[6]): v[7], format!("k1{}", v[7]): v[6]}
        }]),
    ]
}

/// A junit-like document: values as attributes, text and CDATA.
fn junit(v: &[String]) -> String {
    let mut w = quick_xml::Writer::new(Vec::new());
    let start = |name: &str, attrs: &[(&str, &str)]| {
        let mut e = BytesStart::new(name.to_owned());
        attrs.iter().for_each(|a| e.push_attribute(*a));
        e
    };
    let events = [
        Event::Start(start("testsuites", &[("name", &v[0])])),
        Event::Start(start("testsuite", &[("name", &v[1]), ("timestamp", &v[2])])),
        Event::Start(start("testcase", &[("name", &v[3]), ("time", "912345")])),
        Event::Empty(start("failure", &[("message", &v[4])])),
        Event::CData(BytesCData::new(v[5].as_str())),
        Event::Start(start("system-out", &[])),
        Event::Text(BytesText::new(&v[6])),
        Event::End(BytesEnd::new("system-out")),
        Event::Text(BytesText::new(&v[7])),
        Event::End(BytesEnd::new("testcase")),
        Event::End(BytesEnd::new("testsuite")),
        Event::End(BytesEnd::new("testsuites")),
    ];
    events.into_iter().for_each(|e| w.write_event(e).unwrap());
    String::from_utf8(w.into_inner()).unwrap()
}

/// What a reader sees of an XML document.
#[derive(Debug, PartialEq)]
enum Node {
    Element(String, Vec<(String, String)>),
    End(String),
    /// Text, CDATA and entity references, merged.
    Text(String),
}

fn xml_tree(xml: &str) -> Vec<Node> {
    let name = |n: &[u8]| String::from_utf8_lossy(n).into_owned();
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut tree, mut text) = (Vec::new(), String::new());
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match &event {
            Event::Text(t) => text.push_str(&t.decode().unwrap()),
            Event::CData(c) => text.push_str(&c.decode().unwrap()),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => text.push(c),
                None => text.push_str(quick_xml::escape::resolve_predefined_entity(&r.decode().unwrap()).unwrap()),
            },
            _ => {
                if !text.is_empty() {
                    tree.push(Node::Text(std::mem::take(&mut text)));
                }
                match event {
                    Event::Start(e) | Event::Empty(e) => {
                        let attrs = e
                            .attributes()
                            .map(|a| {
                                let a = a.unwrap();
                                let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap();
                                (name(a.key.as_ref()), value.into_owned())
                            })
                            .collect();
                        tree.push(Node::Element(name(e.name().as_ref()), attrs));
                    }
                    Event::End(e) => tree.push(Node::End(name(e.name().as_ref()))),
                    Event::Eof => return tree,
                    _ => {}
                }
            }
        }
    }
}

fn redactor(secrets: &[String]) -> Redactor {
    let r = Redactor::new();
    secrets.iter().for_each(|s| r.register_value(s));
    r
}

/// The shapes hidden without registration (generated passwords, JWTs) are left out: they are
/// hidden wherever they appear, which the oracle does not model.
fn free_of_shapes(texts: &[String]) -> bool {
    texts.iter().all(|t| !t.contains("Mc7!") && !t.contains("eyJ"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn json_outputs_stay_json_and_change_only_where_a_secret_stands(
        secrets in secrets(),
        parts in values(),
    ) {
        let v: Vec<String> = parts.iter().map(|p| render(p, &secrets)).collect();
        prop_assume!(free_of_shapes(&v) && free_of_shapes(&secrets));
        let r = redactor(&secrets);
        let registered = registered(&secrets);
        for document in documents(&v, &secrets) {
            for text in [serde_json::to_string(&document).unwrap(), serde_json::to_string_pretty(&document).unwrap()] {
                let out = r.redact_json_text(&text).unwrap();
                let parsed: Value = serde_json::from_str(&out).expect("still JSON");
                prop_assert_eq!(&parsed, &map_strings(&document, &|s| expected(s, &registered)));
                visit_strings(&parsed, &mut |s| assert_absent(s, &registered));
            }
        }
    }

    #[test]
    fn junit_xml_stays_xml_and_changes_only_where_a_secret_stands(
        secrets in secrets(),
        parts in values(),
    ) {
        let v: Vec<String> = parts.iter().map(|p| render(p, &secrets)).collect();
        prop_assume!(free_of_shapes(&v) && free_of_shapes(&secrets) && !v[5].contains("]]>"));
        let registered = registered(&secrets);
        let out = redactor(&secrets).redact_xml(&junit(&v)).unwrap();
        let want: Vec<String> = v.iter().map(|s| expected(s, &registered)).collect();
        // Compared as a reader sees them: a CDATA section may come back as escaped text.
        let tree = xml_tree(&out);
        prop_assert_eq!(&tree, &xml_tree(&junit(&want)));
        for node in &tree {
            match node {
                Node::Element(_, attrs) => attrs.iter().for_each(|(_, v)| assert_absent(v, &registered)),
                Node::Text(text) => assert_absent(text, &registered),
                Node::End(_) => {}
            }
        }
    }

    /// The console and `drift.md` are text: the same whole-token rule applies there.
    #[test]
    fn text_changes_only_where_a_secret_stands(secrets in secrets(), parts in values()) {
        let v: Vec<String> = parts.iter().map(|p| render(p, &secrets)).collect();
        prop_assume!(free_of_shapes(&v) && free_of_shapes(&secrets));
        let registered = registered(&secrets);
        let r = redactor(&secrets);
        for text in &v {
            let out = r.redact(text);
            prop_assert_eq!(&out, &expected(text, &registered));
            assert_absent(&out, &registered);
        }
    }
}
