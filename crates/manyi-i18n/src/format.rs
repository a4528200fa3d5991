//! Number formatting for display. Reports keep full precision; only the screen rounds, by the
//! rule the report format documents (`manyi_core::display`).

/// `x` rounded half away from zero, on the number as written, to `decimals` places.
pub use manyi_core::display::format_fixed as fixed;

/// An optional statistic, or a dash when it cannot be computed.
pub fn fixed_or_dash(x: Option<f64>, decimals: u32) -> String {
    x.map_or_else(|| "—".to_owned(), |x| fixed(x, decimals))
}

/// A count with its thousands grouped, `5,368,709`: how Simplified Chinese, Traditional
/// Chinese and English screens all write it (browsers' `Intl.NumberFormat` does the same for
/// `zh-CN`, `zh-TW` and `en`).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A scale point as typed in the definition: `7`, not `7.0`, which is what `{}` writes.
pub fn point(x: f64) -> String {
    x.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(fixed(2.25, 1), "2.3");
        assert_eq!(fixed(-2.25, 1), "-2.3");
        assert_eq!(fixed(-0.01, 1), "0.0");
        // Rounded as written (2.675), not as the binary value 2.67499… would round.
        assert_eq!(fixed(2.675, 2), "2.68");
        assert_eq!(fixed_or_dash(None, 1), "—");
        assert_eq!(point(7.0), "7");
        assert_eq!(point(2.5), "2.5");
        assert_eq!(point(-0.5), "-0.5");
    }

    #[test]
    fn counts_group_their_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(2_500), "2,500");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(5_368_709), "5,368,709");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }
}
