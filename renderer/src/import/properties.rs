//! Animatable properties from JSON: static values, keyframes (modern and legacy `s`/`e` forms).

use kurbo::Vec2;

use super::Ctx;
use super::json::{Kind, Value, flag_value, for_each_field, num, nums};
use crate::interpolation::easing::{CubicEase, Easing};
use crate::interpolation::spatial::SpatialCurve;
use crate::model::property::{Keyframes, Property, Segment};
use crate::model::shape::PathData;

/// A value type that can be read from a keyframe or a static `k`.
pub(crate) trait FromJson: Clone {
    /// Reads the value; `None` when the JSON has the wrong shape.
    fn from_json(v: &Value<'_>) -> Option<Self>;

    /// Builds a motion path between two keyframe values (positions only).
    fn spatial(_start: &Self, _end: &Self, _kf: &KeyframeFields<'_>) -> Option<Box<SpatialCurve>> {
        None
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value<'_>) -> Option<Self> {
        num(Some(v))
    }
}

fn vec2(v: &Value<'_>) -> Option<Vec2> {
    match v.kind() {
        Kind::Array(a) => {
            let x = num(a.first())?;
            Some(Vec2::new(x, num(a.get(1)).unwrap_or(x)))
        }
        _ => num(Some(v)).map(|x| Vec2::new(x, x)),
    }
}

impl FromJson for Vec2 {
    fn from_json(v: &Value<'_>) -> Option<Self> {
        vec2(v)
    }

    fn spatial(start: &Self, end: &Self, kf: &KeyframeFields<'_>) -> Option<Box<SpatialCurve>> {
        let to = kf.to.and_then(vec2)?;
        let ti = kf.ti.and_then(vec2)?;
        SpatialCurve::new(*start, *end, to, ti).map(Box::new)
    }
}

impl FromJson for [f64; 4] {
    fn from_json(v: &Value<'_>) -> Option<Self> {
        let a = v.as_array()?;
        let c = |i: usize, d: f64| num(a.get(i)).unwrap_or(d);
        if a.is_empty() {
            return None;
        }
        Some([c(0, 0.0), c(1, 0.0), c(2, 0.0), c(3, 1.0)])
    }
}

impl FromJson for Vec<f64> {
    fn from_json(v: &Value<'_>) -> Option<Self> {
        let mut out = Self::new();
        nums(Some(v), &mut out).then_some(out)
    }
}

impl FromJson for PathData {
    fn from_json(v: &Value<'_>) -> Option<Self> {
        let obj = match v.kind() {
            Kind::Array(a) => a.first()?,
            _ => v,
        };
        let (mut vs, mut ins, mut outs, mut closed) = (None, None, None, None);
        for_each_field(obj, |key, value| match key {
            "v" => vs = Some(value),
            "i" => ins = Some(value),
            "o" => outs = Some(value),
            "c" => closed = Some(value),
            _ => {}
        });
        let vs = vs?.as_array()?;
        let ins = ins.and_then(Value::as_array);
        let outs = outs.and_then(Value::as_array);
        let at = |l: Option<&[Value<'_>]>, i: usize| {
            l.and_then(|l| l.get(i))
                .and_then(vec2)
                .unwrap_or(Vec2::ZERO)
        };
        let points = vs
            .iter()
            .enumerate()
            .map(|(i, p)| [vec2(p).unwrap_or(Vec2::ZERO), at(ins, i), at(outs, i)])
            .collect();
        Some(Self {
            closed: flag_value(closed),
            points,
        })
    }
}

/// Reads an animatable property (`{"a": 0|1, "k": ...}`), falling back to `default` (with a
/// warning when the JSON is malformed).
pub(crate) fn property<T: FromJson>(
    v: Option<&Value<'_>>,
    default: T,
    ctx: &mut Ctx<'_>,
) -> Property<T> {
    let Some(v) = v else {
        return Property::Static(default);
    };
    if !v.is_object() {
        // A bare value where a property object was expected.
        return Property::Static(T::from_json(v).unwrap_or(default));
    }
    let (mut x, mut k) = (None, None);
    for_each_field(v, |key, value| match key {
        "x" => x = Some(value),
        "k" => k = Some(value),
        _ => {}
    });
    if x.is_some_and(Value::is_string) {
        ctx.warn("expressions are not supported; the static or keyframed value is used");
    }
    let Some(k) = k else {
        return Property::Static(default);
    };
    let keyframed = k
        .as_array()
        .and_then(|a| a.first())
        .is_some_and(|f| f.get("t").is_some());
    if keyframed {
        keyframes(k.as_array().unwrap_or(&[]), default, ctx)
    } else {
        match T::from_json(k) {
            Some(x) => Property::Static(x),
            None => {
                ctx.warn("a property has a malformed value; using its default");
                Property::Static(default)
            }
        }
    }
}

/// The fields of a keyframe that the import reads, found in one pass over its pairs.
#[derive(Default)]
pub(crate) struct KeyframeFields<'a> {
    t: Option<&'a Value<'a>>,
    s: Option<&'a Value<'a>>,
    e: Option<&'a Value<'a>>,
    i: Option<&'a Value<'a>>,
    o: Option<&'a Value<'a>>,
    h: Option<&'a Value<'a>>,
    to: Option<&'a Value<'a>>,
    ti: Option<&'a Value<'a>>,
}

impl<'a> KeyframeFields<'a> {
    fn of(kf: &Value<'a>) -> Self {
        let mut f = Self::default();
        for_each_field(kf, |key, value| {
            let slot = match key {
                "t" => &mut f.t,
                "s" => &mut f.s,
                "e" => &mut f.e,
                "i" => &mut f.i,
                "o" => &mut f.o,
                "h" => &mut f.h,
                "to" => &mut f.to,
                "ti" => &mut f.ti,
                _ => return,
            };
            *slot = Some(value);
        });
        f
    }
}

struct RawKey<'a, T> {
    t: f64,
    s: Option<T>,
    e: Option<T>,
    json: &'a Value<'a>,
    fields: KeyframeFields<'a>,
}

fn easing(kf: &Value<'_>, fields: &KeyframeFields<'_>, ctx: &Ctx<'_>) -> Easing {
    if flag_value(fields.h) {
        return Easing::Hold;
    }
    let (Some(o), Some(i)) = (fields.o, fields.i) else {
        return Easing::Curves(vec![CubicEase::LINEAR]);
    };
    if i.is_object()
        && let Some(c) = ctx.easings.curve(kf, i, o)
    {
        return Easing::Curves(vec![CubicEase::new(c[0], c[1], c[2], c[3])]);
    }
    let mut ox = Vec::new();
    let mut oy = Vec::new();
    let mut ix = Vec::new();
    let mut iy = Vec::new();
    nums(o.get("x"), &mut ox);
    nums(o.get("y"), &mut oy);
    nums(i.get("x"), &mut ix);
    nums(i.get("y"), &mut iy);
    // rlottie and ThorVG ease every dimension with the first curve (`x[0]`, `y[0]`); so do we.
    let n = 1;
    let get = |l: &[f64], d: usize, def: f64| l.get(d).or_else(|| l.last()).copied().unwrap_or(def);
    Easing::Curves(
        (0..n)
            .map(|d| {
                CubicEase::new(
                    get(&ox, d, 0.0),
                    get(&oy, d, 0.0),
                    get(&ix, d, 1.0),
                    get(&iy, d, 1.0),
                )
            })
            .collect(),
    )
}

fn keyframes<T: FromJson>(list: &[Value<'_>], default: T, ctx: &mut Ctx<'_>) -> Property<T> {
    let mut raw: Vec<RawKey<'_, T>> = list
        .iter()
        .filter_map(|kf| {
            let fields = KeyframeFields::of(kf);
            Some(RawKey {
                t: num(fields.t)?,
                s: fields.s.and_then(T::from_json),
                e: fields.e.and_then(T::from_json),
                json: kf,
                fields,
            })
        })
        .collect();
    ctx.keyframes += raw.len();
    if raw.len() < list.len() {
        ctx.warn("a keyframe without a time was ignored");
    }
    raw.sort_by(|a, b| a.t.total_cmp(&b.t));
    // Resolve each keyframe's start value: its `s`, else the previous keyframe's `e`, else the
    // previous start (legacy files end with a keyframe holding only `t`).
    let mut starts: Vec<T> = Vec::with_capacity(raw.len());
    for i in 0..raw.len() {
        let v = raw[i]
            .s
            .clone()
            .or_else(|| i.checked_sub(1).and_then(|p| raw[p].e.clone()))
            .or_else(|| starts.last().cloned())
            .unwrap_or_else(|| default.clone());
        starts.push(v);
    }
    let Some(last) = starts.last().cloned() else {
        return Property::Static(default);
    };
    if raw.len() == 1 {
        return Property::Static(last);
    }
    let mut segments = Vec::with_capacity(raw.len() - 1);
    for i in 0..raw.len() - 1 {
        let start = starts[i].clone();
        let end = raw[i].e.clone().unwrap_or_else(|| starts[i + 1].clone());
        let spatial = T::spatial(&start, &end, &raw[i].fields);
        segments.push(Segment {
            easing: easing(raw[i].json, &raw[i].fields, ctx),
            start,
            end,
            spatial,
        });
    }
    // A legacy last keyframe with only `t` ends on the previous segment's end value.
    let last = if raw[raw.len() - 1].s.is_some() {
        last
    } else {
        segments.last().map_or(last, |s: &Segment<T>| s.end.clone())
    };
    Property::Animated(Box::new(Keyframes {
        times: raw.iter().map(|r| r.t).collect(),
        segments,
        last,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: FromJson>(json: &str, default: T) -> Property<T> {
        let doc = super::super::json::parse(json.as_bytes()).unwrap();
        super::super::json::with_tree(&doc, |v| property(Some(v), default, &mut Ctx::default()))
    }

    #[test]
    fn keyframe_legacy_start_end_pairs() {
        let p = parse::<f64>(
            r#"{"a":1,"k":[{"t":0,"s":[0],"e":[10],"i":{"x":[1],"y":[1]},"o":{"x":[0],"y":[0]}},{"t":10}]}"#,
            0.0,
        );
        assert_eq!(p.at(0.0), 0.0);
        assert_eq!(p.at(5.0), 5.0);
        assert_eq!(p.at(10.0), 10.0);
        assert_eq!(p.at(20.0), 10.0);
    }

    #[test]
    fn keyframe_scalar_easing_and_static_forms() {
        let p = parse::<Vec2>(
            r#"{"a":1,"k":[{"t":0,"s":[0,0],"i":{"x":0.5,"y":0.5},"o":{"x":0.5,"y":0.5}},{"t":4,"s":[8,4]}]}"#,
            Vec2::ZERO,
        );
        assert_eq!(p.at(2.0), Vec2::new(4.0, 2.0));
        let s = parse::<f64>(r#"{"a":0,"k":42}"#, 0.0);
        assert_eq!(s.at(7.0), 42.0);
        let bad = parse::<f64>(r#"{"a":0,"k":"x"}"#, 3.0);
        assert_eq!(bad.at(0.0), 3.0);
        let empty = parse::<f64>(r#"{"a":1,"k":[]}"#, 1.0);
        assert_eq!(empty.at(0.0), 1.0);
    }
}
