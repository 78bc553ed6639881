//! Text layers (`ty: 5`) drawn with the glyph outlines embedded in the file (`chars`).
//!
//! Each text document (`t.d.k[].s`) is laid out once, here, into a shape group: one sub-group per
//! character holding its glyph's paths, moved to its place and scaled from the glyphs' 100-unit
//! em to the font size `s`, then the document's fill (`fc`) and stroke (`sc`, `sw`, drawn over
//! the fill when `of`). The layout follows lottie-web's (which ThorVG shares): advances `w` times
//! `s / 100` plus the tracking `tr / 1000 * s` after every character, lines broken at `\r`
//! (`\n`, ETX) `lh` apart, baselines shifted up by `ls`, and each line moved left by its width
//! (`j: 1`, right) or half of it (`j: 2`, centre). Documents switch at their keyframe times (they
//! hold, never tween). Text animators (`t.a`) and paragraph boxes (`sz`) are not applied (the
//! text is drawn plain, with a warning each); text on a path (`t.p.m`) is not drawn; without embedded glyphs a text layer draws nothing (a warning: no
//! system fonts in a static binary).

use bumpalo::Bump;

use super::Ctx;
use super::json::{NULL, Pair, Value, arr, flag, num_at, str_at};
use super::shapes;
use crate::model::layer::LayerContent;

/// The content of a text layer: its documents as shape groups, or nothing with a warning.
pub(crate) fn layer(v: &Value<'_>, ctx: &mut Ctx<'_>) -> LayerContent {
    let (chars, fonts) = (ctx.chars, ctx.fonts);
    if chars.is_empty() {
        ctx.warn("text layers without embedded glyphs (`chars`) are not supported");
        return LayerContent::None;
    }
    let t = v.get("t").unwrap_or(&NULL);
    if !arr(t, "a").is_empty() {
        ctx.warn("text animators (`t.a`) are not supported; the text is drawn unanimated");
    }
    if t.get("p").is_some_and(|p| p.get("m").is_some()) {
        // Drawn on its baseline it would be wrong and in the wrong place (ThorVG draws nothing
        // of it, lottie-web fails on such files), so it is not drawn.
        ctx.warn("text on a path (`t.p`) is not supported");
        return LayerContent::None;
    }
    let keys = t.get("d").map_or(&[][..], |d| arr(d, "k"));
    // The shape items made for the documents live here while they are imported.
    let arena = Bump::new();
    let mut documents = Vec::with_capacity(keys.len());
    for key in keys {
        let Some(s) = key.get("s") else { continue };
        if s.get("sz").is_some() {
            ctx.warn("paragraph text boxes (`sz`) are not supported; lines break only at returns");
        }
        let items = layout(s, fonts, chars, &arena, ctx);
        documents.push((
            num_at(key, "t").unwrap_or(0.0),
            shapes::root_group(&items, ctx),
        ));
    }
    if documents.is_empty() {
        return LayerContent::None;
    }
    LayerContent::Text(documents)
}

/// The shape items (Lottie JSON) that draw document `s`.
fn layout<'a>(
    s: &Value<'a>,
    fonts: &[Value<'a>],
    chars: &'a [Value<'a>],
    arena: &'a Bump,
    ctx: &mut Ctx<'_>,
) -> Vec<Value<'a>> {
    let size = num_at(s, "s").unwrap_or(0.0);
    let font_name = str_at(s, "f").unwrap_or("");
    let font = fonts.iter().find(|f| str_at(f, "fName") == Some(font_name));
    let family = font.and_then(|f| str_at(f, "fFamily"));
    let style = font.and_then(|f| str_at(f, "fStyle"));
    let tracking = num_at(s, "tr").unwrap_or(0.0) / 1000.0 * size;
    let line_height = num_at(s, "lh").unwrap_or(size * 1.2);
    let shift = num_at(s, "ls").unwrap_or(0.0);
    let justify = num_at(s, "j").unwrap_or(0.0) as i64;
    let scale = size / 100.0;
    let text = str_at(s, "t").unwrap_or("");

    let glyph = |c: char| {
        let mut buf = [0; 4];
        let ch = c.encode_utf8(&mut buf) as &str;
        let same = |g: &&Value<'a>| str_at(g, "ch") == Some(ch);
        chars
            .iter()
            .filter(same)
            .find(|g| {
                family.is_none_or(|f| str_at(g, "fFamily") == Some(f))
                    && style.is_none_or(|st| str_at(g, "style") == Some(st))
            })
            .or_else(|| chars.iter().find(same))
    };

    let mut items = Vec::new();
    for (line_index, line) in text.split(['\r', '\n', '\u{3}']).enumerate() {
        // Positions along the line, then the line's width for justification.
        let mut placed = Vec::new();
        let mut x = 0.0;
        let mut width = 0.0;
        for c in line.chars() {
            let Some(g) = glyph(c) else {
                ctx.warn("a text layer uses a character with no embedded glyph; it is skipped");
                continue;
            };
            placed.push((x, g));
            let advance = num_at(g, "w").unwrap_or(0.0) * scale;
            width = x + advance;
            x += advance + tracking;
        }
        let dx = match justify {
            1 => -width,
            2 => -width / 2.0,
            _ => 0.0,
        };
        let y = line_index as f64 * line_height - shift;
        for (x, g) in placed {
            let mut paths = Vec::new();
            if let Some(data) = g.get("data") {
                collect_paths(arr(data, "shapes"), &mut paths);
            }
            if paths.is_empty() {
                continue;
            }
            let position = array(arena, &[Value::F64(x + dx), Value::F64(y)]);
            let size = array(
                arena,
                &[Value::F64(scale * 100.0), Value::F64(scale * 100.0)],
            );
            paths.push(object(
                arena,
                &[
                    ("ty", Value::String("tr")),
                    ("p", fixed(arena, position)),
                    ("s", fixed(arena, size)),
                ],
            ));
            let it = array(arena, &paths);
            items.push(object(arena, &[("ty", Value::String("gr")), ("it", it)]));
        }
    }
    let opaque = fixed(arena, Value::U64(100));
    let fill = s.get("fc").and_then(|c| color(c, arena)).map(|c| {
        let pairs = [
            ("ty", Value::String("fl")),
            ("c", fixed(arena, c)),
            ("o", opaque),
            ("r", Value::U64(1)),
        ];
        object(arena, &pairs)
    });
    let stroke = match (s.get("sc").and_then(|c| color(c, arena)), num_at(s, "sw")) {
        (Some(c), Some(w)) if w > 0.0 => {
            let pairs = [
                ("ty", Value::String("st")),
                ("c", fixed(arena, c)),
                ("o", opaque),
                ("w", fixed(arena, Value::F64(w))),
                ("lc", Value::U64(1)),
                ("lj", Value::U64(1)),
                ("ml", Value::U64(4)),
            ];
            Some(object(arena, &pairs))
        }
        _ => None,
    };
    // The first paint listed is drawn on top.
    let paints = if flag(s, "of") {
        [stroke, fill]
    } else {
        [fill, stroke]
    };
    items.extend(paints.into_iter().flatten());
    items
}

/// Appends the paths (`sh`) of a glyph's shapes, at any depth, leaving out its own paints.
fn collect_paths<'a>(items: &[Value<'a>], out: &mut Vec<Value<'a>>) {
    for item in items {
        match str_at(item, "ty") {
            Some("sh") => out.push(*item),
            Some("gr") => collect_paths(arr(item, "it"), out),
            _ => {}
        }
    }
}

/// A text colour (`fc`, `sc`: RGB in 0..=1) as a fill colour.
fn color<'a>(v: &Value<'_>, arena: &'a Bump) -> Option<Value<'a>> {
    let c = v.as_array()?;
    let n = |i: usize| c.get(i).and_then(Value::as_f64).map(Value::F64);
    Some(array(arena, &[n(0)?, n(1)?, n(2)?, Value::F64(1.0)]))
}

/// A JSON array of `items`, in `arena`.
fn array<'a>(arena: &'a Bump, items: &[Value<'a>]) -> Value<'a> {
    Value::Array(arena.alloc_slice_copy(items))
}

/// A JSON object of `pairs`, in `arena`.
fn object<'a>(arena: &'a Bump, pairs: &[Pair<'a>]) -> Value<'a> {
    Value::Object(arena.alloc_slice_copy(pairs))
}

/// A static property (`{"a": 0, "k": value}`), in `arena`.
fn fixed<'a>(arena: &'a Bump, value: Value<'a>) -> Value<'a> {
    object(arena, &[("a", Value::U64(0)), ("k", value)])
}

#[cfg(test)]
mod tests {
    use crate::{Animation, DrawCommand, DrawList, Evaluator};

    fn text_animation(text: &str, j: i64, with_chars: bool) -> Animation {
        let square = serde_json::json!({"ty": "gr", "it": [{"ty": "sh", "ks": {"a": 0, "k": {
            "c": true, "v": [[0, -50], [50, -50], [50, 0], [0, 0]],
            "i": [[0, 0], [0, 0], [0, 0], [0, 0]], "o": [[0, 0], [0, 0], [0, 0], [0, 0]]}}}]});
        let chars = if with_chars {
            serde_json::json!([
                {"ch": "A", "size": 100, "style": "R", "w": 60, "fFamily": "F",
                 "data": {"shapes": [square]}},
                {"ch": " ", "size": 100, "style": "R", "w": 30, "fFamily": "F", "data": {}}])
        } else {
            serde_json::json!([])
        };
        let json = serde_json::json!({
            "v": "5.7.0", "fr": 30, "ip": 0, "op": 10, "w": 200, "h": 200,
            "fonts": {"list": [{"fName": "F-R", "fFamily": "F", "fStyle": "R"}]},
            "chars": chars,
            "layers": [{"ty": 5, "ip": 0, "op": 10, "st": 0, "ks": {},
                "t": {"d": {"k": [{"t": 0, "s": {"s": 20, "f": "F-R", "t": text, "j": j,
                    "tr": 100, "lh": 30, "fc": [1, 0, 0]}}]}, "a": []}}]
        });
        Animation::from_slice(json.to_string().as_bytes()).unwrap()
    }

    /// The bounding box of everything drawn at frame 0.
    fn drawn_box(anim: &Animation) -> kurbo::Rect {
        let mut list = DrawList::default();
        Evaluator::new().evaluate(anim, anim.frame_time(0).unwrap(), &mut list);
        let [
            DrawCommand::Fill {
                path, transform, ..
            },
        ] = &list.commands[..]
        else {
            panic!("one fill: {:?}", list.commands);
        };
        kurbo::Shape::bounding_box(&(*transform * path.clone()))
    }

    #[test]
    fn text_glyphs_are_laid_out_with_tracking_and_lines() {
        // Size 20: glyphs 10 px wide, advance 12 (space 6), tracking 2: "A A" spans 0..32;
        // the second line's baseline is 30 lower.
        let anim = text_animation("A A\rA", 0, true);
        assert!(anim.warnings().is_empty(), "{:?}", anim.warnings());
        let b = drawn_box(&anim);
        let expect = kurbo::Rect::new(0.0, -10.0, 32.0, 30.0);
        assert!(
            (b.x0 - expect.x0).abs() < 1e-9 && (b.x1 - expect.x1).abs() < 1e-9,
            "{b:?}"
        );
        assert!(
            (b.y0 - expect.y0).abs() < 1e-9 && (b.y1 - expect.y1).abs() < 1e-9,
            "{b:?}"
        );
    }

    #[test]
    fn text_justification_moves_each_line() {
        // Right-justified: the line (two advances of 12 and one tracking of 2, 26) ends at 0.
        let b = drawn_box(&text_animation("AA", 1, true));
        assert!(
            (b.x1 + 2.0).abs() < 1e-9 && (b.x0 + 26.0).abs() < 1e-9,
            "{b:?}"
        );
        let b = drawn_box(&text_animation("AA", 2, true));
        assert!((b.x0 + 13.0).abs() < 1e-9, "{b:?}");
    }

    #[test]
    fn text_without_glyphs_is_warned_and_not_drawn() {
        let anim = text_animation("A", 0, false);
        assert!(anim.warnings().iter().any(|w| w.contains("text")));
        let mut list = DrawList::default();
        Evaluator::new().evaluate(&anim, anim.frame_time(0).unwrap(), &mut list);
        assert!(list.is_empty());
    }
}
