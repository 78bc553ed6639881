//! Import: Lottie JSON -> our immutable model.
//!
//! The JSON is parsed once into a document ([`json::Value`], see [`json`]) and walked leniently:
//! missing fields take their defaults, wrong types and non-finite numbers read as absent, legacy
//! keyframe forms are accepted, and unsupported items are dropped with one deduplicated warning
//! each. Only malformed headers and safety limits are errors.
//!
//! velato's schema is not used for the walk as a whole: deserializing a document into it rejects 44 %
//! of real `.tgs` files (missing `p`, legacy keyframes, unknown layer types), and one bad field fails
//! the whole document. So the walk is ours, field by field, and velato's schema types are used where
//! they serve without that risk: the enumerated fields (blend, matte and mask modes, see
//! [`constants`]), each read on its own with a warning and the default when velato rejects it.

mod constants;
mod easing_cache;
mod images;
mod json;
mod layers;
mod load;
pub(crate) mod properties;
mod shapes;
mod text;
mod transform;

use std::collections::{HashMap, HashSet};

use crate::error::Error;
use crate::model::layer::LayerContent;
use crate::model::{Animation, Composition};
pub use images::MAX_IMAGE_SIDE;
use json::{Kind, Value, arr, num_at, str_at};
pub use load::{LoadLimits, decompress};

/// Largest accepted composition side, in pixels.
pub const MAX_SIZE: f64 = 16384.0;
/// Most layers over all compositions.
pub const MAX_LAYERS: usize = 10_000;
/// Most layers an animation may have once every precomposition reference is expanded (each layer is
/// evaluated once per frame per reference).
pub const MAX_LAYER_INSTANCES: usize = 100_000;
/// Deepest precomposition nesting.
pub const MAX_PRECOMP_DEPTH: usize = 32;
/// Most keyframes over all properties.
pub const MAX_KEYFRAMES: usize = 1_000_000;
/// Most shape items over all layers.
pub const MAX_SHAPES: usize = 500_000;
/// Most path vertices over all static paths and keyframes.
pub const MAX_PATH_POINTS: usize = 4_000_000;

/// Import state: warnings and running counts for the limits.
#[derive(Debug, Default)]
pub(crate) struct Ctx<'a> {
    warnings: Vec<String>,
    seen: HashSet<String>,
    pub(crate) layers: usize,
    pub(crate) keyframes: usize,
    pub(crate) shapes: usize,
    pub(crate) points: usize,
    /// Precomposition asset ids to asset indices.
    assets: HashMap<String, usize>,
    /// rlottie's shared easing curves by key.
    pub(crate) easings: easing_cache::EasingCache,
    /// Decoded image assets by id.
    images: images::Images,
    /// The embedded glyphs (`chars`) and fonts (`fonts.list`), for text layers.
    chars: &'a [Value<'a>],
    fonts: &'a [Value<'a>],
}

impl Ctx<'_> {
    /// Records a warning once.
    pub(crate) fn warn(&mut self, msg: impl Into<String>) {
        let msg = msg.into();
        if self.seen.insert(msg.clone()) {
            self.warnings.push(msg);
        }
    }

    fn check_limits(&self) -> Result<(), Error> {
        let checks = [
            ("layers", self.layers, MAX_LAYERS),
            ("keyframes", self.keyframes, MAX_KEYFRAMES),
            ("shape items", self.shapes, MAX_SHAPES),
            ("path vertices", self.points, MAX_PATH_POINTS),
        ];
        for (what, n, max) in checks {
            if n > max {
                return Err(Error::LimitExceeded(format!(
                    "the animation has more than {max} {what} ({n})"
                )));
            }
        }
        Ok(())
    }
}

fn asset_id(v: &Value<'_>) -> Option<String> {
    id_text(v.get("id")?)
}

/// An asset id or reference as text: a string, or a number as the JSON writer prints it.
fn id_text(v: &Value<'_>) -> Option<String> {
    match v.kind() {
        Kind::String(s) => Some(s.to_owned()),
        Kind::Number(_) => Some(json::to_text(v)),
        _ => None,
    }
}

/// Parses and imports a Lottie document.
pub(crate) fn import(bytes: &[u8], limits: &LoadLimits) -> Result<Animation, Error> {
    thread_local! {
        /// The arena of the JSON tree, kept between imports on a thread (its pages stay mapped);
        /// replaced when one document made it larger than [`KEPT_ARENA_BYTES`].
        static ARENA: std::cell::RefCell<bumpalo::Bump> = std::cell::RefCell::new(bumpalo::Bump::new());
    }
    ARENA.with(|cell| {
        let Ok(mut arena) = cell.try_borrow_mut() else {
            return import_in(bytes, limits, &bumpalo::Bump::new());
        };
        arena.reset();
        let result = import_in(bytes, limits, &arena);
        if arena.allocated_bytes() > KEPT_ARENA_BYTES {
            *arena = bumpalo::Bump::new();
        }
        result
    })
}

/// The largest JSON-tree arena a thread keeps for its next import (about a 1 MB document).
const KEPT_ARENA_BYTES: usize = 8 << 20;

fn import_in(bytes: &[u8], limits: &LoadLimits, arena: &bumpalo::Bump) -> Result<Animation, Error> {
    let parsed = json::parse(bytes)?;
    // Before anything else, as nesting deeper than the limit is a parse error.
    let doc = json::tree(&parsed, arena)?;
    let mut easings = easing_cache::EasingCache::default();
    easing_cache::scan(&doc, &mut easings);
    if !doc.is_object() {
        return Err(Error::NotLottie("the top level is not an object".into()));
    }
    let need = |key: &str| {
        num_at(&doc, key).ok_or_else(|| Error::NotLottie(format!("missing number `{key}`")))
    };
    let width = need("w")?;
    let height = need("h")?;
    let frame_rate = need("fr")?;
    let in_point = need("ip")?;
    let out_point = need("op")?;
    if !(width > 0.0 && height > 0.0) {
        return Err(Error::Invalid(format!("size is {width}x{height}")));
    }
    if width > MAX_SIZE || height > MAX_SIZE {
        return Err(Error::LimitExceeded(format!(
            "composition is {width}x{height}; the limit is {MAX_SIZE}x{MAX_SIZE}"
        )));
    }
    if frame_rate.is_nan() || frame_rate <= 0.0 {
        return Err(Error::Invalid(format!("frame rate is {frame_rate}")));
    }
    if out_point.partial_cmp(&in_point) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::Invalid(format!(
            "out point {out_point} is not after in point {in_point}"
        )));
    }
    if doc.get("layers").and_then(|l| l.as_array()).is_none() {
        return Err(Error::NotLottie("missing array `layers`".into()));
    }

    let mut ctx = Ctx {
        easings,
        ..Ctx::default()
    };
    let asset_list = arr(&doc, "assets");
    ctx.images = images::import_assets(asset_list, limits)?;
    ctx.chars = arr(&doc, "chars");
    ctx.fonts = doc.get("fonts").map_or(&[][..], |f| arr(f, "list"));
    let mut precomp_json = Vec::new();
    for asset in asset_list {
        if asset.get("layers").and_then(|l| l.as_array()).is_some()
            && let Some(id) = asset_id(asset)
        {
            ctx.assets.insert(id, precomp_json.len());
            precomp_json.push(asset);
        }
    }
    let mut assets = Vec::with_capacity(precomp_json.len());
    for asset in &precomp_json {
        assets.push(layers::composition(
            arr(asset, "layers"),
            out_point,
            &mut ctx,
        )?);
    }
    let root = layers::composition(arr(&doc, "layers"), out_point, &mut ctx)?;
    check_nesting(&root, &assets)?;
    check_expansion(&root, &assets)?;
    ctx.check_limits()?;
    Ok(Animation {
        width,
        height,
        frame_rate,
        in_point,
        out_point,
        version: str_at(&doc, "v").unwrap_or("").to_owned(),
        name: str_at(&doc, "nm").unwrap_or("").to_owned(),
        warnings: ctx.warnings,
        root,
        precomps: assets,
        asset_count: asset_list.len(),
        image_bytes: ctx.images.pixels.saturating_mul(4),
    })
}

/// Rejects animations whose precompositions expand to more than [`MAX_LAYER_INSTANCES`] layers.
///
/// Assets are shared, so a file can be small and still reference a precomposition ten times at each
/// of ten levels: 10^10 layers to evaluate per frame. The count is memoised per asset and saturates.
fn check_expansion(root: &Composition, assets: &[Composition]) -> Result<(), Error> {
    fn instances(comp: &Composition, assets: &[Composition], memo: &mut [Option<usize>]) -> usize {
        let mut total = 0_usize;
        for layer in &comp.layers {
            total = total.saturating_add(1);
            if let LayerContent::Precomp { asset, .. } = layer.content {
                let below = match memo[asset] {
                    Some(n) => n,
                    None => {
                        // Cycles were rejected by `check_nesting`; mark to stay safe regardless.
                        memo[asset] = Some(usize::MAX);
                        let n = instances(&assets[asset], assets, memo);
                        memo[asset] = Some(n);
                        n
                    }
                };
                total = total.saturating_add(below);
            }
        }
        total
    }
    let mut memo = vec![None; assets.len()];
    let total = instances(root, assets, &mut memo);
    if total > MAX_LAYER_INSTANCES {
        return Err(Error::LimitExceeded(format!(
            "precompositions expand to more than {MAX_LAYER_INSTANCES} layers (counted {})",
            if total == usize::MAX {
                "too many to count".to_owned()
            } else {
                total.to_string()
            }
        )));
    }
    Ok(())
}

/// Rejects precomposition cycles and nesting deeper than [`MAX_PRECOMP_DEPTH`], so evaluation
/// never recurses without bound.
fn check_nesting(root: &Composition, assets: &[Composition]) -> Result<(), Error> {
    // Depth of the deepest chain below each asset, memoised; `None` while on the DFS stack.
    fn depth(
        comp: &Composition,
        assets: &[Composition],
        memo: &mut [Option<Option<usize>>],
        level: usize,
    ) -> Result<usize, Error> {
        if level > MAX_PRECOMP_DEPTH {
            return Err(Error::LimitExceeded(format!(
                "precompositions nest deeper than {MAX_PRECOMP_DEPTH} levels"
            )));
        }
        let mut deepest = 0;
        for layer in &comp.layers {
            if let LayerContent::Precomp { asset, .. } = layer.content {
                let d = match memo[asset] {
                    Some(Some(d)) => d,
                    Some(None) => {
                        return Err(Error::LimitExceeded(
                            "a precomposition contains itself (reference cycle)".into(),
                        ));
                    }
                    None => {
                        memo[asset] = Some(None);
                        let d = depth(&assets[asset], assets, memo, level + 1)?;
                        memo[asset] = Some(Some(d));
                        d
                    }
                };
                deepest = deepest.max(d + 1);
            }
        }
        if level + deepest > MAX_PRECOMP_DEPTH {
            return Err(Error::LimitExceeded(format!(
                "precompositions nest deeper than {MAX_PRECOMP_DEPTH} levels"
            )));
        }
        Ok(deepest)
    }
    let mut memo = vec![None; assets.len()];
    depth(root, assets, &mut memo, 0).map(|_| ())
}

#[cfg(test)]
mod tests {
    use crate::{Animation, Error};

    /// `levels` precompositions, each referencing the next `fan_out` times; the last draws a square.
    fn fan_out(levels: usize, fan_out: usize) -> String {
        let shape = r#"{"ty":4,"ip":0,"op":30,"st":0,"ks":{},"shapes":[
            {"ty":"rc","p":{"a":0,"k":[10,10]},"s":{"a":0,"k":[5,5]},"r":{"a":0,"k":0}},
            {"ty":"fl","c":{"a":0,"k":[1,0,0,1]},"o":{"a":0,"k":100}}]}"#;
        let reference = |id: usize| {
            format!(r#"{{"ty":0,"refId":"p{id}","ip":0,"op":30,"st":0,"w":64,"h":64,"ks":{{}}}}"#)
        };
        let assets: Vec<String> = (0..levels)
            .map(|d| {
                let layers = if d + 1 == levels {
                    shape.to_owned()
                } else {
                    vec![reference(d + 1); fan_out].join(",")
                };
                format!(r#"{{"id":"p{d}","layers":[{layers}]}}"#)
            })
            .collect();
        format!(
            r#"{{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":64,"h":64,"assets":[{}],"layers":[{}]}}"#,
            assets.join(","),
            reference(0)
        )
    }

    #[test]
    fn precomp_fan_out_bomb_is_rejected() {
        // 10^11 layer instances from a 3 KB file.
        let err = Animation::from_slice(fan_out(12, 10).as_bytes()).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded(_)), "{err}");
        assert!(err.to_string().contains("expand to more than"), "{err}");
    }

    #[test]
    fn precomp_sharing_within_limit_loads() {
        // 3 levels of 10: 1 + 10 + 100 + 1000 layers.
        assert!(Animation::from_slice(fan_out(4, 10).as_bytes()).is_ok());
    }
}
