//! The benchmarks' one timing harness: the functions under test run in
//! alternating batches (A, B, C, A, B, C, …) so that machine noise hits all
//! of them alike.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Every batch's nanoseconds per call, by function and round: `rounds`
/// rounds of batches of about `batch` each (sized by a warm-up of 4 ×
/// `batch`).
pub(crate) fn interleaved_samples(
    fs: &mut [Box<dyn FnMut() -> bool + '_>],
    rounds: usize,
    batch: Duration,
) -> Vec<Vec<f64>> {
    let per_batch: Vec<u64> = fs
        .iter_mut()
        .map(|f| {
            let start = Instant::now();
            let mut n = 0u64;
            while start.elapsed() < batch * 4 {
                assert!(f(), "benchmarked call failed");
                n += 1;
            }
            (n / 4).max(1)
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(rounds); fs.len()];
    for _ in 0..rounds {
        for (i, f) in fs.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..per_batch[i] {
                black_box(f());
            }
            samples[i].push(t.elapsed().as_nanos() as f64 / per_batch[i] as f64);
        }
    }
    samples
}

/// Each function's median nanoseconds per call over `rounds` interleaved
/// batches of about 10 ms.
pub(crate) fn interleaved(fs: &mut [Box<dyn FnMut() -> bool + '_>], rounds: usize) -> Vec<f64> {
    interleaved_samples(fs, rounds, Duration::from_millis(10))
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}
