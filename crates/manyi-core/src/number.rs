//! Decimal text to `f64`, correctly rounded, for the condition languages.
//!
//! The standard library's `str::parse::<f64>` reaches its result through tables of 128-bit
//! powers of five (the Eisel-Lemire algorithm), which cost the browser's bundle about 14 KB
//! gzip: more than the whole SurveyJS evaluator. The numbers conditions read are short, so
//! here the common case is the exact fast path (at most 15 digits and a power of ten of at most
//! 22, each exact in an `f64`), and anything else starts from an estimate that exact big
//! integer comparisons then move to the nearest `f64`. The result is the same as the standard
//! library's for every input, which the tests check against it.

use std::cmp::Ordering;

/// `text` as a number, read exactly as `str::parse::<f64>` reads it: an optional sign, then
/// `inf`, `infinity` or `nan` in any case, or decimal digits with an optional point and an
/// optional exponent (`1`, `1.`, `.5`, `2.5e-3`). The nearest `f64`, ties to even.
pub(crate) fn parse_f64(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if rest.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        decimal(rest.as_bytes())?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Writes `n` as a literal that [`parse_f64`] reads back as `n`, for the condition printers:
/// Rust's shortest round-tripping decimal, which never has an exponent (the grammars have
/// none). An infinity, which a literal too large for an `f64` reads as, is written as such a
/// literal (`1` and 309 zeros), since the grammars have no word for it; `NaN` never comes
/// from a literal.
pub(crate) fn write_literal(f: &mut std::fmt::Formatter<'_>, n: f64) -> std::fmt::Result {
    if n.is_infinite() {
        let sign = if n < 0.0 { "-" } else { "" };
        write!(f, "{sign}1{:0<309}", "")
    } else {
        write!(f, "{n}")
    }
}

/// The powers of ten that an `f64` holds exactly.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// An unsigned decimal literal.
fn decimal(text: &[u8]) -> Option<f64> {
    let mut digits: Vec<u8> = Vec::new();
    // The value is `digits × 10^exponent`.
    let mut exponent: i64 = 0;
    let mut seen_digit = false;
    let mut i = 0;
    while let Some(&c) = text.get(i).filter(|c| c.is_ascii_digit()) {
        seen_digit = true;
        if !(digits.is_empty() && c == b'0') {
            digits.push(c - b'0');
        }
        i += 1;
    }
    if text.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = text.get(i).filter(|c| c.is_ascii_digit()) {
            seen_digit = true;
            if !(digits.is_empty() && c == b'0') {
                digits.push(c - b'0');
            }
            exponent -= 1;
            i += 1;
        }
    }
    if !seen_digit {
        return None;
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        let negative = match text.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let from = i;
        let mut value: i64 = 0;
        while let Some(&c) = text.get(i).filter(|c| c.is_ascii_digit()) {
            // Far beyond any finite or non-zero result; saturating keeps the sum in range.
            value = (value * 10 + i64::from(c - b'0')).min(1 << 40);
            i += 1;
        }
        if i == from {
            return None;
        }
        exponent += if negative { -value } else { value };
    }
    if i != text.len() {
        return None;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    if digits.is_empty() {
        return Some(0.0);
    }
    let count = digits.len() as i64;
    // The value lies in [10^(count - 1 + exponent), 10^(count + exponent)).
    if count - 1 + exponent >= 309 {
        return Some(f64::INFINITY);
    }
    if count + exponent < -324 {
        return Some(0.0);
    }
    let exponent = exponent as i32;
    if count <= 15 && exponent.abs() <= 22 {
        // Both factors are exact, so the one operation rounds once, correctly.
        let mantissa = digits.iter().fold(0u64, |m, &d| m * 10 + u64::from(d)) as f64;
        let power = POWERS_OF_TEN[exponent.unsigned_abs() as usize];
        return Some(if exponent < 0 {
            mantissa / power
        } else {
            mantissa * power
        });
    }
    Some(nearest(&digits, exponent))
}

/// The `f64` nearest to `digits × 10^exponent` (no leading or trailing zeros, within the range
/// `decimal` leaves): an estimate from the first 17 digits, then one step at a time to the float
/// whose rounding interval holds the exact value.
fn nearest(digits: &[u8], exponent: i32) -> f64 {
    let head = &digits[..digits.len().min(17)];
    let estimate = head.iter().fold(0u64, |m, &d| m * 10 + u64::from(d)) as f64;
    let scale = exponent + (digits.len() - head.len()) as i32;
    let mut x = if scale >= 0 {
        estimate * 10f64.powi(scale)
    } else if scale >= -300 {
        estimate / 10f64.powi(-scale)
    } else {
        // Two steps, so the divisor never overflows.
        estimate / 1e300 / 10f64.powi(-scale - 300)
    };
    if x.is_infinite() {
        x = f64::MAX;
    }
    let value = BigDecimal::new(digits, exponent);
    loop {
        // Above the midpoint with the next float up: that float, or infinity past the largest.
        let up = next_up(x);
        match value.cmp_midpoint(x, up) {
            Ordering::Greater if x == f64::MAX => return f64::INFINITY,
            Ordering::Greater => {
                x = up;
                continue;
            }
            // A tie goes to the even mantissa; past the largest float that is infinity.
            Ordering::Equal if x == f64::MAX => return f64::INFINITY,
            Ordering::Equal => return if x.to_bits() % 2 == 0 { x } else { up },
            Ordering::Less => {}
        }
        if x == 0.0 {
            return 0.0;
        }
        let down = f64::from_bits(x.to_bits() - 1);
        match value.cmp_midpoint(down, x) {
            Ordering::Less => x = down,
            Ordering::Equal => return if x.to_bits() % 2 == 0 { x } else { down },
            Ordering::Greater => return x,
        }
    }
}

/// The next float up from a finite `x ≥ 0`; above the largest float, 2^1024 stands for the
/// first value that rounds to infinity.
fn next_up(x: f64) -> f64 {
    if x == f64::MAX {
        f64::INFINITY
    } else {
        f64::from_bits(x.to_bits() + 1)
    }
}

/// A finite `x ≥ 0` (or infinity, meaning 2^1024) as `mantissa × 2^exponent`.
fn binary(x: f64) -> (u64, i32) {
    if x.is_infinite() {
        return (1, 1024);
    }
    let bits = x.to_bits();
    let field = (bits >> 52) as i32;
    let fraction = bits & ((1 << 52) - 1);
    match field {
        0 => (fraction, -1074),
        _ => (fraction | (1 << 52), field - 1075),
    }
}

/// `digits × 10^exponent`, exactly.
struct BigDecimal {
    digits: Big,
    exponent: i32,
}

impl BigDecimal {
    fn new(digits: &[u8], exponent: i32) -> BigDecimal {
        let mut big = Big(vec![0]);
        for chunk in digits.chunks(9) {
            let value = chunk.iter().fold(0u32, |m, &d| m * 10 + u32::from(d));
            big.mul_add(10u32.pow(chunk.len() as u32), value);
        }
        BigDecimal {
            digits: big,
            exponent,
        }
    }

    /// How the value compares with the midpoint of `a < b`: both sides doubled and scaled to
    /// integers, `2 × digits × 5^e × 2^e` against `(ma × 2^ka + mb × 2^kb) × 5^-e`.
    fn cmp_midpoint(&self, a: f64, b: f64) -> Ordering {
        let ((ma, ka), (mb, kb)) = (binary(a), binary(b));
        let e = self.exponent;
        let low = (e + 1).min(ka).min(kb);
        let mut left = Big(self.digits.0.clone());
        let mut right = Big::from_u64(ma);
        right.shl((ka - low) as u32);
        let mut other = Big::from_u64(mb);
        other.shl((kb - low) as u32);
        right.add(&other);
        if e >= 0 {
            left.mul_pow5(e as u32);
        } else {
            right.mul_pow5((-e) as u32);
        }
        left.shl((e + 1 - low) as u32);
        left.cmp(&right)
    }
}

/// A natural number in base 2^32, least significant limb first.
struct Big(Vec<u32>);

impl Big {
    fn from_u64(value: u64) -> Big {
        Big(vec![value as u32, (value >> 32) as u32])
    }

    /// `self × factor + addend`.
    fn mul_add(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.0 {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow5(&mut self, mut power: u32) {
        // 5^13 is the largest power of five in a u32.
        while power >= 13 {
            self.mul_add(1_220_703_125, 0);
            power -= 13;
        }
        self.mul_add(5u32.pow(power), 0);
    }

    fn shl(&mut self, bits: u32) {
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let shifted = (u64::from(*limb) << bits) | carry;
                *limb = shifted as u32;
                carry = shifted >> 32;
            }
            if carry > 0 {
                self.0.push(carry as u32);
            }
        }
        self.0.splice(0..0, std::iter::repeat_n(0, limbs));
    }

    fn add(&mut self, other: &Big) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut carry = 0u64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let sum = u64::from(*limb) + u64::from(other.0.get(i).copied().unwrap_or(0)) + carry;
            *limb = sum as u32;
            carry = sum >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn cmp(&self, other: &Big) -> Ordering {
        let significant =
            |big: &Big| big.0.len() - big.0.iter().rev().take_while(|l| **l == 0).count();
        let (n, m) = (significant(self), significant(other));
        n.cmp(&m)
            .then_with(|| self.0[..n].iter().rev().cmp(other.0[..m].iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    /// Compares with the standard library, bit for bit (any NaN equals any NaN).
    fn check(text: &str) {
        let expected = text.parse::<f64>().ok();
        let got = parse_f64(text);
        let same = match (expected, got) {
            (Some(a), Some(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (None, None) => true,
            _ => false,
        };
        assert!(same, "{text:?}: std {expected:?}, parse_f64 {got:?}");
    }

    #[test]
    fn reads_what_the_standard_library_reads() {
        for text in [
            "",
            ".",
            "+",
            "-",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "--1",
            "+-1",
            "infinit",
            "nann",
            "1e5.5",
            "0",
            "-0",
            "+0",
            "00",
            "0.0",
            ".0",
            "0.",
            "1",
            "1.",
            ".5",
            "-.5",
            "+1",
            "1e5",
            "1E5",
            "1e+5",
            "1e-5",
            "1.5E-05",
            "inf",
            "INF",
            "-inf",
            "+Infinity",
            "infinity",
            "NaN",
            "nan",
            "-nan",
            "007",
            "0.1",
            "0.2",
            "0.3",
            "0.30000000000000004",
            "9007199254740993",
            "9007199254740992.5",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1.797693134862315807e308",
            "1.7976931348623158079e308",
            "179769313486231580793728971405301e276",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.47032822920623272e-324",
            "1e-324",
            "3e-324",
            "1e-400",
            "1e400",
            "1e-99999999999",
            "1e99999999999",
            "123456789012345678901234567890",
            "0.000000000000000000000000001",
            "8.98846567431158e307",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "7.038531e-26",
            "123456.789e-3",
            "1e23",
            "8.589973e9",
            "5e-324",
            "2.5e-324",
        ] {
            check(text);
        }
    }

    #[test]
    fn agrees_with_the_standard_library_on_many_numbers() {
        // A deterministic xorshift generator: the same cases on every run.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            // Random digits at random scales, around every binade.
            let count = 1 + next() % 40;
            let digits: String = (0..count)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let exponent = (next() % 700) as i64 - 360;
            check(&format!("{digits}e{exponent}"));
            let point = (next() % count) as usize;
            check(&format!(
                "{}.{}e{}",
                &digits[..point],
                &digits[point..],
                exponent / 7
            ));
            // Floats printed exactly and shortest.
            let x = f64::from_bits(next() % 0x7ff0_0000_0000_0000);
            let exact = format!("{x:.1100e}");
            let (mantissa, power) = exact.split_once('e').unwrap();
            check(&format!("{}e{power}", mantissa.trim_end_matches('0')));
            check(&format!("{x:e}"));
            check(&format!("{x}"));
            // Integers above 2^53, where every other one is a tie between two floats.
            check(&(next() >> (next() % 11)).to_string());
            // The exact midpoints between floats from 2^26 to 2^53 (whose decimal fits a u128)
            // and their decimal neighbours: a tie, just below and just above.
            let x = f64::from_bits(((1049 + next() % 27) << 52) | (next() & ((1 << 52) - 1)));
            let (bits, field) = (x.to_bits(), (x.to_bits() >> 52) as i32);
            let (mantissa, power) = ((bits & ((1 << 52) - 1)) | (1 << 52), field - 1075);
            let scaled = u128::from(2 * mantissa + 1) * 5u128.pow((1 - power) as u32);
            for delta in [0, -1, 1] {
                let near = (scaled as i128 * 10 + delta) as u128;
                check(&format!("{near}e{}", power - 2));
            }
        }
    }
}
