//! Layers, masks and track mattes.

use std::collections::HashMap;

use peniko::{BlendMode, Compose, Mix};
use velato::schema::constants::blend_mode::BlendMode as SchemaBlend;
use velato::schema::constants::mask_mode::MaskMode as SchemaMask;
use velato::schema::constants::matte_mode::MatteMode as SchemaMatte;

use super::Ctx;
use super::constants::{self, Field};
use super::images;
use super::json::{NULL, Value, arr, flag, hex_color, int_at, num_at, str_at};
use super::properties::property;
use super::shapes;
use super::text;
use super::transform::transform;
use crate::error::Error;
use crate::model::Composition;
use crate::model::layer::{Layer, LayerContent, Mask, MaskMode, MatteMode};
use crate::model::shape::PathData;

/// Imports a layer list; `default_out` is the composition's out point (for layers without `op`).
pub(crate) fn composition(
    list: &[Value<'_>],
    default_out: f64,
    ctx: &mut Ctx<'_>,
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
        layers.push(layer(v, default_out, ctx));
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

fn layer(v: &Value<'_>, default_out: f64, ctx: &mut Ctx<'_>) -> Layer {
    let ty = int_at(v, "ty").unwrap_or(-1);
    let three_d = flag(v, "ddd");
    let ks = v.get("ks").unwrap_or(&NULL);
    let transform = transform(ks, three_d, ctx);
    let content = match ty {
        0 => precomp(v, ctx),
        1 => LayerContent::Solid {
            color: str_at(v, "sc")
                .and_then(hex_color)
                .unwrap_or([0.0, 0.0, 0.0, 1.0]),
            width: num_at(v, "sw").unwrap_or(0.0),
            height: num_at(v, "sh").unwrap_or(0.0),
        },
        2 => images::layer(v, ctx),
        3 | 6 => LayerContent::None,
        4 => LayerContent::Shapes(shapes::root_group(arr(v, "shapes"), ctx)),
        5 => text::layer(v, ctx),
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
fn blend_mode(v: &Value<'_>, ctx: &mut Ctx<'_>) -> Option<BlendMode> {
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

fn precomp(v: &Value<'_>, ctx: &mut Ctx<'_>) -> LayerContent {
    let id = v.get("refId").and_then(super::id_text);
    let Some(asset) = id.and_then(|id| ctx.assets.get(&id).copied()) else {
        ctx.warn("a precomposition layer refers to a missing asset");
        return LayerContent::None;
    };
    let time_remap = v.get("tm").map(|tm| property(Some(tm), 0.0, ctx));
    LayerContent::Precomp {
        asset,
        width: num_at(v, "w").unwrap_or(0.0),
        height: num_at(v, "h").unwrap_or(0.0),
        time_remap,
    }
}

fn masks(v: &Value<'_>, ctx: &mut Ctx<'_>) -> Vec<Mask> {
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
