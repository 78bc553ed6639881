//! `AnimationCache`: parsed animations shared as `Arc`, keyed by a 128-bit keyed hash of the JSON.
//!
//! Uploads seen before skip the gunzip and the hashing of their JSON: a second, small map takes
//! the hash of the upload as received (a gzipped `.tgs` is about a tenth of its JSON) to the key
//! of its JSON. Gunzip and hashing the JSON were 7 % of the server's time at concurrency 100 with
//! 20 stickers cached. The same content sent gzipped and plain is still one entry.
//!
//! It holds parsed animations only; encoded images, keyed by the upload plus the render
//! parameters, are in [`super::output_cache::OutputCache`], which requests ask first.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quick_cache::sync::{Cache, GuardResult};
use quick_cache::{Lifecycle, OptionsBuilder, Weighter};
use renderer::Animation;
use serde::Serialize;

use crate::pipeline::{self, Limits, PipelineError};

/// Heap bytes of a parsed animation per byte of its Lottie JSON, as a fraction: 5/2.
///
/// Measured with a counting allocator (`STAGES=model cargo bench --bench encode_corpus`): 2.19
/// over the 115 512x512 corpus stickers (median 2.20, p90 2.44, max 2.74) and 2.14 over the 500
/// stickers of the memory benchmark (p90 2.41). 2.5 covers nine in ten, so the budget is rarely
/// overrun by much, while the 3 used before overstated every entry by a third.
const MODEL_BYTES_PER_JSON_BYTE: (u64, u64) = (5, 2);

/// Fixed overhead counted for every entry (model headers, `Arc`, cache slot).
const ENTRY_OVERHEAD_BYTES: u64 = 4 * 1024;

/// Upload keys remembered per cache entry (an entry may be sent gzipped in several ways).
const UPLOADS_PER_ENTRY: usize = 2;

/// How long a lookup waits for another thread that is parsing the same content.
const PARSE_WAIT: Duration = Duration::from_secs(2);

/// Content address of a decompressed Lottie document (or, in the upload map, of an upload).
///
/// Two SipHash-1-3 outputs under one random per-process key, over the content with different
/// one-byte prefixes, plus the length: an accidental match needs a 128-bit collision, and a
/// deliberate one needs the secret key, so a collision cannot serve another sticker's image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ContentKey {
    len: u64,
    hash: [u64; 2],
}

#[derive(Debug, Clone)]
struct Entry {
    animation: Arc<Animation>,
    inserted: Instant,
    weight: u64,
}

#[derive(Debug, Clone, Copy)]
struct EntryWeighter;

impl Weighter<ContentKey, Entry> for EntryWeighter {
    fn weight(&self, _key: &ContentKey, entry: &Entry) -> u64 {
        entry.weight
    }
}

/// Counts evictions (capacity pressure and oversized inserts; not explicit removals).
#[derive(Debug, Clone, Default)]
struct CountEvictions(Arc<AtomicU64>);

impl Lifecycle<ContentKey, Entry> for CountEvictions {
    type RequestState = ();

    fn on_evict(&self, _state: &mut (), _key: ContentKey, _entry: Entry) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// The result of a cache lookup.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The parsed animation; it stays alive while the caller holds it, even if evicted.
    pub animation: Arc<Animation>,
    /// Whether the animation came from the cache.
    pub hit: bool,
}

/// Cache counters, as served by `/stats`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    /// Animations held (expired ones count until looked up or swept).
    pub entries: usize,
    /// Sum of entry weights (estimated bytes, at least `capacity_bytes / max_entries` each).
    pub weighted_bytes: u64,
    /// Weight budget (`CACHE_MAX_BYTES`).
    pub capacity_bytes: u64,
    /// Count limit (`CACHE_SIZE`).
    pub max_entries: usize,
    /// Time-to-live in milliseconds (`CACHE_TTL_MS`).
    pub ttl_ms: u64,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that parsed the animation.
    pub misses: u64,
    /// `hits / (hits + misses)`, 0 before the first lookup.
    pub hit_rate: f64,
    /// Entries dropped to make room, or too large to admit.
    pub evictions: u64,
    /// Entries dropped because their TTL ran out.
    pub expirations: u64,
}

/// Parsed animations keyed by content, weighted by estimated memory, with a count limit and a TTL.
#[derive(Debug)]
pub struct AnimationCache {
    cache: Cache<ContentKey, Entry, EntryWeighter, quick_cache::DefaultHashBuilder, CountEvictions>,
    /// Upload key -> content key, for uploads seen before; at most [`UPLOADS_PER_ENTRY`] x
    /// `max_entries` of them (48 bytes each).
    uploads: Cache<ContentKey, ContentKey>,
    hasher: RandomState,
    ttl: Duration,
    max_entries: usize,
    capacity_bytes: u64,
    /// Each entry weighs at least this much, so `max_entries` is a hard count limit.
    min_weight: u64,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: Arc<AtomicU64>,
    expirations: AtomicU64,
}

impl AnimationCache {
    /// Creates a cache holding at most `max_entries` animations and `capacity_bytes` of estimated
    /// memory, each for at most `ttl`.
    ///
    /// # Panics
    ///
    /// Panics if `max_entries` or `capacity_bytes` is zero (the config rejects both).
    pub fn new(max_entries: usize, capacity_bytes: u64, ttl: Duration) -> Self {
        assert!(
            max_entries > 0 && capacity_bytes > 0,
            "cache limits must be positive"
        );
        let evictions = Arc::new(AtomicU64::new(0));
        let options = OptionsBuilder::new()
            .estimated_items_capacity(max_entries)
            .weight_capacity(capacity_bytes)
            .build()
            .expect("capacities are positive");
        let cache = Cache::with_options(
            options,
            EntryWeighter,
            quick_cache::DefaultHashBuilder::default(),
            CountEvictions(Arc::clone(&evictions)),
        );
        Self {
            cache,
            uploads: Cache::new(max_entries.saturating_mul(UPLOADS_PER_ENTRY)),
            hasher: RandomState::new(),
            ttl,
            max_entries,
            capacity_bytes,
            min_weight: capacity_bytes.div_ceil(max_entries as u64),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions,
            expirations: AtomicU64::new(0),
        }
    }

    fn key(&self, upload: &[u8]) -> ContentKey {
        let hash = [1_u8, 2].map(|domain| {
            let mut hasher = self.hasher.build_hasher();
            hasher.write_u8(domain);
            hasher.write(upload);
            hasher.finish()
        });
        ContentKey {
            len: upload.len() as u64,
            hash,
        }
    }

    fn is_expired(&self, entry: &Entry) -> bool {
        entry.inserted.elapsed() >= self.ttl
    }

    /// Returns the animation in `upload` (a gzipped `.tgs` or plain Lottie JSON, as received), from
    /// the cache if present; a miss decodes it within `limits` and parses it.
    ///
    /// Concurrent lookups of the same content parse it once: the others wait for the first.
    /// Call it from a render thread: a miss parses on the calling thread.
    ///
    /// # Errors
    ///
    /// Returns the [`PipelineError`] of [`pipeline::decode`] or [`pipeline::parse`]; failures
    /// are not cached.
    pub fn get_or_parse(&self, upload: &[u8], limits: &Limits) -> Result<Lookup, PipelineError> {
        let upload_key = self.key(upload);
        let mut decoded = None;
        let key = match self.uploads.get(&upload_key) {
            Some(key) => key,
            None => {
                let json = pipeline::decode(upload, limits)?;
                let key = self.key(&json);
                self.uploads.insert(upload_key, key);
                decoded = Some(json);
                key
            }
        };
        // The JSON, decoded now unless it was above (a known upload whose entry has gone).
        let mut json = move || match decoded.take() {
            Some(json) => Ok(json),
            None => pipeline::decode(upload, limits),
        };
        loop {
            match self.cache.get_value_or_guard(&key, Some(PARSE_WAIT)) {
                GuardResult::Value(entry) if !self.is_expired(&entry) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(Lookup {
                        animation: entry.animation,
                        hit: true,
                    });
                }
                GuardResult::Value(_) => {
                    if self
                        .cache
                        .remove_if(&key, |entry| self.is_expired(entry))
                        .is_some()
                    {
                        self.expirations.fetch_add(1, Ordering::Relaxed);
                    }
                }
                GuardResult::Guard(guard) => {
                    self.misses.fetch_add(1, Ordering::Relaxed);
                    let json = json()?;
                    let animation = Arc::new(pipeline::parse(&json)?);
                    let (num, den) = MODEL_BYTES_PER_JSON_BYTE;
                    let estimate = json.len() as u64 * num / den
                        + ENTRY_OVERHEAD_BYTES
                        + animation.image_bytes();
                    let entry = Entry {
                        animation: Arc::clone(&animation),
                        inserted: Instant::now(),
                        weight: estimate.max(self.min_weight),
                    };
                    // An entry heavier than a shard's budget is refused and counted as an eviction.
                    let _ = guard.insert(entry);
                    return Ok(Lookup {
                        animation,
                        hit: false,
                    });
                }
                GuardResult::Timeout => {
                    // The first parser is taking very long (or is this very thread, re-entered
                    // through rayon work stealing): parse without caching instead of waiting.
                    self.misses.fetch_add(1, Ordering::Relaxed);
                    return Ok(Lookup {
                        animation: Arc::new(pipeline::parse(&json()?)?),
                        hit: false,
                    });
                }
            }
        }
    }

    /// Drops every expired entry; returns how many went.
    pub fn purge_expired(&self) -> u64 {
        let purged = AtomicU64::new(0);
        self.cache.retain(|_, entry| {
            let keep = !self.is_expired(entry);
            if !keep {
                purged.fetch_add(1, Ordering::Relaxed);
            }
            keep
        });
        let purged = purged.into_inner();
        self.expirations.fetch_add(purged, Ordering::Relaxed);
        purged
    }

    /// Drops every entry (animations in use stay alive with their requests); returns how many went.
    pub fn clear(&self) -> usize {
        let entries = self.cache.len();
        self.cache.clear();
        self.uploads.clear();
        entries
    }

    /// Returns the current counters.
    pub fn stats(&self) -> CacheStats {
        let hits = self.hits.load(Ordering::Relaxed);
        let misses = self.misses.load(Ordering::Relaxed);
        let lookups = hits + misses;
        CacheStats {
            entries: self.cache.len(),
            weighted_bytes: self.cache.weight(),
            capacity_bytes: self.capacity_bytes,
            max_entries: self.max_entries,
            ttl_ms: u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX),
            hits,
            misses,
            hit_rate: if lookups == 0 {
                0.0
            } else {
                hits as f64 / lookups as f64
            },
            evictions: self.evictions.load(Ordering::Relaxed),
            expirations: self.expirations.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lottie(name: &str) -> Vec<u8> {
        format!(r#"{{"v":"5.7.0","nm":"{name}","fr":30,"ip":0,"op":30,"w":64,"h":64,"layers":[]}}"#)
            .into_bytes()
    }

    #[test]
    fn gzipped_and_plain_uploads_share_an_entry() {
        use std::io::Write as _;
        let cache = AnimationCache::new(10, 1 << 20, Duration::from_secs(60));
        let json = lottie("a");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&json).unwrap();
        let gz = gz.finish().unwrap();
        let limits = Limits::default();
        let first = cache.get_or_parse(&gz, &limits).unwrap();
        let again = cache.get_or_parse(&gz, &limits).unwrap();
        let plain = cache.get_or_parse(&json, &limits).unwrap();
        assert!(!first.hit && again.hit && plain.hit);
        assert!(Arc::ptr_eq(&first.animation, &plain.animation));
        assert_eq!(cache.stats().entries, 1);
        // A known upload whose entry went is decoded and parsed again.
        cache.clear();
        assert!(!cache.get_or_parse(&gz, &limits).unwrap().hit);
        assert!(cache.get_or_parse(&gz, &limits).unwrap().hit);
    }

    #[test]
    fn same_content_hits_other_content_misses() {
        let cache = AnimationCache::new(10, 1 << 20, Duration::from_secs(60));
        let first = cache
            .get_or_parse(&lottie("a"), &Limits::default())
            .unwrap();
        let again = cache
            .get_or_parse(&lottie("a"), &Limits::default())
            .unwrap();
        let other = cache
            .get_or_parse(&lottie("b"), &Limits::default())
            .unwrap();
        assert!(
            !first.hit && again.hit && !other.hit,
            "hit only on equal content"
        );
        assert!(
            Arc::ptr_eq(&first.animation, &again.animation),
            "shared, not re-parsed"
        );
        assert_eq!(other.animation.name(), "b");
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.entries), (1, 2, 2));
    }

    #[test]
    fn keys_differ_for_different_content() {
        let cache = AnimationCache::new(10, 1 << 20, Duration::from_secs(60));
        assert_ne!(
            cache.key(b"abc"),
            cache.key(b"abd"),
            "content changes the key"
        );
        assert_ne!(
            cache.key(b"abc"),
            cache.key(b"abc "),
            "length is part of the key"
        );
        assert_eq!(
            cache.key(b"abc"),
            cache.key(b"abc"),
            "stable within a process"
        );
    }

    #[test]
    fn errors_are_not_cached() {
        let cache = AnimationCache::new(10, 1 << 20, Duration::from_secs(60));
        assert!(
            cache.get_or_parse(b"{}", &Limits::default()).is_err(),
            "not lottie"
        );
        assert_eq!(cache.stats().entries, 0);
    }

    #[test]
    fn ttl_expires_and_purge_sweeps() {
        let cache = AnimationCache::new(10, 1 << 20, Duration::from_millis(30));
        cache
            .get_or_parse(&lottie("a"), &Limits::default())
            .unwrap();
        cache
            .get_or_parse(&lottie("b"), &Limits::default())
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            !cache
                .get_or_parse(&lottie("a"), &Limits::default())
                .unwrap()
                .hit,
            "expired"
        );
        assert_eq!(cache.purge_expired(), 1, "b was still there");
        assert_eq!(cache.stats().expirations, 2);
        assert_eq!(cache.stats().entries, 1);
    }

    #[test]
    fn count_limit_holds_and_clear_empties() {
        let cache = AnimationCache::new(3, 1 << 30, Duration::from_secs(60));
        for i in 0..20 {
            cache
                .get_or_parse(&lottie(&i.to_string()), &Limits::default())
                .unwrap();
        }
        let stats = cache.stats();
        assert!(stats.entries <= 3, "{stats:?}");
        assert!(stats.evictions >= 17, "{stats:?}");
        assert_eq!(cache.clear(), stats.entries);
        assert_eq!(cache.stats().entries, 0);
    }

    #[test]
    fn concurrent_first_lookups_parse_once() {
        let cache = AnimationCache::new(10, 1 << 20, Duration::from_secs(60));
        let json = lottie("shared");
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| cache.get_or_parse(&json, &Limits::default()).unwrap());
            }
        });
        let stats = cache.stats();
        assert_eq!((stats.misses, stats.hits), (1, 7), "{stats:?}");
    }
}
