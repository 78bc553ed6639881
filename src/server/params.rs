//! Render parameters (`frame`, `frames`, `fps`, `format`, `quality`, `lossless`, `background`,
//! `width`, `height`, `preset`) from a query or a JSON item.

use serde::Deserialize;

use super::error::{ApiError, ErrorCode};
use crate::encode::ImageFormat;
use crate::pipeline::{FrameSelection, Preset, parse_color};

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
    /// A platform preset: it picks the size, frame rate and quality (none of them is given
    /// then), and `format` is one it takes (its default when none was given).
    pub preset: Option<Preset>,
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
    lossless: Option<String>,
    preset: Option<String>,
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
    lossless: Option<bool>,
    preset: Option<String>,
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
    lossless: Option<bool>,
    preset: Option<&'a str>,
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
    /// outside 1-100, a `frame`, `frames`, `background`, `lossless` or `preset` that does not
    /// parse, both `frame` and `frames`, `lossless=true` with another quality, or a preset with
    /// a size, fps, quality or lossless, or with a format it does not make. Sizes, frames and
    /// fps are checked against the animation by the pipeline.
    fn new(
        raw: &RawParams<'_>,
        format: Option<&str>,
        quality: Option<i64>,
        width: Option<u32>,
        height: Option<u32>,
    ) -> Result<Self, ApiError> {
        let given_format: Option<ImageFormat> = match format.map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(name.to_ascii_lowercase().parse().map_err(|_| {
                ApiError::new(
                    ErrorCode::BadFormat,
                    format!("unsupported format {name:?}; use png, webp, apng or gif"),
                )
            })?),
        };
        let preset = given(raw.preset)
            .map(str::parse::<Preset>)
            .transpose()
            .map_err(ApiError::invalid_parameter)?;
        let format = given_format.unwrap_or_default();
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
            (None, None) if preset.is_some() => FrameSelection::All,
            (None, None) => FrameSelection::default_for(format),
        };
        let background = given(raw.background)
            .map(parse_color)
            .transpose()
            .map_err(ApiError::invalid_parameter)?;
        let quality_given = quality.is_some();
        let quality = match quality {
            None => DEFAULT_QUALITY,
            Some(q) => u8::try_from(q)
                .ok()
                .filter(|q| (1..=100).contains(q))
                .ok_or_else(|| {
                    ApiError::invalid_parameter(format!("quality must be 1-100, got {q}"))
                })?,
        };
        if raw.lossless == Some(true) && quality_given && quality != 100 {
            return Err(ApiError::invalid_parameter(format!(
                "lossless=true is quality 100; drop quality={quality}"
            )));
        }
        let quality = if raw.lossless == Some(true) {
            100
        } else {
            quality
        };
        let Some(preset) = preset else {
            return Ok(Self {
                frames,
                fps: raw.fps,
                background,
                format,
                quality,
                width,
                height,
                preset: None,
            });
        };
        let picked = [
            ("width", width.is_some()),
            ("height", height.is_some()),
            ("fps", raw.fps.is_some()),
            ("quality", quality_given),
            ("lossless", raw.lossless.is_some()),
        ];
        if let Some((name, _)) = picked.iter().find(|p| p.1) {
            return Err(ApiError::invalid_parameter(format!(
                "preset={preset} picks the size, fps and quality; drop {name}"
            )));
        }
        let animated = !matches!(frames, FrameSelection::One(_));
        let format = preset
            .format(animated, given_format)
            .map_err(ApiError::invalid_parameter)?;
        Ok(Self {
            frames,
            fps: None,
            background,
            format,
            quality: 100,
            width: None,
            height: None,
            preset: Some(preset),
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
        let lossless = match given(query.lossless.as_deref()) {
            None => None,
            Some("true" | "1") => Some(true),
            Some("false" | "0") => Some(false),
            Some(text) => {
                return Err(ApiError::invalid_parameter(format!(
                    "lossless must be true or false, got {text:?}"
                )));
            }
        };
        let raw = RawParams {
            frame: query.frame.as_deref(),
            frames: query.frames.as_deref(),
            fps,
            background: query.background.as_deref(),
            lossless,
            preset: query.preset.as_deref(),
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
            lossless: item.lossless,
            preset: item.preset.as_deref(),
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
    fn lossless_is_quality_100() {
        assert_eq!(query("format=webp&lossless=true").unwrap().quality, 100);
        assert_eq!(
            query("format=webp&lossless=1&quality=100").unwrap().quality,
            100
        );
        assert_eq!(
            query("format=webp&lossless=false&quality=60")
                .unwrap()
                .quality,
            60
        );
        for bad in ["lossless=yes", "lossless=true&quality=60"] {
            let err = query(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidParameter, "{bad}");
            assert!(err.message().contains("lossless"), "{bad}: {err}");
        }
    }

    #[test]
    fn presets_pick_their_format_and_refuse_what_they_pick() {
        let params = query("preset=whatsapp").unwrap();
        assert_eq!(params.preset, Some(Preset::WhatsApp));
        assert_eq!(
            (params.format, params.frames),
            (ImageFormat::WebP, FrameSelection::All)
        );
        let params = query("preset=signal&frame=3").unwrap();
        assert_eq!(
            (params.format, params.frames),
            (ImageFormat::Png, FrameSelection::One(3))
        );
        let params = query("preset=telegram-emoji&frame=0&format=png").unwrap();
        assert_eq!(params.format, ImageFormat::Png);
        for bad in [
            "preset=line",
            "preset=whatsapp&width=100",
            "preset=whatsapp&quality=50",
            "preset=whatsapp&fps=10",
            "preset=whatsapp&lossless=true",
            "preset=whatsapp&format=gif",
            "preset=signal&format=webp",
        ] {
            let err = query(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidParameter, "{bad}: {err}");
            assert!(
                err.message().contains("preset") || err.message().contains("line"),
                "{bad}: {err}"
            );
        }
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
