//! Lenient accessors over `serde_json::Value`: wrong types and non-finite numbers read as absent.

use serde_json::Value;

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
    let x = match v? {
        Value::Number(n) => n.as_f64(),
        Value::Array(a) => return num(a.first()),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::String(s) => s.trim().parse::<f64>().ok(),
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
    match obj.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(v) => num(Some(v)).is_some_and(|x| x != 0.0),
        None => false,
    }
}

/// Reads `obj[key]` as an integer-ish number.
pub(crate) fn int_at(obj: &Value, key: &str) -> Option<i64> {
    num_at(obj, key).map(|x| x.round().clamp(-9e15, 9e15) as i64)
}

/// Reads `obj[key]` as a string.
pub(crate) fn str_at<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// Reads a list of finite numbers; a bare number reads as a one-element list. Non-finite
/// elements read as 0.
pub(crate) fn nums(v: Option<&Value>, out: &mut Vec<f64>) -> bool {
    out.clear();
    match v {
        Some(Value::Array(a)) => {
            for x in a {
                out.push(num(Some(x)).unwrap_or(0.0));
            }
            true
        }
        Some(x @ Value::Number(_)) => {
            out.push(num(Some(x)).unwrap_or(0.0));
            true
        }
        _ => false,
    }
}

/// Reads `obj[key]` as an array (empty when absent or not an array).
pub(crate) fn arr<'a>(obj: &'a Value, key: &str) -> &'a [Value] {
    obj.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
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
    use super::*;
    use serde_json::json;

    #[test]
    fn num_clamps_huge_and_drops_non_finite() {
        assert_eq!(num(Some(&json!(1e308))), Some(MAX_MAGNITUDE));
        assert_eq!(num(Some(&json!(-1e308))), Some(-MAX_MAGNITUDE));
        assert_eq!(num(Some(&json!("1e999"))), None);
        assert_eq!(num(Some(&json!([2.5, 7]))), Some(2.5));
        assert_eq!(num(Some(&json!(null))), None);
    }
}
