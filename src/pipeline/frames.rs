//! Which frames a multi-frame job (a benchmark, say) takes.

/// `k` evenly spaced frame indices of `0..n`, first and last included, de-duplicated:
/// `f_i = floor(i (n-1) / (k-1) + 1/2)` in exact integer arithmetic (as `lottie_ref.py`);
/// every frame for `None`.
pub fn select_frames(n: u32, k: Option<u32>) -> Vec<u32> {
    let n = n.max(1);
    match k {
        None => (0..n).collect(),
        Some(k) if k >= n => (0..n).collect(),
        Some(k) if k <= 1 => vec![0],
        Some(k) => {
            let (n, k) = (u64::from(n), u64::from(k));
            let mut v: Vec<u32> = (0..k)
                .map(|i| ((2 * i * (n - 1) + (k - 1)) / (2 * (k - 1))) as u32)
                .collect();
            v.dedup();
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_frames_matches_reference_tool() {
        // Values from lottie_ref.py's select_frames.
        assert_eq!(select_frames(180, Some(5)), vec![0, 45, 90, 134, 179]);
        assert_eq!(select_frames(3, Some(5)), vec![0, 1, 2]);
        assert_eq!(select_frames(10, Some(1)), vec![0]);
        assert_eq!(select_frames(4, None), vec![0, 1, 2, 3]);
    }
}
