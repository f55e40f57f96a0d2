//! Neutralising attacker-controlled text. Every log field is attacker
//! controlled; nothing from a log reaches a terminal raw. Control characters
//! (ESC, CR, BEL, C1), bidi overrides, zero-width and other invisible
//! characters are shown as visible `\u{…}` escapes. Everything that reaches
//! a terminal or a report goes through [`clean`] (JSONL through
//! [`JsonEscaper`]), whatever its source: log fields, file names, GeoIP
//! metadata, case-file contents, values quoted in configuration errors.

use std::borrow::Cow;

/// True for characters that must never reach a terminal as they are: the
/// controls (Cc: C0, DEL, C1), the line and paragraph separators, every
/// format character (general category Cf: bidi controls, zero-width
/// characters, soft hyphen, invisible operators, tag characters, ...) and
/// every other default-ignorable code point (variation selectors, Hangul
/// fillers, the combining grapheme joiner, ...). Together these are the
/// characters a terminal shows as nothing (or uses to reorder what follows),
/// so they would let `adm\u{ad}in` pass for `admin`.
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}')
        || is_format(c)
        || is_default_ignorable(c)
}

/// Unicode general category Cf (format), as of Unicode 15.1.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{AD}'                       // soft hyphen
        | '\u{600}'..='\u{605}'        // Arabic number signs
        | '\u{61C}'                     // Arabic letter mark
        | '\u{6DD}' | '\u{70F}'
        | '\u{890}'..='\u{891}' | '\u{8E2}'
        | '\u{180E}'                    // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'      // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}'      // bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}'      // word joiner, invisible operators, bidi isolates, deprecated formats
        | '\u{FEFF}'                    // BOM / zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}'      // interlinear annotations
        | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'    // Egyptian hieroglyph format controls
        | '\u{1BCA0}'..='\u{1BCA3}'    // shorthand format controls
        | '\u{1D173}'..='\u{1D17A}'    // musical symbol formatting
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}' // tags
    )
}

/// The Default_Ignorable_Code_Point property beyond category Cf: characters
/// a renderer shows as nothing when it does not support them.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{34F}'                       // combining grapheme joiner
        | '\u{115F}'..='\u{1160}'      // Hangul choseong / jungseong fillers
        | '\u{17B4}'..='\u{17B5}'      // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'      // Mongolian variation selectors
        | '\u{3164}'                    // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'      // variation selectors
        | '\u{FFA0}'                    // halfwidth Hangul filler
        | '\u{FFF0}'..='\u{FFF8}'      // unassigned, reserved as ignorable
        | '\u{E0000}'..='\u{E0FFF}'    // tags and variation selectors supplement (E0100..E01EF)
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

/// Display width of `s` once cleaned, counted per grapheme cluster (as the
/// terminal and ratatui count it).
pub fn width(s: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;
    clean(s).graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Clean text cut to at most `max` display columns, ending in `…` when cut.
/// The one truncation rule of the workbench: the cut falls between grapheme
/// clusters (an accent stays with its letter, a wide character is never
/// halved) and always shows `…`.
pub fn clean_width(s: &str, max: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;
    let c = clean(s);
    let total: usize = c.graphemes(true).map(UnicodeWidthStr::width).sum();
    if total <= max {
        return c.into_owned();
    }
    let Some(room) = max.checked_sub(1) else {
        return String::new();
    };
    let mut out = String::with_capacity(max + 3);
    let mut w = 0;
    for g in c.graphemes(true) {
        let gw = g.width();
        if w + gw > room {
            break;
        }
        out.push_str(g);
        w += gw;
    }
    out.push('…');
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
                w.write_all(fragment.as_bytes().get(start..i).unwrap_or_default())?;
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    write!(w, "\\u{:04x}", unit)?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(fragment.as_bytes().get(start..).unwrap_or_default())
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
    fn invisible_code_points_are_escaped() {
        // Issue 10 item 10: each of these passed unescaped and allowed look-alike names.
        let listed = [
            '\u{AD}',
            '\u{61C}',
            '\u{180E}',
            '\u{206A}',
            '\u{206F}',
            '\u{E0001}',
            '\u{E007F}',
            '\u{1D173}',
            '\u{1D17A}',
            '\u{115F}',
            '\u{1160}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{34F}',
            '\u{17B4}',
            '\u{17B5}',
            '\u{FE0F}',
            '\u{FE00}',
            '\u{E0100}',
            '\u{E01EF}',
            '\u{600}',
            '\u{13430}',
            '\u{1BCA0}',
            '\u{180B}',
            '\u{2065}',
        ];
        for c in listed {
            assert!(is_dangerous(c), "U+{:04X}", c as u32);
            let name = format!("adm{c}in");
            assert_eq!(clean(&name), format!("adm\\u{{{:x}}}in", c as u32));
        }
        for ok in ['a', 'é', '日', '\u{1F600}', 'ß', '\u{301}', ' ', '\u{A0}'] {
            assert!(!is_dangerous(ok), "U+{:04X}", ok as u32);
        }
    }

    #[test]
    fn width_cut() {
        assert_eq!(clean_width("abcdef", 4), "abc…");
        assert_eq!(clean_width("abc", 4), "abc");
        assert_eq!(clean_width("日本語テキスト", 5), "日本…");
        assert_eq!(clean_width("日本語テキスト", 4), "日…");
        assert_eq!(clean_width("abc", 0), "");
        assert_eq!(clean_width("abc", 1), "…");
        // An accent written as a combining mark stays with its letter.
        assert_eq!(clean_width("cafe\u{301}s-du-monde", 5), "cafe\u{301}…");
        assert_eq!(
            clean_width("e\u{301}e\u{301}e\u{301}", 3),
            "e\u{301}e\u{301}e\u{301}"
        );
        // Emoji are two columns wide and never halved.
        assert_eq!(clean_width("🔥🔥🔥", 4), "🔥…");
        assert_eq!(width("🔥日a"), 5);
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

        #[test]
        fn invisible_heavy_text_is_cleaned_once_and_for_all(
            s in "[a-z\\x00-\\x1f\\u{7f}-\\u{a0}\\u{ad}\\u{34f}\\u{600}-\\u{61c}\\u{115f}-\\u{1160}\\u{17b4}-\\u{180f}\\u{2000}-\\u{206f}\\u{3164}\\u{fe00}-\\u{feff}\\u{ffa0}\\u{fff0}-\\u{fffb}\\u{1d173}-\\u{1d17a}\\u{e0000}-\\u{e01ef}]{0,40}"
        ) {
            let c = clean(&s);
            prop_assert!(!c.chars().any(is_dangerous));
            // Escapes are plain ASCII: cleaning again changes nothing.
            prop_assert_eq!(clean(&c), c.clone());
            prop_assert!(!clean_width(&s, 12).chars().any(is_dangerous));
        }

        #[test]
        fn a_cut_fits_and_shows_the_ellipsis(s in "\\PC{0,30}", max in 0usize..20) {
            let c = clean_width(&s, max);
            prop_assert!(width(&c) <= max);
            if width(&s) > max && max > 0 {
                prop_assert!(c.ends_with('…'));
            }
            if width(&s) <= max {
                prop_assert_eq!(c, clean(&s).into_owned());
            }
        }
    }
}
