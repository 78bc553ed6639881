//! [`Budget`]: what rendering one frame may cost, so that a valid-looking but hostile file
//! (thousands of mattes, millions of path segments) is refused instead of taking seconds and
//! gigabytes.
//!
//! The evaluator counts drawn path elements and wall time between layers; the rasterizer counts
//! offscreen pixels (every mask, matte and isolated layer is a buffer the size of the output, or
//! of its clip) before it draws, and wall time between commands. Over any of them the frame stops
//! with [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming the limit.

use std::time::{Duration, Instant};

use crate::Error;
use crate::draw::{Clip, DrawCommand};

/// Cost limits for one frame.
///
/// The defaults leave every file of the 387-file test corpus renderable at 2048x2048: the most
/// offscreen pixels any of its frames needs there is 337 M (a 2K web animation full of masks; the
/// most for a Telegram sticker is 75 M), the default allows 403 M. A hostile frame at 2048x2048
/// is refused in well under a second (offscreen pixels are counted before drawing) and within
/// about 500 MB. The time limit is wall time: that corpus animation takes 0.6 s of CPU per frame
/// at 2048x2048, and over 2 s of wall time on a machine running three times more threads than it
/// has cores, hence 3 s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Most path elements (move, line, curve, close) in one frame's draw list, after modifiers,
    /// repeaters and dashes.
    pub max_path_elements: usize,
    /// Most offscreen pixels per frame: the sum, over masks, mattes and isolated layers (group
    /// opacity, blend modes, clips), of the output area each one covers. vello_cpu keeps about a
    /// byte per such pixel until the frame is done.
    pub max_offscreen_pixels: u64,
    /// Most wall time per frame, checked between layers and between draw commands.
    pub max_time: Duration,
}

impl Budget {
    /// No limits.
    pub const UNLIMITED: Self = Self {
        max_path_elements: usize::MAX,
        max_offscreen_pixels: u64::MAX,
        max_time: Duration::MAX,
    };
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_path_elements: 4_000_000,
            max_offscreen_pixels: 384 * 1024 * 1024,
            max_time: Duration::from_millis(3000),
        }
    }
}

/// Spending of one frame against a [`Budget`].
#[derive(Debug)]
pub(crate) struct Meter {
    budget: Budget,
    started: Instant,
    /// Commands of the draw list already counted.
    counted: usize,
    path_elements: usize,
    /// Set once a limit is passed; drawing stops at the next check.
    exceeded: Option<String>,
}

impl Meter {
    pub(crate) fn new(budget: Budget) -> Self {
        Self {
            budget,
            started: Instant::now(),
            counted: 0,
            path_elements: 0,
            exceeded: None,
        }
    }

    /// Counts the path elements of the commands added since the last call, and the time so far.
    /// Returns `false` (and remembers why) once a limit is passed.
    pub(crate) fn check(&mut self, commands: &[DrawCommand]) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        self.counted = self.counted.min(commands.len());
        for cmd in &commands[self.counted..] {
            self.path_elements = self.path_elements.saturating_add(path_elements(cmd));
        }
        self.counted = commands.len();
        if self.path_elements > self.budget.max_path_elements {
            self.exceeded = Some(format!(
                "the frame draws more than {} path elements (max_path_elements)",
                self.budget.max_path_elements
            ));
        } else if self.started.elapsed() > self.budget.max_time {
            self.exceeded = Some(format!(
                "the frame takes more than {} ms to render (max_time)",
                self.budget.max_time.as_millis()
            ));
        }
        self.exceeded.is_none()
    }

    /// The error for the limit that was passed, if any.
    pub(crate) fn result(self) -> Result<(), Error> {
        self.exceeded
            .map_or(Ok(()), |msg| Err(Error::LimitExceeded(msg)))
    }
}

fn path_elements(cmd: &DrawCommand) -> usize {
    match cmd {
        DrawCommand::Fill { path, .. } | DrawCommand::Stroke { path, .. } => path.elements().len(),
        DrawCommand::PushLayer {
            clip: Some(Clip { path, .. }),
            ..
        } => path.elements().len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use kurbo::{Affine, BezPath};
    use peniko::{Color, Fill};

    use super::*;

    fn fill(elements: usize) -> DrawCommand {
        let mut path = BezPath::new();
        path.move_to((0.0, 0.0));
        for i in 1..elements {
            path.line_to((i as f64, 1.0));
        }
        DrawCommand::Fill {
            path,
            transform: Affine::IDENTITY,
            fill_rule: Fill::NonZero,
            brush: Color::from_rgba8(0, 0, 0, 255).into(),
        }
    }

    #[test]
    fn meter_counts_path_elements_once() {
        let budget = Budget {
            max_path_elements: 10,
            ..Budget::default()
        };
        let mut meter = Meter::new(budget);
        let mut commands = vec![fill(6)];
        assert!(meter.check(&commands));
        assert!(
            meter.check(&commands),
            "counted commands are not counted again"
        );
        commands.push(fill(4));
        assert!(
            meter.check(&commands),
            "10 elements are within a limit of 10"
        );
        commands.push(fill(1));
        assert!(!meter.check(&commands));
        let err = meter.result().unwrap_err();
        assert!(err.to_string().contains("max_path_elements"), "{err}");
    }

    #[test]
    fn meter_stops_after_its_time() {
        let budget = Budget {
            max_time: Duration::ZERO,
            ..Budget::UNLIMITED
        };
        let mut meter = Meter::new(budget);
        std::thread::sleep(Duration::from_millis(2));
        assert!(!meter.check(&[]));
        assert!(meter.result().unwrap_err().to_string().contains("max_time"));
    }
}
