//! Order statistics exactly as Cardinal computes them (statrs 0.16 `Data::quantile`).
//!
//! statrs uses the "R-8" (median-unbiased) estimator: `h = (n + 1/3)·τ + 1/3`, interpolating between
//! the `⌊h⌋`-th and `⌊h⌋+1`-th order statistics (1-based), clamped to the minimum and maximum.

/// Sorts values for [`quantile`] (NaN last, as a total order).
pub(crate) fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_unstable_by(f64::total_cmp);
    values
}

/// Whether `tau` equals 1 within 4 ulps (statrs uses `ulps_eq!(tau, 1.0)`).
fn is_one(tau: f64) -> bool {
    if (tau - 1.0).abs() <= f64::EPSILON {
        return true;
    }
    let distance = (tau.to_bits() as i64).wrapping_sub(1.0f64.to_bits() as i64);
    distance.unsigned_abs() <= 4
}

/// The `tau` quantile of already sorted values; NaN when empty or `tau` is outside `[0, 1]`.
pub(crate) fn quantile(sorted: &[f64], tau: f64) -> f64 {
    if !(0.0..=1.0).contains(&tau) || sorted.is_empty() {
        return f64::NAN;
    }
    let n = sorted.len();
    let h = (n as f64 + 1.0 / 3.0) * tau + 1.0 / 3.0;
    let hf = h as i64;
    if hf <= 0 || tau == 0.0 {
        return sorted[0];
    }
    if hf >= n as i64 || is_one(tau) {
        return sorted[n - 1];
    }
    let hf_index = hf as usize;
    let a = sorted[hf_index - 1];
    let b = sorted[hf_index];
    a + (h - hf as f64) * (b - a)
}

/// First and third quartiles.
pub(crate) fn quartiles(sorted: &[f64]) -> (f64, f64) {
    (quantile(sorted, 0.25), quantile(sorted, 0.75))
}

/// The `p`-th percentile (statrs: `quantile(p / 100)`).
pub(crate) fn percentile(sorted: &[f64], p: usize) -> f64 {
    quantile(sorted, p as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_statrs_r8() {
        // Values checked against statrs 0.16 `Data::lower_quartile` / `upper_quartile`.
        let data = sorted(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        let (q1, q3) = quartiles(&data);
        assert!((q1 - 1.6666666666666667).abs() < 1e-12, "{q1}");
        assert!((q3 - 4.333333333333333).abs() < 1e-12, "{q3}");
        assert_eq!(quantile(&[7.0], 0.25), 7.0);
        assert_eq!(percentile(&data, 100), 5.0);
        assert_eq!(percentile(&data, 0), 1.0);
        assert!(percentile(&data, 101).is_nan());
        assert!(quantile(&[], 0.5).is_nan());
    }
}
