//! Layers, transforms, masks and track mattes.

use std::collections::HashMap;

use kurbo::Vec2;
use peniko::{BlendMode, Compose, Mix};
use serde_json::Value;
use velato::schema::constants::blend_mode::BlendMode as SchemaBlend;
use velato::schema::constants::mask_mode::MaskMode as SchemaMask;
use velato::schema::constants::matte_mode::MatteMode as SchemaMatte;

use super::Ctx;
use super::constants::{self, Field};
use super::json::{arr, flag, hex_color, int_at, num_at, str_at};
use super::properties::property;
use super::shapes;
use crate::error::Error;
use crate::model::Composition;
use crate::model::layer::{Layer, LayerContent, Mask, MaskMode, MatteMode};
use crate::model::shape::PathData;
use crate::model::transform::{Position, Transform};

/// Imports a layer list; `default_out` is the composition's out point (for layers without `op`).
pub(crate) fn composition(
    list: &[Value],
    default_out: f64,
    frame_rate: f64,
    ctx: &mut Ctx,
) -> Result<Composition, Error> {
    ctx.layers += list.len();
    ctx.check_limits()?;
    let mut layers = Vec::with_capacity(list.len());
    let mut index_of = HashMap::new();
    let mut parents = Vec::with_capacity(list.len());
    let mut matte_parents = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        if let Some(ind) = int_at(v, "ind") {
            index_of.entry(ind).or_insert(i);
        }
        parents.push(int_at(v, "parent"));
        matte_parents.push(int_at(v, "tp"));
        layers.push(layer(v, default_out, frame_rate, ctx));
        ctx.check_limits()?;
    }
    // Parents refer to `ind`; a chain that loops is cut with a warning.
    for (i, parent) in parents.iter().enumerate() {
        layers[i].parent = parent.and_then(|p| index_of.get(&p).copied());
        if parent.is_some() && layers[i].parent.is_none() {
            ctx.warn("a layer's parent does not exist; it is drawn without one");
        }
    }
    for i in 0..layers.len() {
        let mut cur = layers[i].parent;
        let mut steps = 0;
        while let Some(p) = cur {
            steps += 1;
            if steps > layers.len() {
                ctx.warn("layer parenting has a cycle; it was cut");
                layers[i].parent = None;
                break;
            }
            cur = layers[p].parent;
        }
    }
    // A track matte's source is the layer named by `tp`, else the layer just above.
    for i in 0..layers.len() {
        let Some((mode, _)) = layers[i].matte else {
            continue;
        };
        let source = match matte_parents[i] {
            Some(tp) => index_of.get(&tp).copied(),
            None => i.checked_sub(1),
        };
        layers[i].matte = source.filter(|&s| s != i).map(|s| (mode, s));
        if let Some(s) = source
            && matte_parents[i].is_some()
        {
            layers[s].is_matte = true;
        }
    }
    Ok(Composition { layers })
}

fn layer(v: &Value, default_out: f64, frame_rate: f64, ctx: &mut Ctx) -> Layer {
    let ty = int_at(v, "ty").unwrap_or(-1);
    let three_d = flag(v, "ddd");
    let ks = v.get("ks").unwrap_or(&Value::Null);
    let transform = transform(ks, three_d, ctx);
    let content = match ty {
        0 => precomp(v, frame_rate, ctx),
        1 => LayerContent::Solid {
            color: str_at(v, "sc")
                .and_then(hex_color)
                .unwrap_or([0.0, 0.0, 0.0, 1.0]),
            width: num_at(v, "sw").unwrap_or(0.0),
            height: num_at(v, "sh").unwrap_or(0.0),
        },
        2 => {
            ctx.warn("image layers are not supported");
            LayerContent::None
        }
        3 | 6 => LayerContent::None,
        4 => LayerContent::Shapes(shapes::root_group(arr(v, "shapes"), ctx)),
        5 => {
            ctx.warn("text layers are not supported");
            LayerContent::None
        }
        13 => {
            ctx.warn("camera layers are not supported");
            LayerContent::None
        }
        other => {
            ctx.warn(format!("layer type {other} is not supported"));
            LayerContent::None
        }
    };
    if arr(v, "ef").iter().any(|e| !flag(e, "hd")) {
        ctx.warn("layer effects are not supported");
    }
    let blend = blend_mode(v, ctx);
    let masks = masks(v, ctx);
    let matte = match constants::matte_mode(v) {
        Field::Known(SchemaMatte::Alpha) => Some((MatteMode::Alpha, usize::MAX)),
        Field::Known(SchemaMatte::InvertedAlpha) => Some((MatteMode::AlphaInverted, usize::MAX)),
        Field::Known(SchemaMatte::Luma) => Some((MatteMode::Luma, usize::MAX)),
        Field::Known(SchemaMatte::InvertedLuma) => Some((MatteMode::LumaInverted, usize::MAX)),
        Field::Known(SchemaMatte::Normal) | Field::Absent => None,
        Field::Unknown(tt) => {
            ctx.warn(format!(
                "track matte mode {tt} is not supported; drawn without matte"
            ));
            None
        }
    };
    let stretch = num_at(v, "sr").filter(|s| s.abs() > 1e-9).unwrap_or(1.0);
    Layer {
        parent: None,
        in_point: num_at(v, "ip").unwrap_or(f64::NEG_INFINITY),
        out_point: num_at(v, "op").unwrap_or(default_out),
        start_time: num_at(v, "st").unwrap_or(0.0),
        stretch,
        transform,
        content,
        masks,
        is_matte: flag(v, "td"),
        matte,
        auto_orient: flag(v, "ao"),
        hidden: flag(v, "hd"),
        blend,
    }
}

/// Reads the layer blend mode `bm` (`None` for normal).
fn blend_mode(v: &Value, ctx: &mut Ctx) -> Option<BlendMode> {
    let mix = match constants::blend_mode(v) {
        Field::Absent | Field::Known(SchemaBlend::Normal) => return None,
        Field::Known(SchemaBlend::Multiply) => Mix::Multiply,
        Field::Known(SchemaBlend::Screen) => Mix::Screen,
        Field::Known(SchemaBlend::Overlay) => Mix::Overlay,
        Field::Known(SchemaBlend::Darken) => Mix::Darken,
        Field::Known(SchemaBlend::Lighten) => Mix::Lighten,
        Field::Known(SchemaBlend::ColorDodge) => Mix::ColorDodge,
        Field::Known(SchemaBlend::ColorBurn) => Mix::ColorBurn,
        Field::Known(SchemaBlend::HardLight) => Mix::HardLight,
        Field::Known(SchemaBlend::SoftLight) => Mix::SoftLight,
        Field::Known(SchemaBlend::Difference) => Mix::Difference,
        Field::Known(SchemaBlend::Exclusion) => Mix::Exclusion,
        Field::Known(SchemaBlend::Hue) => Mix::Hue,
        Field::Known(SchemaBlend::Saturation) => Mix::Saturation,
        Field::Known(SchemaBlend::Color) => Mix::Color,
        Field::Known(SchemaBlend::Luminosity) => Mix::Luminosity,
        Field::Known(SchemaBlend::Add) => return Some(BlendMode::new(Mix::Normal, Compose::Plus)),
        Field::Known(SchemaBlend::HardMix) => {
            ctx.warn("blend mode 17 (hard mix) is not supported; drawn as normal");
            return None;
        }
        Field::Unknown(bm) => {
            ctx.warn(format!("blend mode {bm} is not supported; drawn as normal"));
            return None;
        }
    };
    Some(BlendMode::new(mix, Compose::SrcOver))
}

fn precomp(v: &Value, frame_rate: f64, ctx: &mut Ctx) -> LayerContent {
    let id = match v.get("refId") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let Some(asset) = id.and_then(|id| ctx.assets.get(&id).copied()) else {
        ctx.warn("a precomposition layer refers to a missing asset");
        return LayerContent::None;
    };
    let _ = frame_rate;
    let time_remap = v.get("tm").map(|tm| property(Some(tm), 0.0, ctx));
    LayerContent::Precomp {
        asset,
        width: num_at(v, "w").unwrap_or(0.0),
        height: num_at(v, "h").unwrap_or(0.0),
        time_remap,
    }
}

/// Imports a transform (`ks` of a layer, `tr` of a group).
pub(crate) fn transform(v: &Value, three_d: bool, ctx: &mut Ctx) -> Transform {
    let position = match v.get("p") {
        Some(p) if flag(p, "s") => Position::Split(
            property(p.get("x"), 0.0, ctx),
            property(p.get("y"), 0.0, ctx),
        ),
        p => Position::Combined(property(p, Vec2::ZERO, ctx)),
    };
    let rotation = match (v.get("r"), v.get("rz")) {
        (Some(r), _) => property(Some(r), 0.0, ctx),
        (None, Some(rz)) => property(Some(rz), 0.0, ctx),
        (None, None) => property(None, 0.0, ctx),
    };
    if three_d && orientation_is_set(v.get("or")) {
        ctx.warn("the 3D orientation `or` is ignored, as rlottie does");
    }
    let rotation_3d = if three_d {
        let rx = property(v.get("rx"), 0.0, ctx);
        let ry = property(v.get("ry"), 0.0, ctx);
        (!rx.is_zero() || !ry.is_zero()).then(|| Box::new((rx, ry)))
    } else {
        None
    };
    let mut t = Transform {
        anchor: property(v.get("a"), Vec2::ZERO, ctx),
        position,
        scale: property(v.get("s"), Vec2::new(100.0, 100.0), ctx),
        rotation,
        skew: property(v.get("sk"), 0.0, ctx),
        skew_axis: property(v.get("sa"), 0.0, ctx),
        opacity: property(v.get("o"), 100.0, ctx),
        rotation_3d,
        fixed: None,
    };
    t.resolve_static();
    t
}

/// Returns `true` when a 3D orientation (`or`, degrees about x, y and z) is present and not zero
/// in every keyframe.
fn orientation_is_set(or: Option<&Value>) -> bool {
    let Some(k) = or.and_then(|or| or.get("k")) else {
        return false;
    };
    let nonzero = |v: &Value| match v {
        Value::Array(a) => a.iter().any(|n| n.as_f64().is_some_and(|n| n != 0.0)),
        v => v.as_f64().is_some_and(|n| n != 0.0),
    };
    match k.as_array() {
        Some(keys) if keys.first().is_some_and(Value::is_object) => keys
            .iter()
            .any(|key| ["s", "e"].iter().any(|f| key.get(f).is_some_and(nonzero))),
        _ => nonzero(k),
    }
}

fn masks(v: &Value, ctx: &mut Ctx) -> Vec<Mask> {
    let mut out = Vec::new();
    for m in arr(v, "masksProperties") {
        let mode = match constants::mask_mode(m) {
            Field::Known(SchemaMask::Add) | Field::Absent => MaskMode::Add,
            Field::Known(SchemaMask::Subtract) => MaskMode::Subtract,
            Field::Known(SchemaMask::Intersect) => MaskMode::Intersect,
            Field::Known(SchemaMask::Lighten) => MaskMode::Lighten,
            Field::Known(SchemaMask::Darken) => MaskMode::Darken,
            Field::Known(SchemaMask::Difference) => MaskMode::Difference,
            Field::Known(SchemaMask::None) => continue,
            Field::Unknown(other) => {
                ctx.warn(format!("mask mode {other} is not supported"));
                continue;
            }
        };
        let expansion = m
            .get("x")
            .map(|x| property(Some(x), 0.0, ctx))
            .filter(|x| !x.is_zero());
        let path = property(m.get("pt"), PathData::default(), ctx);
        out.push(Mask {
            mode,
            path,
            opacity: property(m.get("o"), 100.0, ctx),
            inverted: flag(m, "inv"),
            expansion,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use kurbo::Point;
    use serde_json::json;

    use super::*;
    use crate::model::projective::LayerMatrix;

    #[test]
    fn three_d_rotation_flattens_like_rlottie() {
        let ks = json!({
            "p": {"k": [100, 50]}, "a": {"k": [0, 0]}, "s": {"k": [200, 100]},
            "rx": {"k": 60}, "ry": {"k": 180}, "rz": {"k": 90}
        });
        let mut ctx = Ctx::default();
        let LayerMatrix::Projective(m) = transform(&ks, true, &mut ctx).layer_matrix_at(0.0, false)
        else {
            panic!("x/y rotations make a projective matrix");
        };
        // (10, 10) -> scale (20, 10) -> rx 60: y * 0.5, w = 1 - sin(60) 10 / 1024 -> ry 180:
        // x * -1 (sin 180 = 0) -> rz 90 -> divided by w -> + p.
        let w = 1.0 - 60_f64.to_radians().sin() * 10.0 / 1024.0;
        let p = m.map(Point::new(10.0, 10.0));
        let expected = Point::new(100.0 - 5.0 / w, 50.0 - 20.0 / w);
        assert!((p - expected).hypot() < 1e-9, "{p:?}");

        assert!(ctx.warnings.is_empty());

        // The same transform on a 2D layer ignores rx/ry.
        let flat = transform(&ks, false, &mut ctx);
        assert!(flat.rotation_3d.is_none());
        let q = flat.matrix_at(0.0) * Point::new(10.0, 10.0);
        assert!((q - Point::new(90.0, 70.0)).hypot() < 1e-9, "{q:?}");
    }

    #[test]
    fn three_d_orientation_warns_when_set() {
        let warnings = |or: serde_json::Value| {
            let mut ctx = Ctx::default();
            transform(&json!({ "or": or }), true, &mut ctx);
            ctx.warnings.len()
        };
        assert_eq!(warnings(json!({"a": 0, "k": [0, 0, 0]})), 0);
        assert_eq!(warnings(json!({"a": 0, "k": [0, 30, 0]})), 1);
        let animated = json!({"a": 1, "k": [{"t": 0, "s": [0, 0, 0]}, {"t": 9, "s": [0, 0, 5]}]});
        assert_eq!(warnings(animated), 1);
        let still = json!({"a": 1, "k": [{"t": 0, "s": [0, 0, 0]}, {"t": 9, "s": [0, 0, 0]}]});
        assert_eq!(warnings(still), 0);
        // 2D layers have no orientation.
        let mut ctx = Ctx::default();
        transform(&json!({"or": {"k": [0, 30, 0]}}), false, &mut ctx);
        assert!(ctx.warnings.is_empty());
    }
}
