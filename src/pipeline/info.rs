//! The `info` metadata of an animation (CLI `info`, HTTP `POST /info`).

use renderer::Animation;
use serde::{Serialize, Serializer};

/// What `info` reports about an animation, serialized as a JSON object.
///
/// The fields are in alphabetical order of their JSON keys, which is the order the keys have
/// always come out in: clients that compare responses byte for byte see no change.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// Number of entries of the file's `assets`.
    pub assets: usize,
    /// Duration in seconds.
    pub duration: f64,
    /// Frames per second (`fr`).
    #[serde(serialize_with = "whole_as_integer")]
    pub frame_rate: f64,
    /// Composition height in pixels (`h`).
    #[serde(serialize_with = "whole_as_integer")]
    pub height: f64,
    /// Number of top-level layers.
    pub layers: usize,
    /// The animation's name (`nm`).
    pub name: String,
    /// Number of frames; valid frame indices are `0..total_frames`.
    pub total_frames: u32,
    /// The exporter version (`v`).
    pub version: String,
    /// Unsupported features found while loading, one line each.
    pub warnings: Vec<String>,
    /// Composition width in pixels (`w`).
    #[serde(serialize_with = "whole_as_integer")]
    pub width: f64,
}

/// Returns the `info` metadata of `animation`.
pub fn info(animation: &Animation) -> Info {
    Info {
        width: animation.width(),
        height: animation.height(),
        total_frames: animation.total_frames(),
        frame_rate: animation.frame_rate(),
        duration: animation.duration(),
        layers: animation.layer_count(),
        assets: animation.asset_count(),
        version: animation.version().to_owned(),
        name: animation.name().to_owned(),
        warnings: animation.warnings().to_vec(),
    }
}

/// Serializes whole numbers as integers (`512`, not `512.0`), as they appear in Lottie files.
fn whole_as_integer<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_prints_whole_numbers_as_integers() {
        let json =
            br#"{"v":"5.7.0","nm":"sq","fr":29.97,"ip":0,"op":30,"w":200,"h":100,"layers":[]}"#;
        let info = info(&Animation::from_slice(json).unwrap());
        let value = serde_json::to_value(&info).unwrap();
        assert_eq!(value["width"], serde_json::json!(200));
        assert_eq!(value["frameRate"], serde_json::json!(29.97));
        assert_eq!(value["totalFrames"], 30);
        assert_eq!(value["name"], "sq");
        assert_eq!(value.as_object().unwrap().len(), 10);
    }

    #[test]
    fn info_keys_are_in_alphabetical_order() {
        let json = br#"{"v":"5.7.0","nm":"sq","fr":30,"ip":0,"op":30,"w":200,"h":100,"layers":[]}"#;
        let text = serde_json::to_string(&info(&Animation::from_slice(json).unwrap())).unwrap();
        assert_eq!(
            text,
            r#"{"assets":0,"duration":1.0,"frameRate":30,"height":100,"layers":0,"name":"sq","totalFrames":30,"version":"5.7.0","warnings":[],"width":200}"#
        );
    }
}
