//! The parsed document and lenient accessors over it: wrong types and non-finite numbers read
//! as absent.
//!
//! The document is a [`sonic_rs::Value`]: parsed in one pass into an arena (no allocation per
//! node, strings and numbers read in place), objects kept as their key-value pairs in file order.
//! The import reads it only through [`Json`], which gives the semantics the import was written
//! for (a duplicate key reads as its last value; nesting deeper than 127 levels is an error), so
//! which parser sits underneath is a detail of this file.

pub(crate) use sonic_rs::Value;
use sonic_rs::ValueRef;

use crate::error::Error;

/// Deepest nesting of arrays and objects accepted, as `serde_json` (whose limit the import was
/// written against): the import's walks recurse once per level.
pub(crate) const MAX_DEPTH: usize = 127;

/// Parses a document, mapping parse errors to [`Error::Json`] with the parser's first line (its
/// message, line and column; not the echo of the input that follows).
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, Error> {
    sonic_rs::from_slice::<Value>(bytes).map_err(|e| {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("invalid JSON").trim_end();
        Error::Json(<serde_json::Error as serde::de::Error>::custom(first))
    })
}

/// What a JSON value is, for matching.
pub(crate) enum Kind<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(&'a str),
    Array(&'a [Value]),
    Object,
}

/// The import's view of a JSON value.
pub(crate) trait Json {
    /// The value's kind, with its contents.
    fn kind(&self) -> Kind<'_>;
    /// `self[key]` of an object (the last one when the key is repeated); `None` otherwise.
    fn get(&self, key: &str) -> Option<&Value>;
    /// The elements of an array.
    fn as_array(&self) -> Option<&[Value]>;
    /// A string's text.
    fn as_str(&self) -> Option<&str>;
    /// A number (any JSON number) as `f64`.
    fn as_f64(&self) -> Option<f64>;
    /// Whether the value is an object.
    fn is_object(&self) -> bool;
    /// Whether the value is a string.
    fn is_string(&self) -> bool;
}

impl Json for Value {
    fn kind(&self) -> Kind<'_> {
        match self.as_ref() {
            ValueRef::Null => Kind::Null,
            ValueRef::Bool(b) => Kind::Bool(b),
            ValueRef::Number(n) => {
                sonic_rs::JsonNumberTrait::as_f64(&n).map_or(Kind::Null, Kind::Number)
            }
            ValueRef::String(s) => Kind::String(s),
            ValueRef::Array(a) => Kind::Array(a),
            ValueRef::Object(_) => Kind::Object,
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        let obj = sonic_rs::JsonContainerTrait::as_object(self)?;
        // Every pair is looked at, so that a repeated key reads as its last value. Keys are one
        // or two letters: comparing the length and first byte first skips most calls to memcmp.
        let mut found = None;
        for (k, v) in obj.iter() {
            if k.len() == key.len() && k.as_bytes().first() == key.as_bytes().first() && k == key {
                found = Some(v);
            }
        }
        found
    }

    fn as_array(&self) -> Option<&[Value]> {
        sonic_rs::JsonContainerTrait::as_array(self).map(|a| &**a)
    }

    fn as_str(&self) -> Option<&str> {
        sonic_rs::JsonValueTrait::as_str(self)
    }

    fn as_f64(&self) -> Option<f64> {
        sonic_rs::JsonValueTrait::as_f64(self)
    }

    fn is_object(&self) -> bool {
        sonic_rs::JsonValueTrait::is_object(self)
    }

    fn is_string(&self) -> bool {
        sonic_rs::JsonValueTrait::is_str(self)
    }
}

/// The value `null`, for "absent" where a reference is needed.
pub(crate) static NULL: Value = Value::new();

/// The largest magnitude any number read from a file keeps; larger ones are clamped to it.
///
/// No real animation comes near it (coordinates, frames and percentages stay far below), while
/// values like `1e308` would make geometry take unbounded time: arc lengths and flattening work to an
/// absolute accuracy, so their cost grows with the size of the curve. Clamping every number at the
/// one place numbers are read keeps the whole engine bounded.
pub(crate) const MAX_MAGNITUDE: f64 = 1.0e6;

/// Reads a finite number, clamped to [`MAX_MAGNITUDE`]; a one-element (or longer) array reads as
/// its first element.
pub(crate) fn num(v: Option<&Value>) -> Option<f64> {
    let x = match v?.kind() {
        Kind::Number(n) => Some(n),
        Kind::Array(a) => return num(a.first()),
        Kind::Bool(b) => Some(f64::from(u8::from(b))),
        Kind::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }?;
    x.is_finite()
        .then(|| x.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE))
}

/// Reads `obj[key]` as a finite number.
pub(crate) fn num_at(obj: &Value, key: &str) -> Option<f64> {
    num(obj.get(key))
}

/// Reads `obj[key]` as a boolean (`true`, or a non-zero number).
pub(crate) fn flag(obj: &Value, key: &str) -> bool {
    flag_value(obj.get(key))
}

/// Reads a value as a boolean (`true`, or a non-zero number); absent is `false`.
pub(crate) fn flag_value(v: Option<&Value>) -> bool {
    match v {
        Some(v) => match v.kind() {
            Kind::Bool(b) => b,
            _ => num(Some(v)).is_some_and(|x| x != 0.0),
        },
        None => false,
    }
}

/// Calls `f` with each key and value of an object, in file order (so that, storing what it is
/// given, a repeated key ends with its last value); nothing for any other value. One pass over
/// the pairs, for reading several fields of one object.
pub(crate) fn for_each_field<'a>(obj: &'a Value, mut f: impl FnMut(&str, &'a Value)) {
    if let Some(pairs) = sonic_rs::JsonContainerTrait::as_object(obj) {
        for (k, v) in pairs.iter() {
            f(k, v);
        }
    }
}

/// Reads `obj[key]` as an integer-ish number.
pub(crate) fn int_at(obj: &Value, key: &str) -> Option<i64> {
    num_at(obj, key).map(|x| x.round().clamp(-9e15, 9e15) as i64)
}

/// Reads `obj[key]` as a string.
pub(crate) fn str_at<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Json::as_str)
}

/// Reads a list of finite numbers; a bare number reads as a one-element list. Non-finite
/// elements read as 0.
pub(crate) fn nums(v: Option<&Value>, out: &mut Vec<f64>) -> bool {
    out.clear();
    let Some(v) = v else { return false };
    match v.kind() {
        Kind::Array(a) => {
            for x in a {
                out.push(num(Some(x)).unwrap_or(0.0));
            }
            true
        }
        Kind::Number(_) => {
            out.push(num(Some(v)).unwrap_or(0.0));
            true
        }
        _ => false,
    }
}

/// Reads `obj[key]` as an array (empty when absent or not an array).
pub(crate) fn arr<'a>(obj: &'a Value, key: &str) -> &'a [Value] {
    obj.get(key).and_then(Json::as_array).unwrap_or(&[])
}

/// Parses `#rrggbb` (or `#rgb`) into linear 0..1 components.
pub(crate) fn hex_color(s: &str) -> Option<[f64; 4]> {
    let s = s.trim().trim_start_matches('#');
    if !s.is_ascii() {
        return None;
    }
    let parse = |h: &str| u8::from_str_radix(h, 16).ok().map(|x| f64::from(x) / 255.0);
    match s.len() {
        6 | 8 => Some([parse(&s[0..2])?, parse(&s[2..4])?, parse(&s[4..6])?, 1.0]),
        3 => {
            let d = |i: usize| parse(&s[i..=i].repeat(2));
            Some([d(0)?, d(1)?, d(2)?, 1.0])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use sonic_rs::json;

    use super::*;

    #[test]
    fn num_clamps_huge_and_drops_non_finite() {
        assert_eq!(num(Some(&json!(1e308))), Some(MAX_MAGNITUDE));
        assert_eq!(num(Some(&json!(-1e308))), Some(-MAX_MAGNITUDE));
        assert_eq!(num(Some(&json!("1e999"))), None);
        assert_eq!(num(Some(&json!([2.5, 7]))), Some(2.5));
        assert_eq!(num(Some(&json!(null))), None);
        assert_eq!(num(Some(&json!(true))), Some(1.0));
        assert_eq!(num(Some(&json!(" 3 "))), Some(3.0));
    }

    #[test]
    fn repeated_key_reads_as_its_last_value() {
        let v = parse(br#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(num_at(&v, "a"), Some(3.0));
        assert_eq!(num_at(&v, "c"), None);
    }

    #[test]
    fn parse_errors_are_one_line() {
        let err = parse(b"{oops").unwrap_err().to_string();
        assert!(
            err.contains("line 1 column 2") && !err.contains('\n'),
            "{err}"
        );
    }
}
