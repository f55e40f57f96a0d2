//! Neutralising attacker-controlled text. Every log field is attacker
//! controlled; nothing from a log reaches a terminal raw. Control characters
//! (ESC, CR, BEL, C1), bidi overrides and zero-width characters are shown as
//! visible `\u{…}` escapes. The TUI, the scan table, CSV and JSONL all use
//! this one function (JSONL through [`JsonEscaper`]).

use std::borrow::Cow;

/// True for characters that must never reach a terminal as they are.
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2028}' | '\u{2029}' // line / paragraph separators
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}'              // BOM / zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
        )
}

/// Text safe to print: dangerous characters become `\u{1b}`-style escapes.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Clean text cut to at most `max` display columns, ending in `…` when cut.
pub fn clean_width(s: &str, max: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let c = clean(s);
    let mut out = String::new();
    let mut w = 0;
    for ch in c.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw > max {
            if max > 0 {
                while w + 1 > max {
                    match out.pop() {
                        Some(p) => w -= p.width().unwrap_or(0),
                        None => break,
                    }
                }
                out.push('…');
            }
            return out;
        }
        out.push(ch);
        w += cw;
    }
    out
}

/// A serde_json formatter that also escapes bidi and zero-width characters
/// (serde_json already escapes control characters), so JSONL piped to a
/// terminal shows them as `\uXXXX` while staying the same JSON data.
pub struct JsonEscaper;

impl serde_json::ser::Formatter for JsonEscaper {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_dangerous(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    write!(w, "\\u{:04x}", unit)?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// Serialises `value` as one line of JSON with [`JsonEscaper`].
pub fn to_json_line<T: serde::Serialize>(value: &T) -> String {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, JsonEscaper);
    if value.serialize(&mut ser).is_err() {
        return "{}".into();
    }
    String::from_utf8(out).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(clean("alice"), "alice");
        assert_eq!(clean("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(clean("x\ry\n"), "x\\u{d}y\\u{a}");
        assert_eq!(clean("zero\u{200b}width"), "zero\\u{200b}width");
    }

    #[test]
    fn width_cut() {
        assert_eq!(clean_width("abcdef", 4), "abc…");
        assert_eq!(clean_width("abc", 4), "abc");
        assert_eq!(clean_width("日本語テキスト", 5), "日本…");
    }

    #[test]
    fn json_lines_escape_bidi() {
        let s = to_json_line(&serde_json::json!({"u": "a\u{202e}b\u{1b}"}));
        assert_eq!(s, r#"{"u":"a\u202eb\u001b"}"#);
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["u"], "a\u{202e}b\u{1b}");
    }

    proptest! {
        #[test]
        fn cleaned_text_has_nothing_dangerous(s in any::<String>()) {
            let c = clean(&s);
            prop_assert!(!c.chars().any(is_dangerous));
            let j = to_json_line(&s);
            prop_assert!(!j.chars().any(is_dangerous));
            let back: String = serde_json::from_str(&j).unwrap();
            prop_assert_eq!(back, s);
        }
    }
}
