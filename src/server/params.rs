//! Render parameters (`frame`, `format`, `quality`, `width`, `height`) from a query or a JSON item.

use serde::Deserialize;

use super::error::{ApiError, ErrorCode};
use crate::encode::ImageFormat;

/// Default WebP quality.
pub const DEFAULT_QUALITY: u8 = 90;

/// Validated render parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderParams {
    /// Frame index, 0-based.
    pub frame: u32,
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
    frame: Option<u32>,
    format: Option<String>,
    quality: Option<i64>,
    width: Option<u32>,
    height: Option<u32>,
}

/// The body of `/convert/batch`.
#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    /// The conversions, answered in the same order.
    pub items: Vec<ConvertItem>,
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
    /// `bad_format` for a format other than png/webp, `invalid_parameter` for a quality outside
    /// 1-100. Sizes and frames are checked against the animation by the pipeline.
    pub fn new(
        frame: Option<u32>,
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
                    format!("unsupported format {name:?}; use png or webp"),
                )
            })?,
        };
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
            frame: frame.unwrap_or(0),
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
    /// As [`RenderParams::new`], plus `invalid_parameter` for a value that is not a number.
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
        Self::new(
            number("frame", query.frame.as_deref())?,
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
    /// As [`RenderParams::new`].
    pub fn from_item(item: &ConvertItem) -> Result<Self, ApiError> {
        Self::new(
            item.frame,
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
        assert_eq!(params.frame, 0);
        assert_eq!(params.format, ImageFormat::Png);
        assert_eq!(params.quality, DEFAULT_QUALITY);
        assert_eq!((params.width, params.height), (None, None));
    }

    #[test]
    fn parses_every_parameter() {
        let params = query("frame=3&format=WEBP&quality=50&width=100&height=80").unwrap();
        assert_eq!(params.frame, 3);
        assert_eq!(params.format, ImageFormat::WebP);
        assert_eq!(params.quality, 50);
        assert_eq!((params.width, params.height), (Some(100), Some(80)));
    }

    #[test]
    fn rejects_bad_values_with_their_names() {
        assert_eq!(
            query("format=gif").unwrap_err().code(),
            ErrorCode::BadFormat
        );
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
