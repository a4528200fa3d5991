//! Rounding for display. Reports keep full precision; only what people read is rounded.
//!
//! The rule is **half away from zero on the number as written**: the shortest decimal that
//! round-trips to the same `f64` (what `println!("{x}")` shows) is rounded digit by digit. So
//! 2.675 shows as 2.68 and 0.125 as 0.13, as a person reading the unrounded figure expects,
//! rather than 2.67 as rounding the binary value 2.67499999… would give.

/// `x` rounded half away from zero to `decimals` places.
pub fn round_half_away(x: f64, decimals: u32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    crate::number::parse_f64(&format_fixed(x, decimals)).unwrap_or(x)
}

/// `x` rounded half away from zero and printed with exactly `decimals` places.
pub fn format_fixed(x: f64, decimals: u32) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let written = format!("{}", x.abs());
    let (int_part, frac_part) = written.split_once('.').unwrap_or((&written, ""));
    let decimals = decimals as usize;
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(
            frac_part
                .bytes()
                .chain(std::iter::repeat(b'0'))
                .take(decimals),
        )
        .map(|b| b - b'0')
        .collect();
    let round_up = frac_part
        .as_bytes()
        .get(decimals)
        .is_some_and(|&d| d >= b'5');
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let int_len = digits.len() - decimals;
    let mut out = String::new();
    let is_zero = digits.iter().all(|&d| d == 0);
    if x < 0.0 && !is_zero {
        out.push('-');
    }
    out.extend(digits[..int_len].iter().map(|d| char::from(b'0' + d)));
    if decimals > 0 {
        out.push('.');
        out.extend(digits[int_len..].iter().map(|d| char::from(b'0' + d)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_round_away_from_zero_as_written() {
        let cases = [
            (2.675, 2, "2.68"),
            (1.005, 2, "1.01"),
            (0.125, 2, "0.13"),
            (2.5, 0, "3"),
            (3.5, 0, "4"),
            (-2.5, 0, "-3"),
            (-0.004, 2, "0.00"),
            (9.995, 2, "10.00"),
            (99.95, 1, "100.0"),
            (1.45, 1, "1.5"),
            (12.0, 1, "12.0"),
            (0.1 + 0.2, 2, "0.30"),
            (33.333333333333336, 1, "33.3"),
            (1e-7, 3, "0.000"),
        ];
        for (x, d, want) in cases {
            assert_eq!(format_fixed(x, d), want, "{x} to {d}");
        }
        assert_eq!(round_half_away(2.675, 2), 2.68);
        assert!(round_half_away(f64::NAN, 2).is_nan());
    }
}
