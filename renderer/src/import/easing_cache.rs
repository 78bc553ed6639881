//! rlottie's shared keyframe easing curves, found by a pre-pass over the JSON in document order.
//!
//! rlottie keeps one easing curve per *key*: the keyframe's `n` name when it has one, else its
//! tangents printed as `"%.2f_%.2f_%.2f_%.2f"` (in x, in y, out x, out y). The first keyframe
//! with a key creates the curve and every later keyframe with the same key reuses it, so a
//! keyframe with `o.x = 0.333` eases with `0.33` if a keyframe with `0.33` came first. The
//! difference reaches several pixels on fast rotations and moves (`tdesktop__intro.tgs`), so we
//! reproduce it: [`scan`] walks the document in order, as rlottie's streaming parser does, and
//! records the first curve for each key; the importer then looks each keyframe's key up.

use std::collections::HashMap;

use super::json::{Kind, NULL, Value};

/// Easing control points `(x1, y1, x2, y2)` = (`o.x`, `o.y`, `i.x`, `i.y`) by rlottie key.
#[derive(Debug, Default)]
pub(crate) struct EasingCache {
    /// With foldhash: the keys are short, and the standard `SipHash` was most of this map's cost.
    by_key: HashMap<Key, [f64; 4], foldhash::fast::RandomState>,
}

/// rlottie's cache key, without printing it: a name, or the tangents as rlottie prints them
/// (`%.2f` of the `f32` value), kept as the `f64` bits of the value times 100 rounded to an
/// integer, half to even, sign kept (so `-0.001` prints, and keys, as `-0.00`). Printing to two
/// decimals is exactly that rounding of the exact binary value, and an `f32` times 100 is exact
/// in `f64`. A name spelled like a printed key (`0.33_1.00_0.67_0.00`) is that key, as in
/// rlottie, where both share one map.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Name(String),
    Curve([u64; 4]),
}

impl Key {
    fn curve(values: [f64; 4]) -> Self {
        Self::Curve(values.map(|v| hundredths(f64::from(v as f32))))
    }

    fn name(name: &str) -> Self {
        let mut parts = name.split('_');
        let mut curve = [0; 4];
        for slot in &mut curve {
            let Some(value) = parts
                .next()
                .and_then(|p| p.parse::<f64>().ok().filter(|v| format!("{v:.2}") == p))
            else {
                return Self::Name(name.to_owned());
            };
            *slot = hundredths(value);
        }
        if parts.next().is_some() {
            return Self::Name(name.to_owned());
        }
        Self::Curve(curve)
    }
}

/// `v` in hundredths, rounded half to even, as the bits of an `f64` (keeping `-0.0` apart).
fn hundredths(v: f64) -> u64 {
    (v * 100.0).round_ties_even().to_bits()
}

impl EasingCache {
    /// The shared curve of keyframe `kf` with tangents `i` and `o`, if rlottie would share one:
    /// the first one of its key in the document. The key is made again from the keyframe, as
    /// [`scan`] made it (it is cheap: no printing).
    pub(crate) fn curve(&self, kf: &Value<'_>, i: &Value<'_>, o: &Value<'_>) -> Option<[f64; 4]> {
        let (key, _) = key_of(kf.get("n"), i, o);
        self.by_key.get(&key).copied()
    }
}

/// Reads a tangent's `x` or `y` as rlottie does: a number, or the first element of an array.
fn first(v: Option<&Value<'_>>) -> f64 {
    let v = match v.map(Value::kind) {
        Some(Kind::Array(a)) => a.first(),
        _ => v,
    };
    v.and_then(|v| v.as_f64())
        .filter(|x| x.is_finite())
        .unwrap_or(0.0)
}

/// Returns the rlottie cache key and control points of a keyframe's tangents.
pub(crate) fn key_of(name: Option<&Value<'_>>, i: &Value<'_>, o: &Value<'_>) -> (Key, [f64; 4]) {
    let (ix, iy) = (first(i.get("x")), first(i.get("y")));
    let (ox, oy) = (first(o.get("x")), first(o.get("y")));
    let named = match name.map(Value::kind) {
        Some(Kind::String(s)) if !s.is_empty() => Some(s),
        Some(Kind::Array(a)) => a.first().and_then(|n| n.as_str()),
        _ => None,
    };
    // The key is made from rlottie's f32 values; the curve keeps full precision.
    let key = named.map_or_else(|| Key::curve([ix, iy, ox, oy]), Key::name);
    (key, [ox, oy, ix, iy])
}

/// Fills `cache` from the document, in document order (objects keep their keys in file order).
pub(crate) fn scan(doc: &Value<'_>, cache: &mut EasingCache) {
    visit(doc, cache);
}

fn visit(v: &Value<'_>, cache: &mut EasingCache) {
    let pairs = match *v {
        Value::Array(items) => {
            // Most arrays hold numbers: a tag compare each.
            for item in items.iter().filter(|item| item.is_container()) {
                visit(item, cache);
            }
            return;
        }
        Value::Object(pairs) => pairs,
        _ => return,
    };
    // As rlottie's streaming parser: the keys in order, a repeated key overriding; the tangents
    // (`i`, `o`), name (`n`) and hold (`h`) are read, not searched for keyframes.
    let (mut t, mut hold) = (false, false);
    let (mut i, mut o, mut n) = (None, None, None);
    for (key, value) in pairs {
        match *key {
            "t" => t = true,
            "i" => i = Some(value),
            "o" => o = Some(value),
            "n" => n = Some(value),
            "h" => {
                hold = match value.kind() {
                    Kind::Number(h) => h != 0.0,
                    Kind::Bool(b) => b,
                    _ => false,
                };
            }
            _ if value.is_container() => visit(value, cache),
            _ => {}
        }
    }
    // A keyframe: rlottie makes (or reuses) a curve when it has `i` and is not a hold.
    if let (true, false, Some(i)) = (t, hold, i)
        && i.is_object()
    {
        let (key, curve) = key_of(n, i, o.unwrap_or(&NULL));
        cache.by_key.entry(key).or_insert(curve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easing_cache_first_curve_wins_by_rounded_key() {
        let json = br#"{"a":[{"t":0,"s":[0],"i":{"x":[0.3],"y":[1]},"o":{"x":[0.33],"y":[0]}},
            {"t":5,"s":[1],"i":{"x":[0.3],"y":[1]},"o":{"x":[0.333],"y":[0]}},
            {"t":9,"s":[1],"h":1,"i":{"x":[0.9],"y":[1]},"o":{"x":[0.9],"y":[0]}}]}"#;
        let mut cache = EasingCache::default();
        let doc = super::super::json::parse(json).unwrap();
        super::super::json::with_tree(&doc, |v| scan(v, &mut cache));
        assert_eq!(cache.by_key.len(), 1, "the hold is not eased: {cache:?}");
        let curve = cache.by_key[&Key::name("0.30_1.00_0.33_0.00")];
        assert!(
            (curve[0] - 0.33).abs() < 1e-6,
            "first keyframe's curve: {curve:?}"
        );
    }

    /// The key is rlottie's printed `%.2f` key, without the printing.
    #[test]
    fn curve_keys_match_printed_keys() {
        let printed = |v: f64| format!("{:.2}", v as f32);
        let mut values = vec![
            0.0, -0.0, 0.125, 0.375, -0.125, 0.005, 0.015, 0.025, -0.004, 1e39,
        ];
        // A deterministic spread of awkward values: near every hundredth and its halves.
        for i in -2000..2000 {
            let base = f64::from(i) / 200.0;
            for d in [-1e-7, -1e-9, 0.0, 1e-9, 1e-7] {
                values.push(base + d);
            }
        }
        let key = |v: f64| Key::curve([v, 0.0, 0.0, 0.0]);
        for (n, &a) in values.iter().enumerate() {
            assert_eq!(
                Key::name(&format!("{}_0.00_0.00_0.00", printed(a))),
                key(a),
                "{a}"
            );
            for &b in &values[n.saturating_sub(12)..n] {
                assert_eq!(printed(a) == printed(b), key(a) == key(b), "{a} {b}");
            }
        }
        assert_eq!(Key::name("pop"), Key::Name("pop".into()));
        assert_eq!(
            Key::name("0.3_1.00_0.33_0.00"),
            Key::Name("0.3_1.00_0.33_0.00".into())
        );
    }
}
