//! The parsed document and lenient accessors over it: wrong types and non-finite numbers read
//! as absent.
//!
//! The bytes are parsed by [`sonic_rs`] (SIMD, numbers read exactly, objects kept as their pairs
//! in file order) and its document is then copied, in one visit of each node, into a tree of our
//! own [`Value`]s in an arena ([`bumpalo`]): arrays and objects are slices of the arena, so the
//! import's accessors are a match on a tag and a slice index, where sonic-rs's decode a packed
//! node on every call. The same visit checks the nesting depth (deeper than 127 levels is an
//! error, as with `serde_json`, whose limit the import was written against). A duplicate key
//! reads as its last value.

use bumpalo::Bump;
use sonic_rs::{JsonNumberTrait as _, ValueRef};

use crate::error::Error;

/// Deepest nesting of arrays and objects accepted, as `serde_json` (whose limit the import was
/// written against): the import's walks recurse once per level.
pub(crate) const MAX_DEPTH: usize = 127;

/// A JSON value of the document: copied out of sonic-rs's, its arrays and objects slices of the
/// arena the document was copied into, its strings borrowed from sonic-rs's document.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) enum Value<'a> {
    #[default]
    Null,
    Bool(bool),
    /// A number written as a non-negative integer that fits `u64`.
    U64(u64),
    /// A number written as a negative integer that fits `i64`.
    I64(i64),
    /// Any other number.
    F64(f64),
    String(&'a str),
    Array(&'a [Self]),
    /// The key-value pairs in file order (a repeated key is kept as often as it is written).
    Object(&'a [Pair<'a>]),
}

/// A key and its value in an object.
pub(crate) type Pair<'a> = (&'a str, Value<'a>);

/// Parses a document with sonic-rs, mapping parse errors to [`Error::Json`] with the parser's
/// first line (its message, line and column; not the echo of the input that follows).
pub(crate) fn parse(bytes: &[u8]) -> Result<sonic_rs::Value, Error> {
    sonic_rs::from_slice::<sonic_rs::Value>(bytes).map_err(|e| {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("invalid JSON").trim_end();
        Error::Json(<serde_json::Error as serde::de::Error>::custom(first))
    })
}

/// Copies a parsed document into `arena` as a tree of [`Value`]s.
///
/// # Errors
///
/// [`Error::Json`] when arrays and objects nest deeper than [`MAX_DEPTH`].
pub(crate) fn tree<'a>(doc: &'a sonic_rs::Value, arena: &'a Bump) -> Result<Value<'a>, Error> {
    let mut copier = Copier {
        arena,
        too_deep: false,
    };
    let root = copier.value(doc, 1);
    if copier.too_deep {
        return Err(Error::Json(
            <serde_json::Error as serde::de::Error>::custom("recursion limit exceeded"),
        ));
    }
    Ok(root)
}

/// The copy of sonic-rs's document: one type decode of each node (most of a Lottie file is
/// numbers), the depth counted on the way down.
struct Copier<'a> {
    arena: &'a Bump,
    /// Set when a container deeper than [`MAX_DEPTH`] was met; the copy then stops descending.
    too_deep: bool,
}

impl<'a> Copier<'a> {
    /// Copies one value at nesting level `depth` (the top level is 1).
    #[inline]
    fn value(&mut self, v: &'a sonic_rs::Value, depth: usize) -> Value<'a> {
        match v.as_ref() {
            ValueRef::Null => Value::Null,
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Number(n) => {
                if let Some(u) = n.as_u64() {
                    Value::U64(u)
                } else if let Some(i) = n.as_i64() {
                    Value::I64(i)
                } else {
                    n.as_f64().map_or(Value::Null, Value::F64)
                }
            }
            ValueRef::String(s) => Value::String(s),
            ValueRef::Array(items) => self.array(items.as_slice(), depth),
            ValueRef::Object(pairs) => self.object(pairs.iter(), depth),
        }
    }

    fn array(&mut self, items: &'a [sonic_rs::Value], depth: usize) -> Value<'a> {
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return Value::Null;
        }
        let out = self.arena.alloc_slice_fill_copy(items.len(), Value::Null);
        for (slot, item) in out.iter_mut().zip(items) {
            *slot = self.value(item, depth + 1);
        }
        Value::Array(out)
    }

    fn object(&mut self, pairs: sonic_rs::value::object::Iter<'a>, depth: usize) -> Value<'a> {
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return Value::Null;
        }
        let out = self
            .arena
            .alloc_slice_fill_copy(pairs.len(), ("", Value::Null));
        for (slot, (key, item)) in out.iter_mut().zip(pairs) {
            *slot = (key, self.value(item, depth + 1));
        }
        Value::Object(out)
    }
}

/// What a JSON value is, for matching.
pub(crate) enum Kind<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(&'a str),
    Array(&'a [Value<'a>]),
    Object,
}

impl<'a> Value<'a> {
    /// The value's kind, with its contents (any number as `f64`).
    pub(crate) fn kind(&self) -> Kind<'a> {
        match *self {
            Self::Null => Kind::Null,
            Self::Bool(b) => Kind::Bool(b),
            Self::U64(_) | Self::I64(_) | Self::F64(_) => {
                self.as_f64().map_or(Kind::Null, Kind::Number)
            }
            Self::String(s) => Kind::String(s),
            Self::Array(a) => Kind::Array(a),
            Self::Object(_) => Kind::Object,
        }
    }

    /// `self[key]` of an object (the last one when the key is repeated); `None` otherwise.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Self> {
        // Every pair is looked at, so that a repeated key reads as its last value.
        self.pairs()
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// The pairs of an object in file order; empty for any other value.
    pub(crate) fn pairs(&self) -> &'a [Pair<'a>] {
        match *self {
            Self::Object(pairs) => pairs,
            _ => &[],
        }
    }

    /// The elements of an array.
    pub(crate) fn as_array(&self) -> Option<&'a [Self]> {
        match *self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// A string's text.
    pub(crate) fn as_str(&self) -> Option<&'a str> {
        match *self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number (any JSON number) as `f64`.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match *self {
            Self::U64(u) => Some(u as f64),
            Self::I64(i) => Some(i as f64),
            Self::F64(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the value is an object.
    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Self::Object(_))
    }

    /// Whether the value is a string.
    pub(crate) fn is_string(&self) -> bool {
        matches!(self, Self::String(_))
    }

    /// Whether the value is an array or an object.
    pub(crate) fn is_container(&self) -> bool {
        matches!(self, Self::Array(_) | Self::Object(_))
    }
}

/// Written as sonic-rs writes its own document (integers as integers, pairs in order), for
/// quoting a value in a warning or an id.
impl serde::Serialize for Value<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Null => s.serialize_unit(),
            Self::Bool(b) => s.serialize_bool(b),
            Self::U64(u) => s.serialize_u64(u),
            Self::I64(i) => s.serialize_i64(i),
            Self::F64(f) => s.serialize_f64(f),
            Self::String(t) => s.serialize_str(t),
            Self::Array(items) => s.collect_seq(items),
            Self::Object(pairs) => s.collect_map(pairs.iter().map(|(k, v)| (k, v))),
        }
    }
}

/// A value as JSON text, as sonic-rs writes it.
pub(crate) fn to_text(v: &Value<'_>) -> String {
    sonic_rs::to_string(v).unwrap_or_default()
}

/// The value `null`, for "absent" where a reference is needed.
pub(crate) static NULL: Value<'static> = Value::Null;

/// The largest magnitude any number read from a file keeps; larger ones are clamped to it.
///
/// No real animation comes near it (coordinates, frames and percentages stay far below), while
/// values like `1e308` would make geometry take unbounded time: arc lengths and flattening work to an
/// absolute accuracy, so their cost grows with the size of the curve. Clamping every number at the
/// one place numbers are read keeps the whole engine bounded.
pub(crate) const MAX_MAGNITUDE: f64 = 1.0e6;

/// Reads a finite number, clamped to [`MAX_MAGNITUDE`]; a one-element (or longer) array reads as
/// its first element.
pub(crate) fn num(v: Option<&Value<'_>>) -> Option<f64> {
    let x = match *v? {
        Value::F64(f) => f,
        Value::U64(u) => u as f64,
        Value::I64(i) => i as f64,
        Value::Array(a) => return num(a.first()),
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        Value::Null | Value::Object(_) => return None,
    };
    x.is_finite()
        .then(|| x.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE))
}

/// Reads `obj[key]` as a finite number.
pub(crate) fn num_at(obj: &Value<'_>, key: &str) -> Option<f64> {
    num(obj.get(key))
}

/// Reads `obj[key]` as a boolean (`true`, or a non-zero number).
pub(crate) fn flag(obj: &Value<'_>, key: &str) -> bool {
    flag_value(obj.get(key))
}

/// Reads a value as a boolean (`true`, or a non-zero number); absent is `false`.
pub(crate) fn flag_value(v: Option<&Value<'_>>) -> bool {
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
pub(crate) fn for_each_field<'a>(obj: &Value<'a>, mut f: impl FnMut(&str, &'a Value<'a>)) {
    for (k, v) in obj.pairs() {
        f(k, v);
    }
}

/// Reads `obj[key]` as an integer-ish number.
pub(crate) fn int_at(obj: &Value<'_>, key: &str) -> Option<i64> {
    num_at(obj, key).map(|x| x.round().clamp(-9e15, 9e15) as i64)
}

/// Reads `obj[key]` as a string.
pub(crate) fn str_at<'a>(obj: &Value<'a>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// Reads a list of finite numbers; a bare number reads as a one-element list. Non-finite
/// elements read as 0.
pub(crate) fn nums(v: Option<&Value<'_>>, out: &mut Vec<f64>) -> bool {
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
pub(crate) fn arr<'a>(obj: &Value<'a>, key: &str) -> &'a [Value<'a>] {
    obj.get(key).and_then(Value::as_array).unwrap_or(&[])
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

/// sonic-rs's document `doc` as a tree that lives as long as the test (both leaked).
#[cfg(test)]
pub(crate) fn leak(doc: sonic_rs::Value) -> Value<'static> {
    let doc = Box::leak(Box::new(doc));
    tree(doc, Box::leak(Box::new(Bump::new()))).expect("nests less than MAX_DEPTH")
}

/// Calls `f` with sonic-rs's document `doc` copied into a fresh arena (for tests).
#[cfg(test)]
pub(crate) fn with_tree<R>(doc: &sonic_rs::Value, f: impl FnOnce(&Value<'_>) -> R) -> R {
    let arena = Bump::new();
    f(&tree(doc, &arena).expect("nests less than MAX_DEPTH"))
}

#[cfg(test)]
mod tests {
    use sonic_rs::json;

    use super::*;

    #[test]
    fn num_clamps_huge_and_drops_non_finite() {
        let n = |doc: sonic_rs::Value| with_tree(&doc, |v| num(Some(v)));
        assert_eq!(n(json!(1e308)), Some(MAX_MAGNITUDE));
        assert_eq!(n(json!(-1e308)), Some(-MAX_MAGNITUDE));
        assert_eq!(n(json!("1e999")), None);
        assert_eq!(n(json!([2.5, 7])), Some(2.5));
        assert_eq!(n(json!(null)), None);
        assert_eq!(n(json!(true)), Some(1.0));
        assert_eq!(n(json!(" 3 ")), Some(3.0));
    }

    #[test]
    fn repeated_key_reads_as_its_last_value() {
        let doc = parse(br#"{"a":1,"b":2,"a":3}"#).unwrap();
        with_tree(&doc, |v| {
            assert_eq!(num_at(v, "a"), Some(3.0));
            assert_eq!(num_at(v, "c"), None);
            let keys: Vec<&str> = v.pairs().iter().map(|(k, _)| *k).collect();
            assert_eq!(keys, ["a", "b", "a"], "pairs in file order");
        });
    }

    #[test]
    fn parse_errors_are_one_line() {
        let err = parse(b"{oops").unwrap_err().to_string();
        assert!(
            err.contains("line 1 column 2") && !err.contains('\n'),
            "{err}"
        );
    }

    /// 127 levels of arrays and objects are accepted, 128 are an error (sonic-rs itself accepts
    /// 254).
    #[test]
    fn nesting_deeper_than_the_limit_is_an_error() {
        let nested = |depth: usize| {
            let open: String = (0..depth)
                .map(|i| if i % 2 == 0 { "[" } else { r#"{"a":"# })
                .collect();
            let close: String = (0..depth)
                .rev()
                .map(|i| if i % 2 == 0 { "]" } else { "}" })
                .collect();
            format!("{open}1{close}")
        };
        let arena = Bump::new();
        let ok = parse(nested(MAX_DEPTH).as_bytes()).unwrap();
        assert!(tree(&ok, &arena).is_ok());
        let deep = parse(nested(MAX_DEPTH + 1).as_bytes()).unwrap();
        let err = tree(&deep, &arena).unwrap_err();
        assert!(
            matches!(err, Error::Json(_)) && err.to_string().contains("recursion limit"),
            "{err}"
        );
    }

    /// The copy keeps every value, and writes back as sonic-rs writes its own document.
    #[test]
    fn tree_writes_back_as_sonic_rs_writes() {
        let text = br#"{"i":1,"n":-2,"f":2.50,"e":1e3,"big":18446744073709551615,"s":"x\"y",
            "a":[true,false,null,[],{}],"o":{"k":[0.1,-0.0]},"o":3}"#;
        let doc = parse(text).unwrap();
        with_tree(&doc, |v| {
            assert_eq!(to_text(v), sonic_rs::to_string(&doc).unwrap());
        });
    }
}
