//! `OutputCache`: encoded images keyed by the upload's raw bytes and the conversion parameters,
//! so that a repeated request skips gunzip, parsing, rendering and encoding.
//!
//! It sits beside [`super::cache::AnimationCache`] (parsed animations keyed by the decompressed
//! JSON): the animation cache serves the same sticker at new parameters, this one the same
//! request again. Its key is computed from the bytes as uploaded, before any decoding, with a
//! keyed 128-bit `HighwayHash`, which runs at several GB/s: a hit costs a hash of the upload and a
//! lookup, cheap enough to answer on the HTTP worker without a trip through the render queue.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::header::EntityTag;
use actix_web::web::Bytes;
use highway::{HighwayHash, HighwayHasher, Key};
use quick_cache::sync::Cache;
use quick_cache::{Lifecycle, OptionsBuilder, Weighter};
use serde::Serialize;

use super::params::RenderParams;
use crate::encode::ImageFormat;
use crate::pipeline::{FrameSelection, Preset};

/// Bytes counted for every entry beyond its image (key, metadata, `Arc`, cache slot).
const ENTRY_OVERHEAD_BYTES: u64 = 256;

/// Typical size of a cached image, for sizing the cache's table (a 512x512 still is 20-80 KB).
const TYPICAL_ENTRY_BYTES: u64 = 32 * 1024;

/// Public, fixed key of the `ETag` hash: an `ETag` depends on the image bytes only, so it is the same
/// on every replica and across restarts. (Not a secret: an `ETag` only tells a client whether its
/// own copy is current.)
const ETAG_KEY: Key = Key([
    0x7467_735f_6574_6167,
    0x6f75_7470_7574_2e31,
    0x9e37_79b9_7f4a_7c15,
    0xbf58_476d_1ce4_e5b9,
]);

/// The parameters that decide the bytes of an output, normalised so that requests asking for the
/// same image share one entry (quality counts for WebP only).
///
/// [`OutputParams::new`] destructures [`RenderParams`] without `..`, so a new render parameter
/// does not compile until it is added here: one field below and one line in `new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputParams {
    frames: FrameSelection,
    /// `fps` by its bits: the requested rate exactly as validated.
    fps: Option<u64>,
    background: Option<[u8; 3]>,
    format: ImageFormat,
    quality: u8,
    width: Option<u32>,
    height: Option<u32>,
    preset: Option<Preset>,
}

impl OutputParams {
    /// Normalises validated render parameters.
    pub fn new(params: &RenderParams) -> Self {
        let RenderParams {
            frames,
            fps,
            background,
            format,
            quality,
            width,
            height,
            preset,
        } = *params;
        Self {
            frames,
            fps: fps.map(f64::to_bits),
            background,
            format,
            quality: if format == ImageFormat::WebP {
                quality
            } else {
                0
            },
            width,
            height,
            preset,
        }
    }
}

/// The key of one output: the upload's content address and the normalised parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputKey {
    /// Length of the upload as received.
    len: u64,
    /// Keyed `HighwayHash-128` of the upload as received.
    hash: [u64; 2],
    params: OutputParams,
}

/// An encoded image and what its response says about it.
#[derive(Debug, Clone)]
pub struct EncodedImage {
    /// The file; cloning shares it.
    pub bytes: Bytes,
    /// Strong entity tag (32 hex digits): `HighwayHash-128` of `bytes` under a fixed key.
    pub etag: EntityTag,
    /// Output format.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The sticker's frame count.
    pub total_frames: u32,
    /// Frames in the file (1 for a still).
    pub frames_encoded: u32,
    /// What a platform preset chose, when one was asked for.
    pub preset: Option<PresetChoice>,
}

/// What a platform preset chose: its frame rate (animations) and quality.
#[derive(Debug, Clone, Copy)]
pub struct PresetChoice {
    /// The preset asked for.
    pub preset: Preset,
    /// Frame rate chosen; `None` for a still.
    pub fps: Option<f64>,
    /// Quality chosen.
    pub quality: u8,
}

impl EncodedImage {
    /// Wraps an encoded file and computes its entity tag.
    pub fn new(
        bytes: Vec<u8>,
        format: ImageFormat,
        (width, height): (u32, u32),
        total_frames: u32,
        frames_encoded: u32,
    ) -> Self {
        let [a, b] = HighwayHasher::new(ETAG_KEY).hash128(&bytes);
        // Encoders grow their output by doubling, so a file may hold twice its length; a cached
        // image is weighed by its length and kept for long, so it gives the rest back (with 64 MiB
        // of images cached the server held 130 MB more than without them, before this).
        let mut bytes = bytes;
        bytes.shrink_to_fit();
        Self {
            bytes: Bytes::from(bytes),
            etag: EntityTag::new_strong(format!("{a:016x}{b:016x}")),
            format,
            width,
            height,
            total_frames,
            frames_encoded,
            preset: None,
        }
    }

    /// Records what a preset chose.
    pub fn with_preset(mut self, choice: PresetChoice) -> Self {
        self.preset = Some(choice);
        self
    }
}

#[derive(Debug, Clone, Copy)]
struct ImageWeighter;

impl Weighter<OutputKey, Arc<EncodedImage>> for ImageWeighter {
    fn weight(&self, _key: &OutputKey, image: &Arc<EncodedImage>) -> u64 {
        image.bytes.len() as u64 + ENTRY_OVERHEAD_BYTES
    }
}

/// Counts evictions (capacity pressure and entries too large to admit).
#[derive(Debug, Clone, Default)]
struct CountEvictions(Arc<AtomicU64>);

impl Lifecycle<OutputKey, Arc<EncodedImage>> for CountEvictions {
    type RequestState = ();

    fn on_evict(&self, _state: &mut (), _key: OutputKey, _image: Arc<EncodedImage>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

type ImageCache = Cache<
    OutputKey,
    Arc<EncodedImage>,
    ImageWeighter,
    quick_cache::DefaultHashBuilder,
    CountEvictions,
>;

/// Output cache counters, as served by `/stats` (`outputCache`).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputCacheStats {
    /// Whether the cache is on (`OUTPUT_CACHE_BYTES` > 0).
    pub enabled: bool,
    /// Images held.
    pub entries: usize,
    /// Bytes held: the images plus a small overhead per entry.
    pub bytes: u64,
    /// Byte budget (`OUTPUT_CACHE_BYTES`).
    pub capacity_bytes: u64,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to convert.
    pub misses: u64,
    /// `hits / (hits + misses)`, 0 before the first lookup.
    pub hit_rate: f64,
    /// Entries dropped to make room, or too large to admit.
    pub evictions: u64,
}

/// Encoded images by upload content and parameters, within a byte budget (least recently and
/// least frequently used go first: `quick_cache`'s CLOCK-Pro). No TTL: an entry is a pure function
/// of its key.
#[derive(Debug)]
pub struct OutputCache {
    /// `None` when the budget is 0 (off).
    cache: Option<ImageCache>,
    /// The per-process secret of the content hash.
    key: Key,
    capacity_bytes: u64,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: Arc<AtomicU64>,
}

impl OutputCache {
    /// Creates a cache of at most `capacity_bytes`; 0 turns it off (no lookups, no hashing).
    pub fn new(capacity_bytes: u64) -> Self {
        let evictions = Arc::new(AtomicU64::new(0));
        let cache = (capacity_bytes > 0).then(|| {
            let items = (capacity_bytes / TYPICAL_ENTRY_BYTES).clamp(16, 1 << 20);
            let options = OptionsBuilder::new()
                .estimated_items_capacity(items as usize)
                .weight_capacity(capacity_bytes)
                .build()
                .expect("capacities are positive");
            Cache::with_options(
                options,
                ImageWeighter,
                quick_cache::DefaultHashBuilder::default(),
                CountEvictions(Arc::clone(&evictions)),
            )
        });
        Self {
            cache,
            key: random_key(),
            capacity_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions,
        }
    }

    /// The key of `upload` (the sticker as received) converted with `params`, or `None` when the
    /// cache is off.
    pub fn key(&self, upload: &[u8], params: &RenderParams) -> Option<OutputKey> {
        self.cache.as_ref()?;
        Some(OutputKey {
            len: upload.len() as u64,
            hash: HighwayHasher::new(self.key).hash128(upload),
            params: OutputParams::new(params),
        })
    }

    /// Returns the cached image for `key`, counting a hit or a miss.
    pub fn get(&self, key: &OutputKey) -> Option<Arc<EncodedImage>> {
        let found = self.cache.as_ref()?.get(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores `image` under `key` (an image larger than a shard's share of the budget is refused
    /// and counted as an eviction).
    pub fn insert(&self, key: OutputKey, image: Arc<EncodedImage>) {
        if let Some(cache) = &self.cache {
            cache.insert(key, image);
        }
    }

    /// Drops every entry; returns how many went.
    pub fn clear(&self) -> usize {
        self.cache.as_ref().map_or(0, |cache| {
            let entries = cache.len();
            cache.clear();
            entries
        })
    }

    /// Returns the current counters.
    pub fn stats(&self) -> OutputCacheStats {
        let hits = self.hits.load(Ordering::Relaxed);
        let misses = self.misses.load(Ordering::Relaxed);
        let lookups = hits + misses;
        OutputCacheStats {
            enabled: self.cache.is_some(),
            entries: self.cache.as_ref().map_or(0, Cache::len),
            bytes: self.cache.as_ref().map_or(0, Cache::weight),
            capacity_bytes: self.capacity_bytes,
            hits,
            misses,
            hit_rate: if lookups == 0 {
                0.0
            } else {
                hits as f64 / lookups as f64
            },
            evictions: self.evictions.load(Ordering::Relaxed),
        }
    }
}

/// A random `HighwayHash` key from the standard library's per-process random hasher seed.
fn random_key() -> Key {
    let seed = RandomState::new();
    Key([1_u64, 2, 3, 4].map(|lane| {
        let mut hasher = seed.build_hasher();
        hasher.write_u64(lane);
        hasher.finish()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> RenderParams {
        let query = actix_web::web::Query::<super::super::params::RenderQuery>::from_query(query)
            .unwrap()
            .into_inner();
        RenderParams::from_query(&query).unwrap()
    }

    fn image(bytes: Vec<u8>) -> Arc<EncodedImage> {
        Arc::new(EncodedImage::new(bytes, ImageFormat::Png, (8, 8), 1, 1))
    }

    #[test]
    fn keys_separate_content_and_parameters() {
        let cache = OutputCache::new(1 << 20);
        let key = |upload: &[u8], query: &str| cache.key(upload, &params(query)).unwrap();
        assert_eq!(key(b"abc", "frame=3"), key(b"abc", "frame=3"), "stable");
        assert_ne!(key(b"abc", "frame=3"), key(b"abd", "frame=3"), "content");
        assert_ne!(key(b"abc", "frame=3"), key(b"abc", "frame=4"), "frame");
        assert_ne!(key(b"abc", ""), key(b"abc", "width=64"), "size");
        assert_ne!(
            key(b"abc", ""),
            key(b"abc", "background=%23ffffff"),
            "matte"
        );
        assert_ne!(
            key(b"abc", "format=webp"),
            key(b"abc", "format=webp&quality=50")
        );
        assert_ne!(key(b"abc", "format=gif"), key(b"abc", "format=gif&fps=25"));
        assert_eq!(
            key(b"abc", "quality=50"),
            key(b"abc", "quality=60"),
            "quality does not change a PNG"
        );
    }

    #[test]
    fn hits_misses_and_clear() {
        let cache = OutputCache::new(1 << 20);
        let key = cache.key(b"sticker", &params("")).unwrap();
        assert!(cache.get(&key).is_none());
        cache.insert(key, image(vec![1, 2, 3]));
        assert_eq!(cache.get(&key).unwrap().bytes.as_ref(), [1, 2, 3]);
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.entries), (1, 1, 1));
        assert_eq!(stats.bytes, 3 + ENTRY_OVERHEAD_BYTES);
        assert_eq!(cache.clear(), 1);
        assert!(cache.get(&key).is_none(), "cleared");
    }

    #[test]
    fn zero_budget_is_off() {
        let cache = OutputCache::new(0);
        assert!(cache.key(b"sticker", &params("")).is_none(), "no hashing");
        let stats = cache.stats();
        assert!(!stats.enabled);
        assert_eq!((stats.hits, stats.misses, stats.entries), (0, 0, 0));
    }

    #[test]
    fn budget_bounds_the_bytes_held() {
        let budget = 64 * 1024;
        let cache = OutputCache::new(budget);
        for i in 0..200_u32 {
            let key = cache.key(&i.to_le_bytes(), &params("")).unwrap();
            cache.insert(key, image(vec![0; 4000]));
        }
        let stats = cache.stats();
        assert!(stats.bytes <= budget, "{stats:?}");
        assert!(stats.entries < 200 && stats.evictions > 0, "{stats:?}");
    }

    #[test]
    fn etag_depends_on_the_bytes_only() {
        let a = image(vec![1, 2, 3]);
        let b = image(vec![1, 2, 3]);
        let c = image(vec![1, 2, 4]);
        assert_eq!(a.etag, b.etag);
        assert_ne!(a.etag, c.etag);
        assert!(!a.etag.weak, "strong");
        assert_eq!(a.etag.tag().len(), 32, "128-bit hex: {}", a.etag);
        // The same in every process and on every replica (a fixed key; `HighwayHash`'s output does
        // not depend on the CPU): pinned, so that a change is deliberate.
        assert_eq!(
            image(b"tgs".to_vec()).etag.tag(),
            "7ed0eaec4db9fa46f39dd98d5eb7855c"
        );
    }
}
