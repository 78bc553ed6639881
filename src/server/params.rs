//! Render parameters (`frame`, `frames`, `fps`, `format`, `quality`, `background`, `width`,
//! `height`) from a query or a JSON item.

use serde::Deserialize;

use super::error::{ApiError, ErrorCode};
use crate::encode::ImageFormat;
use crate::pipeline::{FrameSelection, parse_color};

/// Default WebP quality.
pub const DEFAULT_QUALITY: u8 = 90;

/// Validated render parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderParams {
    /// Which frames: one (a still), all, or a range (an animation).
    pub frames: FrameSelection,
    /// Output frame rate of an animation; `None` for the sticker's.
    pub fps: Option<f64>,
    /// Matte colour.
    pub background: Option<[u8; 3]>,
    /// Output format.
    pub format: ImageFormat,
    /// WebP quality 1-100 (ignored for PNG).
    pub quality: u8,
    /// Requested width, `None` for the composition's (or the aspect-kept) width.
    pub width: Option<u32>,
    /// Requested height.
    pub height: Option<u32>,
}

/// The query string of `POST /convert`, as text so each bad value gets a message naming it.
#[derive(Debug, Default, Deserialize)]
pub struct RenderQuery {
    frame: Option<String>,
    frames: Option<String>,
    fps: Option<String>,
    background: Option<String>,
    format: Option<String>,
    quality: Option<String>,
    width: Option<String>,
    height: Option<String>,
}

/// One conversion in `/convert/base64` or an item of `/convert/batch`.
#[derive(Debug, Deserialize)]
pub struct ConvertItem {
    /// The sticker (gzipped `.tgs` or Lottie JSON) in base64, optionally as a `data:` URL.
    pub data: String,
    frame: Option<FrameValue>,
    frames: Option<String>,
    fps: Option<f64>,
    background: Option<String>,
    format: Option<String>,
    quality: Option<i64>,
    width: Option<u32>,
    height: Option<u32>,
}

/// A JSON `frame`: an index or `"all"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FrameValue {
    Index(u64),
    Text(String),
}

/// The text parameters of a request, before validation.
#[derive(Debug, Default)]
struct RawParams<'a> {
    frame: Option<&'a str>,
    frames: Option<&'a str>,
    fps: Option<f64>,
    background: Option<&'a str>,
}

/// The body of `/convert/batch`.
#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    /// The conversions, answered in the same order.
    pub items: Vec<ConvertItem>,
}

/// The value of a parameter, `None` when absent or blank.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            ApiError::invalid_parameter(format!(
                "{name} must be a non-negative integer, got {text:?}"
            ))
        }),
    }
}

impl RenderParams {
    /// Validates parameters given as numbers; absent ones take their defaults.
    ///
    /// # Errors
    ///
    /// `bad_format` for a format other than png/webp/apng/gif, `invalid_parameter` for a quality
    /// outside 1-100, a `frame`, `frames` or `background` that does not parse, or both `frame`
    /// and `frames`. Sizes, frames and fps are checked against the animation by the pipeline.
    fn new(
        raw: &RawParams<'_>,
        format: Option<&str>,
        quality: Option<i64>,
        width: Option<u32>,
        height: Option<u32>,
    ) -> Result<Self, ApiError> {
        let format = match format.map(str::trim) {
            None | Some("") => ImageFormat::Png,
            Some(name) => name.to_ascii_lowercase().parse().map_err(|_| {
                ApiError::new(
                    ErrorCode::BadFormat,
                    format!("unsupported format {name:?}; use png, webp, apng or gif"),
                )
            })?,
        };
        let frames = match (given(raw.frame), given(raw.frames)) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_parameter(
                    "give either frame or frames, not both",
                ));
            }
            (Some(frame), None) => {
                FrameSelection::parse_frame(frame).map_err(ApiError::invalid_parameter)?
            }
            (None, Some(frames)) => {
                FrameSelection::parse_range(frames).map_err(ApiError::invalid_parameter)?
            }
            (None, None) => FrameSelection::default_for(format),
        };
        let background = given(raw.background)
            .map(parse_color)
            .transpose()
            .map_err(ApiError::invalid_parameter)?;
        let quality = match quality {
            None => DEFAULT_QUALITY,
            Some(q) => u8::try_from(q)
                .ok()
                .filter(|q| (1..=100).contains(q))
                .ok_or_else(|| {
                    ApiError::invalid_parameter(format!("quality must be 1-100, got {q}"))
                })?,
        };
        Ok(Self {
            frames,
            fps: raw.fps,
            background,
            format,
            quality,
            width,
            height,
        })
    }

    /// Validates a query string.
    ///
    /// # Errors
    ///
    /// `bad_format` for an unknown format; `invalid_parameter` for a quality outside 1-100, a
    /// value that is not a number, a `frame`, `frames` or `background` that does not parse, or
    /// both `frame` and `frames`.
    pub fn from_query(query: &RenderQuery) -> Result<Self, ApiError> {
        let quality = match number::<i64>("quality", query.quality.as_deref()) {
            Err(_) => {
                return Err(ApiError::invalid_parameter(format!(
                    "quality must be 1-100, got {:?}",
                    query.quality.as_deref().unwrap_or_default()
                )));
            }
            Ok(q) => q,
        };
        let fps = match query.fps.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(text.parse::<f64>().map_err(|_| {
                ApiError::invalid_parameter(format!("fps must be a number, got {text:?}"))
            })?),
        };
        let raw = RawParams {
            frame: query.frame.as_deref(),
            frames: query.frames.as_deref(),
            fps,
            background: query.background.as_deref(),
        };
        Self::new(
            &raw,
            query.format.as_deref(),
            quality,
            number("width", query.width.as_deref())?,
            number("height", query.height.as_deref())?,
        )
    }

    /// Validates a JSON item.
    ///
    /// # Errors
    ///
    /// As [`RenderParams::from_query`].
    pub fn from_item(item: &ConvertItem) -> Result<Self, ApiError> {
        let frame = match &item.frame {
            None => None,
            Some(FrameValue::Index(k)) => Some(k.to_string()),
            Some(FrameValue::Text(text)) => Some(text.clone()),
        };
        let raw = RawParams {
            frame: frame.as_deref(),
            frames: item.frames.as_deref(),
            fps: item.fps,
            background: item.background.as_deref(),
        };
        Self::new(
            &raw,
            item.format.as_deref(),
            item.quality,
            item.width,
            item.height,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &str) -> Result<RenderParams, ApiError> {
        let query: RenderQuery = serde_urlencoded_like(pairs);
        RenderParams::from_query(&query)
    }

    fn serde_urlencoded_like(pairs: &str) -> RenderQuery {
        actix_web::web::Query::<RenderQuery>::from_query(pairs)
            .unwrap()
            .into_inner()
    }

    #[test]
    fn defaults() {
        let params = query("").unwrap();
        assert_eq!(params.frames, FrameSelection::One(0));
        assert_eq!(params.format, ImageFormat::Png);
        assert_eq!(params.quality, DEFAULT_QUALITY);
        assert_eq!((params.width, params.height), (None, None));
    }

    #[test]
    fn parses_every_parameter() {
        let params = query("frame=3&format=WEBP&quality=50&width=100&height=80").unwrap();
        assert_eq!(params.frames, FrameSelection::One(3));
        assert_eq!(params.format, ImageFormat::WebP);
        assert_eq!(params.quality, 50);
        assert_eq!((params.width, params.height), (Some(100), Some(80)));
    }

    #[test]
    fn animated_formats_default_to_every_frame() {
        let params = query("format=gif&fps=25&background=%23ffffff").unwrap();
        assert_eq!(params.frames, FrameSelection::All);
        assert_eq!(params.fps, Some(25.0));
        assert_eq!(params.background, Some([255, 255, 255]));
        let params = query("format=webp&frames=10-20").unwrap();
        assert_eq!(params.frames, FrameSelection::Range { start: 10, end: 20 });
        assert_eq!(
            query("format=apng&frame=4").unwrap().frames,
            FrameSelection::One(4)
        );
    }

    #[test]
    fn rejects_bad_values_with_their_names() {
        assert_eq!(
            query("format=bmp").unwrap_err().code(),
            ErrorCode::BadFormat
        );
        for bad in [
            "frame=all&frames=0-3",
            "frames=3-1",
            "fps=fast",
            "background=red",
        ] {
            let err = query(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidParameter, "{bad}: {err}");
        }
        let err = query("quality=0").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidParameter);
        assert!(err.message().contains("quality"), "{err}");
        assert!(query("quality=101").is_err(), "quality 101 must fail");
        assert!(
            query("frame=-1").unwrap_err().message().contains("frame"),
            "frame"
        );
        assert!(
            query("width=abc").unwrap_err().message().contains("width"),
            "width"
        );
    }
}
