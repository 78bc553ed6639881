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
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Easing control points `(x1, y1, x2, y2)` = (`o.x`, `o.y`, `i.x`, `i.y`) by rlottie key.
pub(crate) type EasingCache = HashMap<String, [f64; 4]>;

/// Reads a tangent's `x` or `y` as rlottie does: a number, or the first element of an array.
fn first(v: Option<&Value>) -> f64 {
    let v = match v {
        Some(Value::Array(a)) => a.first(),
        other => other,
    };
    v.and_then(Value::as_f64)
        .filter(|x| x.is_finite())
        .unwrap_or(0.0)
}

/// Returns the rlottie cache key and control points of a keyframe's tangents.
pub(crate) fn key_of(name: Option<&Value>, i: &Value, o: &Value) -> (String, [f64; 4]) {
    let (ix, iy) = (first(i.get("x")), first(i.get("y")));
    let (ox, oy) = (first(o.get("x")), first(o.get("y")));
    let named = match name {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    // The key is printed from rlottie's f32 values; the curve keeps full precision.
    let key = named.unwrap_or_else(|| {
        let [a, b, c, d] = [ix, iy, ox, oy].map(|v| v as f32);
        format!("{a:.2}_{b:.2}_{c:.2}_{d:.2}")
    });
    (key, [ox, oy, ix, iy])
}

/// Fills `cache` from the document `json`, in document order. Malformed JSON leaves it partial
/// (the main parse reports the error).
pub(crate) fn scan(json: &[u8], cache: &mut EasingCache) {
    let mut de = serde_json::Deserializer::from_slice(json);
    let _ = Scan { cache }.deserialize(&mut de);
}

struct Scan<'a> {
    cache: &'a mut EasingCache,
}

enum Key {
    T,
    I,
    O,
    N,
    H,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "t" => Key::T,
                    "i" => Key::I,
                    "o" => Key::O,
                    "n" => Key::N,
                    "h" => Key::H,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> DeserializeSeed<'de> for Scan<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Scan {
                cache: &mut *self.cache,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut t, mut hold) = (false, false);
        let (mut i, mut o, mut n) = (None, None, None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::T => {
                    t = true;
                    map.next_value::<IgnoredAny>()?;
                }
                Key::I => i = Some(map.next_value::<Value>()?),
                Key::O => o = Some(map.next_value::<Value>()?),
                Key::N => n = Some(map.next_value::<Value>()?),
                Key::H => {
                    let v = map.next_value::<Value>()?;
                    hold = v.as_f64().is_some_and(|h| h != 0.0) || v.as_bool() == Some(true);
                }
                Key::Other => map.next_value_seed(Scan {
                    cache: &mut *self.cache,
                })?,
            }
        }
        // A keyframe: rlottie makes (or reuses) a curve when it has `i` and is not a hold.
        if let (true, false, Some(i)) = (t, hold, &i)
            && i.is_object()
        {
            let o = o.unwrap_or(Value::Null);
            let (key, curve) = key_of(n.as_ref(), i, &o);
            self.cache.entry(key).or_insert(curve);
        }
        Ok(())
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
        let mut cache = EasingCache::new();
        scan(json, &mut cache);
        assert_eq!(cache.len(), 1, "{cache:?}");
        let curve = cache["0.30_1.00_0.33_0.00"];
        assert!(
            (curve[0] - 0.33).abs() < 1e-6,
            "first keyframe's curve: {curve:?}"
        );
    }
}
