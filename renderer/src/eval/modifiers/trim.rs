//! Trim paths (`tm`): keeps the part of the paths between start and end, shifted by offset.
//!
//! Start and end are fractions of the length, offset a fraction of a full turn (360 degrees = the
//! whole length). After adding the offset the kept range may run past the end of the path; it then
//! wraps around to the start, so `[s, e]` becomes `[s, 1] + [0, e - 1]`. A range of a full length or
//! more keeps the paths unchanged; an empty range removes them. With `m: 1` each path is trimmed on
//! its own; with `m: 2` the paths are trimmed as one path laid end to end, in order.
//! <https://lottiefiles.github.io/lottie-docs/shapes/#trim-path>

use kurbo::{BezPath, ParamCurve, PathEl, PathSeg, Point};

use crate::geometry::measure::{self, SegLength};

/// Reusable buffers for trimming.
#[derive(Debug, Default)]
pub(crate) struct TrimScratch {
    segs: Vec<(PathSeg, f64, bool)>,
    out: BezPath,
}

/// Returns the kept ranges (in `0..=1` of the total length) for start/end in percent and offset in
/// degrees, or `None` when everything is kept.
pub(crate) fn ranges(start: f64, end: f64, offset: f64) -> Option<([(f64, f64); 2], usize)> {
    let mut s = (start / 100.0).clamp(0.0, 1.0);
    let mut e = (end / 100.0).clamp(0.0, 1.0);
    if s > e {
        std::mem::swap(&mut s, &mut e);
    }
    let o = if offset.is_finite() {
        offset / 360.0
    } else {
        0.0
    };
    if e - s >= 1.0 - 1e-9 {
        return None;
    }
    if e - s <= 1e-9 {
        return Some(([(0.0, 0.0); 2], 0));
    }
    let shift = (s + o).floor();
    let (s, e) = (s + o - shift, e + o - shift);
    if e <= 1.0 {
        Some(([(s, e), (0.0, 0.0)], 1))
    } else {
        Some(([(s, 1.0), (0.0, e - 1.0)], 2))
    }
}

/// Trims `paths` in place.
pub(crate) fn trim(
    paths: &mut [BezPath],
    start: f64,
    end: f64,
    offset: f64,
    individually: bool,
    scratch: &mut TrimScratch,
) {
    let Some((rs, n)) = ranges(start, end, offset) else {
        return;
    };
    let rs = &rs[..n];
    if n == 0 {
        paths.iter_mut().for_each(BezPath::truncate_all);
        return;
    }
    if individually {
        let lengths: f64 = paths.iter().map(length).sum();
        let mut acc = 0.0;
        for path in paths.iter_mut() {
            collect(path, &mut scratch.segs);
            let len: f64 = scratch.segs.iter().map(|s| s.1).sum();
            let (a, b) = (acc, acc + len);
            acc = b;
            scratch.out.truncate(0);
            for &(s, e) in rs {
                let (lo, hi) = ((s * lengths).max(a), (e * lengths).min(b));
                if hi > lo {
                    extract(&scratch.segs, lo - a, hi - a, &mut scratch.out);
                }
            }
            std::mem::swap(path, &mut scratch.out);
        }
    } else {
        for path in paths.iter_mut() {
            collect(path, &mut scratch.segs);
            let total: f64 = scratch.segs.iter().map(|s| s.1).sum();
            scratch.out.truncate(0);
            for &(s, e) in rs {
                extract(&scratch.segs, s * total, e * total, &mut scratch.out);
            }
            std::mem::swap(path, &mut scratch.out);
        }
    }
}

trait TruncateAll {
    fn truncate_all(&mut self);
}

impl TruncateAll for BezPath {
    fn truncate_all(&mut self) {
        self.truncate(0);
    }
}

/// Lengths are measured as rlottie measures them (see [`measure`]), so trim ends on diagonals
/// and curves fall where rlottie puts them.
fn seg_len(seg: &PathSeg) -> f64 {
    measure::seg_len(seg)
}

fn length(path: &BezPath) -> f64 {
    path.segments().map(|s| seg_len(&s)).sum()
}

/// Splits `path` into segments with their lengths; the flag marks the first segment of a subpath.
fn collect(path: &BezPath, segs: &mut Vec<(PathSeg, f64, bool)>) {
    segs.clear();
    let mut start = Point::ZERO;
    let mut last = Point::ZERO;
    let mut first = true;
    for el in path.elements() {
        let seg = match *el {
            PathEl::MoveTo(p) => {
                start = p;
                last = p;
                first = true;
                continue;
            }
            PathEl::LineTo(p) => PathSeg::Line(kurbo::Line::new(last, p)),
            PathEl::QuadTo(a, p) => PathSeg::Quad(kurbo::QuadBez::new(last, a, p)),
            PathEl::CurveTo(a, b, p) => PathSeg::Cubic(kurbo::CubicBez::new(last, a, b, p)),
            PathEl::ClosePath => {
                if last == start {
                    continue;
                }
                PathSeg::Line(kurbo::Line::new(last, start))
            }
        };
        last = seg.end();
        segs.push((seg, seg_len(&seg), first));
        first = false;
    }
}

fn inv(seg: &PathSeg, len: f64, at: f64) -> f64 {
    if at <= 0.0 || len <= 0.0 {
        return 0.0;
    }
    if at >= len {
        return 1.0;
    }
    SegLength::new(seg).t_at(at)
}

/// Appends the part of `segs` between lengths `from` and `to` to `out`.
fn extract(segs: &[(PathSeg, f64, bool)], from: f64, to: f64, out: &mut BezPath) {
    let mut acc = 0.0;
    let mut pen: Option<Point> = None;
    for (seg, len, starts) in segs {
        let (a, b) = (acc, acc + len);
        acc = b;
        if *starts {
            pen = None;
        }
        if b < from || a > to || (b == from && *len > 0.0) {
            continue;
        }
        let t0 = inv(seg, *len, from - a);
        let t1 = inv(seg, *len, to - a);
        if t1 < t0 {
            continue;
        }
        let part = if t0 <= 0.0 && t1 >= 1.0 {
            *seg
        } else {
            seg.subsegment(t0..t1)
        };
        let p0 = part.start();
        if pen != Some(p0) {
            out.move_to(p0);
        }
        match part {
            PathSeg::Line(l) => out.line_to(l.p1),
            PathSeg::Quad(q) => out.quad_to(q.p1, q.p2),
            PathSeg::Cubic(c) => out.curve_to(c.p1, c.p2, c.p3),
        }
        pen = Some(part.end());
        if b >= to {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kurbo::Shape as _;

    fn square() -> BezPath {
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.line_to((10.0, 0.0));
        p.line_to((10.0, 10.0));
        p.line_to((0.0, 10.0));
        p.close_path();
        p
    }

    #[test]
    fn trim_path_full_range_keeps_path() {
        assert!(ranges(0.0, 100.0, 0.0).is_none());
        assert!(ranges(100.0, 0.0, 90.0).is_none());
    }

    #[test]
    fn trim_path_half() {
        let mut paths = [square()];
        trim(
            &mut paths,
            0.0,
            50.0,
            0.0,
            false,
            &mut TrimScratch::default(),
        );
        assert!((length(&paths[0]) - 20.0).abs() < 1e-6);
        let b = paths[0].bounding_box();
        assert_eq!((b.x1, b.y1), (10.0, 10.0));
    }

    #[test]
    fn trim_path_offset_wraps() {
        // 25%..75% shifted by 180 degrees (half the length) is 75%..125%: the left edge then the top.
        let mut paths = [square()];
        trim(
            &mut paths,
            25.0,
            75.0,
            180.0,
            false,
            &mut TrimScratch::default(),
        );
        assert!((length(&paths[0]) - 20.0).abs() < 1e-6);
        let moves = paths[0]
            .elements()
            .iter()
            .filter(|e| matches!(e, PathEl::MoveTo(_)))
            .count();
        assert_eq!(moves, 2, "wrapped range is two pieces");
        assert_eq!(
            paths[0].elements()[0],
            PathEl::MoveTo(Point::new(0.0, 10.0))
        );
    }

    #[test]
    fn trim_path_individually_spans_paths() {
        let mut paths = [square(), square()];
        trim(
            &mut paths,
            0.0,
            50.0,
            0.0,
            true,
            &mut TrimScratch::default(),
        );
        assert!((length(&paths[0]) - 40.0).abs() < 1e-6);
        assert!(paths[1].elements().is_empty());
    }

    #[test]
    fn trim_path_empty_range() {
        let mut paths = [square()];
        trim(
            &mut paths,
            30.0,
            30.0,
            0.0,
            false,
            &mut TrimScratch::default(),
        );
        assert!(paths[0].elements().is_empty());
    }
}
