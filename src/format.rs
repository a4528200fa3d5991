//! Number formatting for display. Reports keep full precision; only the screen rounds.

/// `x` rounded half away from zero to `decimals` places, as the report format documents.
pub fn fixed(x: f64, decimals: usize) -> String {
    let factor = 10f64.powi(decimals as i32);
    let rounded = (x * factor).round() / factor;
    // Rounding a small negative number can give -0, which should read as 0.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.decimals$}")
}

/// An optional statistic, or a dash when it cannot be computed.
pub fn fixed_or_dash(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "—".to_owned(), |x| fixed(x, decimals))
}

/// A scale point as typed in the definition: `7`, not `7.0`.
pub fn point(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(fixed(2.25, 1), "2.3");
        assert_eq!(fixed(-2.25, 1), "-2.3");
        assert_eq!(fixed(-0.01, 1), "0.0");
        assert_eq!(fixed_or_dash(None, 1), "—");
        assert_eq!(point(7.0), "7");
        assert_eq!(point(2.5), "2.5");
    }
}
