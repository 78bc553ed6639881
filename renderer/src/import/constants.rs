//! Lottie's enumerated fields (blend mode `bm`, track matte `tt`, mask mode `mode`), read through
//! velato's schema types.
//!
//! velato's schema defines which values are legal; a value it rejects becomes one warning and the
//! field's default, never an error. Numbers are normalised first (`3.0` and `"3"` read as `3`), since
//! real exporters write both and velato's integer enums accept only integers.

use serde::de::DeserializeOwned;
use velato::schema::constants::blend_mode::BlendMode as SchemaBlend;
use velato::schema::constants::mask_mode::MaskMode as SchemaMask;
use velato::schema::constants::matte_mode::MatteMode as SchemaMatte;

use super::json::{Kind, Value, int_at, str_at};

/// What an enumerated field holds.
pub(crate) enum Field<T> {
    /// The field is absent.
    Absent,
    /// A value velato's schema accepts.
    Known(T),
    /// A value it does not, as written in the file (for the warning).
    Unknown(String),
}

fn read<T: DeserializeOwned>(value: serde_json::Value) -> Field<T> {
    let shown = value.to_string();
    serde_json::from_value(value).map_or(Field::Unknown(shown), Field::Known)
}

/// Reads the integer enum at `obj[key]` (blend mode, matte mode) through velato's schema.
fn int_enum<T: DeserializeOwned>(obj: &Value<'_>, key: &str) -> Field<T> {
    match (obj.get(key), int_at(obj, key)) {
        (None, _) => Field::Absent,
        (Some(raw), _) if matches!(raw.kind(), Kind::Null) => Field::Absent,
        (Some(_), Some(n)) => read(serde_json::Value::from(n)),
        (Some(raw), None) => Field::Unknown(sonic_rs::to_string(raw).unwrap_or_default()),
    }
}

/// The layer blend mode `bm`.
pub(crate) fn blend_mode(obj: &Value<'_>) -> Field<SchemaBlend> {
    int_enum(obj, "bm")
}

/// The track matte mode `tt` of a matted layer.
pub(crate) fn matte_mode(obj: &Value<'_>) -> Field<SchemaMatte> {
    int_enum(obj, "tt")
}

/// The mask mode `mode`; absent reads as add, as After Effects writes it.
pub(crate) fn mask_mode(obj: &Value<'_>) -> Field<SchemaMask> {
    match str_at(obj, "mode") {
        None => Field::Known(SchemaMask::Add),
        Some(s) => read(serde_json::Value::from(s)),
    }
}

#[cfg(test)]
mod tests {
    use sonic_rs::json;

    use super::*;
    use crate::import::json::leak;

    #[test]
    fn enums_read_through_velato_schema() {
        assert!(matches!(
            blend_mode(&leak(json!({"bm": 3}))),
            Field::Known(SchemaBlend::Overlay)
        ));
        assert!(matches!(
            blend_mode(&leak(json!({"bm": 3.0}))),
            Field::Known(SchemaBlend::Overlay)
        ));
        assert!(matches!(blend_mode(&leak(json!({}))), Field::Absent));
        assert!(matches!(blend_mode(&leak(json!({"bm": 99}))), Field::Unknown(s) if s == "99"));
        assert!(matches!(
            matte_mode(&leak(json!({"tt": 4}))),
            Field::Known(SchemaMatte::InvertedLuma)
        ));
        assert!(matches!(
            mask_mode(&leak(json!({"mode": "s"}))),
            Field::Known(SchemaMask::Subtract)
        ));
        assert!(matches!(
            mask_mode(&leak(json!({}))),
            Field::Known(SchemaMask::Add)
        ));
        assert!(matches!(
            mask_mode(&leak(json!({"mode": "z"}))),
            Field::Unknown(_)
        ));
    }
}
