//! Shape items: groups, geometry, paints and modifiers.

use kurbo::{Cap, Join, Vec2};

use super::Ctx;
use super::json::{NULL, Value, arr, flag, int_at, num_at, str_at};
use super::properties::property;
use super::transform::transform;
use crate::model::paint::{Fill, Gradient, GradientFill, GradientStroke, Stroke, StrokeStyle};
use crate::model::property::Property;
use crate::model::shape::{
    Ellipse, Group, OffsetPath, PathData, PuckerBloat, Rect, Repeater, RoundCorners, Shape, Star,
    Trim, ZigZag,
};
use crate::model::transform::Transform;

/// Imports a shape layer's `shapes` as a root group with an identity transform.
pub(crate) fn root_group(items: &[Value<'_>], ctx: &mut Ctx<'_>) -> Group {
    Group {
        items: shape_list(items, ctx),
        transform: Transform::default(),
    }
}

fn shape_list(items: &[Value<'_>], ctx: &mut Ctx<'_>) -> Vec<Shape> {
    ctx.shapes += items.len();
    items.iter().filter_map(|item| shape(item, ctx)).collect()
}

fn reversed(v: &Value<'_>) -> bool {
    int_at(v, "d") == Some(3)
}

fn shape(v: &Value<'_>, ctx: &mut Ctx<'_>) -> Option<Shape> {
    if flag(v, "hd") {
        return None;
    }
    let p = |key: &str| v.get(key);
    Some(match str_at(v, "ty").unwrap_or("") {
        "gr" => {
            let items = arr(v, "it");
            let tr = items.iter().rev().find(|i| str_at(i, "ty") == Some("tr"));
            let transform = tr.map_or_else(Transform::default, |tr| transform(tr, false, ctx));
            Shape::Group(Group {
                items: shape_list(items, ctx),
                transform,
            })
        }
        "tr" => return None,
        "sh" => {
            let path = property(p("ks"), PathData::default(), ctx);
            count_points(&path, ctx);
            Shape::Path(path)
        }
        "rc" => Shape::Rect(Rect {
            position: property(p("p"), Vec2::ZERO, ctx),
            size: property(p("s"), Vec2::ZERO, ctx),
            roundness: property(p("r"), 0.0, ctx),
            reversed: reversed(v),
        }),
        "el" => Shape::Ellipse(Ellipse {
            position: property(p("p"), Vec2::ZERO, ctx),
            size: property(p("s"), Vec2::ZERO, ctx),
            reversed: reversed(v),
        }),
        "sr" => Shape::Star(Star {
            polygon: int_at(v, "sy") == Some(2),
            position: property(p("p"), Vec2::ZERO, ctx),
            points: property(p("pt"), 5.0, ctx),
            rotation: property(p("r"), 0.0, ctx),
            outer_radius: property(p("or"), 0.0, ctx),
            outer_roundness: property(p("os"), 0.0, ctx),
            inner_radius: property(p("ir"), 0.0, ctx),
            inner_roundness: property(p("is"), 0.0, ctx),
            reversed: reversed(v),
        }),
        "fl" => Shape::Fill(Fill {
            color: property(p("c"), [0.0, 0.0, 0.0, 1.0], ctx),
            opacity: property(p("o"), 100.0, ctx),
            even_odd: int_at(v, "r") == Some(2),
        }),
        "st" => Shape::Stroke(Stroke {
            color: property(p("c"), [0.0, 0.0, 0.0, 1.0], ctx),
            opacity: property(p("o"), 100.0, ctx),
            style: stroke_style(v, ctx),
        }),
        "gf" => Shape::GradientFill(GradientFill {
            gradient: gradient(v, ctx),
            opacity: property(p("o"), 100.0, ctx),
            even_odd: int_at(v, "r") == Some(2),
        }),
        "gs" => Shape::GradientStroke(GradientStroke {
            gradient: gradient(v, ctx),
            opacity: property(p("o"), 100.0, ctx),
            style: stroke_style(v, ctx),
        }),
        "tm" => Shape::Trim(Trim {
            start: property(p("s"), 0.0, ctx),
            end: property(p("e"), 100.0, ctx),
            offset: property(p("o"), 0.0, ctx),
            individually: int_at(v, "m") == Some(2),
        }),
        "mm" => return unsupported(ctx, "merge paths (`mm`)"),
        "rp" => Shape::Repeater(Box::new(repeater(v, ctx))),
        "rd" => Shape::RoundCorners(RoundCorners {
            radius: property(p("r"), 0.0, ctx),
        }),
        "op" => Shape::OffsetPath(OffsetPath {
            amount: property(p("a"), 0.0, ctx),
            join: match int_at(v, "lj") {
                Some(2) => Join::Round,
                Some(3) => Join::Bevel,
                _ => Join::Miter,
            },
            miter_limit: property(p("ml"), 4.0, ctx),
        }),
        "pb" => Shape::PuckerBloat(PuckerBloat {
            amount: property(p("a"), 0.0, ctx),
        }),
        "zz" => Shape::ZigZag(ZigZag {
            size: property(p("s"), 0.0, ctx),
            ridges: property(p("r"), 0.0, ctx),
            points: property(p("pt"), 1.0, ctx),
        }),
        "tw" => return unsupported(ctx, "twist (`tw`)"),
        other => return unsupported(ctx, &format!("shape type `{other}`")),
    })
}

fn repeater(v: &Value<'_>, ctx: &mut Ctx<'_>) -> Repeater {
    let tr = v.get("tr").unwrap_or(&NULL);
    let p = |key: &str| tr.get(key);
    Repeater {
        copies: property(v.get("c"), 1.0, ctx),
        offset: property(v.get("o"), 0.0, ctx),
        below: int_at(v, "m") == Some(2),
        anchor: property(p("a"), Vec2::ZERO, ctx),
        position: property(p("p"), Vec2::ZERO, ctx),
        scale: property(p("s"), Vec2::new(100.0, 100.0), ctx),
        rotation: property(p("r"), 0.0, ctx),
        start_opacity: property(p("so"), 100.0, ctx),
        end_opacity: property(p("eo"), 100.0, ctx),
    }
}

fn unsupported(ctx: &mut Ctx<'_>, what: &str) -> Option<Shape> {
    ctx.warn(format!("{what} not supported; the item is skipped"));
    None
}

fn count_points(path: &Property<PathData>, ctx: &mut Ctx<'_>) {
    ctx.points += match path {
        Property::Static(p) => p.points.len(),
        Property::Animated(k) => {
            k.segments
                .iter()
                .map(|s| s.start.points.len() + s.end.points.len())
                .sum::<usize>()
                + k.last.points.len()
        }
    };
}

fn stroke_style(v: &Value<'_>, ctx: &mut Ctx<'_>) -> StrokeStyle {
    let cap = match int_at(v, "lc") {
        Some(2) => Cap::Round,
        Some(3) => Cap::Square,
        _ => Cap::Butt,
    };
    let join = match int_at(v, "lj") {
        Some(2) => Join::Round,
        Some(3) => Join::Bevel,
        _ => Join::Miter,
    };
    let mut dashes = Vec::new();
    let mut dash_offset = Property::Static(0.0);
    for d in arr(v, "d") {
        let value = property(d.get("v"), 0.0, ctx);
        match str_at(d, "n") {
            Some("o") => dash_offset = value,
            _ => dashes.push(value),
        }
    }
    StrokeStyle {
        width: property(v.get("w"), 1.0, ctx),
        cap,
        join,
        miter_limit: num_at(v, "ml").filter(|m| *m >= 0.0).unwrap_or(0.0),
        dashes,
        dash_offset,
    }
}

fn gradient(v: &Value<'_>, ctx: &mut Ctx<'_>) -> Gradient {
    let g = v.get("g").unwrap_or(&NULL);
    let color_count = int_at(g, "p").unwrap_or(0).clamp(0, 1024) as usize;
    Gradient {
        radial: int_at(v, "t") == Some(2),
        start: property(v.get("s"), Vec2::ZERO, ctx),
        end: property(v.get("e"), Vec2::ZERO, ctx),
        highlight_length: property(v.get("h"), 0.0, ctx),
        highlight_angle: property(v.get("a"), 0.0, ctx),
        color_count,
        stops: property(g.get("k"), Vec::new(), ctx),
    }
}
