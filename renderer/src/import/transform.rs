//! Transforms (`ks` of a layer, `tr` of a shape group), shared by layers and shapes.

use kurbo::Vec2;

use super::Ctx;
use super::json::{Kind, Value, flag};
use super::properties::property;
use crate::model::transform::{Position, Transform};

/// Imports a transform (`ks` of a layer, `tr` of a group).
pub(crate) fn transform(v: &Value<'_>, three_d: bool, ctx: &mut Ctx<'_>) -> Transform {
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
    // Resolved once here, so that evaluation skips composing a matrix that never changes.
    if is_static(&t) {
        t.fixed = Some(t.matrix_at(0.0));
    }
    t
}

/// Returns `true` when no component of the matrix of `t` is animated.
fn is_static(t: &Transform) -> bool {
    let position_static = match &t.position {
        Position::Combined(p) => p.is_static(),
        Position::Split(x, y) => x.is_static() && y.is_static(),
    };
    position_static
        && t.anchor.is_static()
        && t.scale.is_static()
        && t.rotation.is_static()
        && t.skew.is_static()
        && t.skew_axis.is_static()
        && t.rotation_3d.is_none()
}

/// Returns `true` when a 3D orientation (`or`, degrees about x, y and z) is present and not zero
/// in every keyframe.
fn orientation_is_set(or: Option<&Value<'_>>) -> bool {
    let Some(k) = or.and_then(|or| or.get("k")) else {
        return false;
    };
    let nonzero = |v: &Value<'_>| match v.kind() {
        Kind::Array(a) => a.iter().any(|n| n.as_f64().is_some_and(|n| n != 0.0)),
        _ => v.as_f64().is_some_and(|n| n != 0.0),
    };
    match k.as_array() {
        Some(keys) if keys.first().is_some_and(|k| k.is_object()) => keys
            .iter()
            .any(|key| ["s", "e"].iter().any(|f| key.get(f).is_some_and(nonzero))),
        _ => nonzero(k),
    }
}

#[cfg(test)]
mod tests {
    use kurbo::Point;
    use sonic_rs::json;

    use super::*;
    use crate::geometry::projective::LayerMatrix;
    use crate::import::json::leak;

    #[test]
    fn three_d_rotation_flattens_like_rlottie() {
        let ks = leak(json!({
            "p": {"k": [100, 50]}, "a": {"k": [0, 0]}, "s": {"k": [200, 100]},
            "rx": {"k": 60}, "ry": {"k": 180}, "rz": {"k": 90}
        }));
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
        let warnings = |or: sonic_rs::Value| {
            let mut ctx = Ctx::default();
            transform(&leak(json!({ "or": or })), true, &mut ctx);
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
        transform(&leak(json!({"or": {"k": [0, 30, 0]}})), false, &mut ctx);
        assert!(ctx.warnings.is_empty());
    }
}
