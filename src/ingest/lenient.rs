//! Lenient JSON field types shared by the JSON parsers. Real exports disagree
//! on types: Sentinel's `az` output carries dynamic columns as JSON *text*,
//! result codes come as `0` or `"0"`, booleans as `true` or `"true"`. These
//! types accept every such spelling while decoding typed and borrowed, so the
//! hot path never builds a `serde_json::Value`.

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// One JSON value as the lenient types below see it: a scalar (text
/// borrowed where the input allows), or `Absent` for null and for objects
/// and arrays (which are skipped rather than failing the whole record).
enum Scalar<'a> {
    Str(Cow<'a, str>),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Absent,
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::I64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar::U64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Scalar::F64(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Absent)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Absent)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V(PhantomData))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Absent)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Absent)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A string that may arrive as a JSON string, number or boolean.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'a> Text<'a> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(match Scalar::deserialize(d)? {
            Scalar::Str(s) => s,
            Scalar::I64(v) => Cow::Owned(v.to_string()),
            Scalar::U64(v) => Cow::Owned(v.to_string()),
            Scalar::F64(v) => Cow::Owned(v.to_string()),
            Scalar::Bool(v) => Cow::Borrowed(if v { "true" } else { "false" }),
            Scalar::Absent => Cow::Borrowed(""),
        }))
    }
}

/// A number that may arrive as a JSON number or a string ("4", "12.5").
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Num(pub Option<f64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Numbers are taken as they are (never printed and parsed back).
        let v = match Scalar::deserialize(d)? {
            Scalar::Str(s) => s.trim().parse::<f64>().ok(),
            Scalar::I64(v) => Some(v as f64),
            Scalar::U64(v) => Some(v as f64),
            Scalar::F64(v) => Some(v),
            Scalar::Bool(_) | Scalar::Absent => None,
        };
        Ok(Num(v.filter(|v| v.is_finite())))
    }
}

/// A boolean that may arrive as `true`, `"true"`, `"True"`, `1` or `"1"`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let yes_no = |yes: bool, no: bool| match (yes, no) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        Ok(Flag(match Scalar::deserialize(d)? {
            Scalar::Bool(v) => Some(v),
            Scalar::Str(s) => {
                let v = s.trim();
                let is = |w: &str| v.eq_ignore_ascii_case(w);
                yes_no(
                    is("true") || v == "1" || is("yes"),
                    is("false") || v == "0" || is("no"),
                )
            }
            Scalar::I64(v) => yes_no(v == 1, v == 0),
            Scalar::U64(v) => yes_no(v == 1, v == 0),
            Scalar::F64(v) => yes_no(v == 1.0, v == 0.0),
            Scalar::Absent => None,
        }))
    }
}

/// A nested object that may arrive as an object or as JSON text holding the
/// object (Sentinel dynamic columns). Unparseable text or `null` gives `None`
/// rather than failing the record.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjOrText<T>(pub Option<T>);

impl<T> Default for ObjOrText<T> {
    fn default() -> Self {
        ObjOrText(None)
    }
}

impl<T> ObjOrText<T> {
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ObjOrText<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = ObjOrText<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object, an array, or JSON text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let v = v.trim();
                if v.is_empty() {
                    return Ok(ObjOrText(None));
                }
                Ok(ObjOrText(serde_json::from_str::<T>(v).ok()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(m)).map(|t| ObjOrText(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::SeqAccessDeserializer::new(s)).map(|t| ObjOrText(Some(t)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjOrText(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjOrText(None))
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(self)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(ObjOrText(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(ObjOrText(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(ObjOrText(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(ObjOrText(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A list of strings that may arrive as an array, as JSON text of an array,
/// or as a comma-separated string (`RiskEventTypes_V2` in its many shapes).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StrList(pub Vec<String>);

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let v = v.trim();
                if v.starts_with('[') {
                    if let Ok(list) = serde_json::from_str::<Vec<Text>>(v) {
                        return Ok(StrList(
                            list.into_iter()
                                .map(|t| t.0.into_owned())
                                .filter(|s| !s.is_empty())
                                .collect(),
                        ));
                    }
                }
                Ok(StrList(
                    v.split([',', ';'])
                        .map(|s| s.trim().trim_matches('"').to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                ))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = s.next_element::<Text>()? {
                    if !t.0.is_empty() {
                        out.push(t.0.into_owned());
                    }
                }
                Ok(StrList(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StrList::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StrList::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StrList::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Loc {
        #[serde(rename = "countryOrRegion", default)]
        country: Option<String>,
    }

    #[derive(Deserialize)]
    struct Row<'a> {
        #[serde(borrow, default)]
        code: Text<'a>,
        #[serde(default)]
        loc: ObjOrText<Loc>,
        #[serde(default)]
        flag: Flag,
        #[serde(default)]
        n: Num,
        #[serde(default)]
        list: StrList,
    }

    #[test]
    fn accepts_every_spelling() {
        let a: Row = serde_json::from_str(
            r#"{"code":0,"loc":{"countryOrRegion":"US"},"flag":"True","n":"4","list":["a","b"]}"#,
        )
        .unwrap();
        assert_eq!(a.code.as_str(), "0");
        assert_eq!(a.loc.get().unwrap().country.as_deref(), Some("US"));
        assert_eq!(a.flag.0, Some(true));
        assert_eq!(a.n.0, Some(4.0));
        assert_eq!(a.list.0, vec!["a", "b"]);
        let b: Row = serde_json::from_str(
            r#"{"code":"50126","loc":"{\"countryOrRegion\":\"NL\"}","flag":false,"n":2.5,"list":"[\"x\"]"}"#,
        )
        .unwrap();
        assert_eq!(b.code.as_str(), "50126");
        assert_eq!(b.loc.get().unwrap().country.as_deref(), Some("NL"));
        assert_eq!(b.list.0, vec!["x"]);
        let c: Row = serde_json::from_str(r#"{"loc":null,"list":"a, b","code":null}"#).unwrap();
        assert!(c.loc.get().is_none());
        assert_eq!(c.list.0, vec!["a", "b"]);
        assert_eq!(c.code.as_str(), "");
        let d: Row = serde_json::from_str(r#"{"loc":"not json","code":{"x":1}}"#).unwrap();
        assert!(d.loc.get().is_none());
    }

    #[test]
    fn numbers_and_flags_in_every_spelling() {
        let num = |j: &str| serde_json::from_str::<Num>(j).unwrap().0;
        assert_eq!(num("8075"), Some(8075.0));
        assert_eq!(num("-33.87"), Some(-33.87));
        assert_eq!(num(r#"" 12.5 ""#), Some(12.5));
        assert_eq!(num("18446744073709551615"), Some(u64::MAX as f64));
        for absent in [
            "null",
            "true",
            r#""""#,
            r#""n/a""#,
            r#""NaN""#,
            "[1]",
            r#"{"a":1}"#,
        ] {
            assert_eq!(num(absent), None, "{absent}");
        }
        let flag = |j: &str| serde_json::from_str::<Flag>(j).unwrap().0;
        for yes in ["true", "1", "1.0", r#""True""#, r#"" yes ""#, r#""1""#] {
            assert_eq!(flag(yes), Some(true), "{yes}");
        }
        for no in ["false", "0", r#""FALSE""#, r#""no""#, r#""0""#] {
            assert_eq!(flag(no), Some(false), "{no}");
        }
        for absent in ["null", "2", r#""maybe""#, "[true]", "{}"] {
            assert_eq!(flag(absent), None, "{absent}");
        }
    }
}
