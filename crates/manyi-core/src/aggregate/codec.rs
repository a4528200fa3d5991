//! The stored form of aggregates, for rollups kept in a database.
//!
//! An aggregate's shape (how many questions, items, scale points, pairs) comes from the survey's
//! plan, so the stored form is only its numbers, in the order [`Aggregate::new`] lays them out:
//! counts and integer sums as LEB128 varints, double-double sums as two little-endian `f64`. A
//! leading format byte and the count of numbers let a reader refuse bytes written for another
//! plan instead of misreading them. Decoding adds into an existing aggregate, so merging
//! hundreds of stored rows allocates nothing per row.

use super::{Aggregate, Headline, Moments, PairSums, PointCounts, WideSum};

/// The format's version, the first byte of every stored aggregate.
const FORMAT: u8 = 1;

/// Stored bytes that are not an aggregate of this plan (written by another version of the
/// survey, or damaged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored statistics do not fit the survey's plan: {0}")]
pub struct DecodeError(&'static str);

impl DecodeError {
    /// A row's time that no calendar holds.
    pub(crate) const OUT_OF_RANGE: DecodeError = DecodeError("a span starts outside the calendar");
}

/// Something done to every number of an aggregate, in its stored order.
trait Visit {
    fn count(&mut self, x: &mut u64);
    fn wide_count(&mut self, x: &mut u128);
    fn sum(&mut self, x: &mut WideSum);
}

impl Moments {
    fn walk(&mut self, v: &mut impl Visit) {
        v.count(&mut self.n);
        v.sum(&mut self.sum);
        v.sum(&mut self.sum_sq);
    }
}

impl PointCounts {
    fn walk(&mut self, v: &mut impl Visit) {
        self.counts.iter_mut().for_each(|c| v.count(c));
    }
}

impl PairSums {
    fn walk(&mut self, v: &mut impl Visit) {
        v.count(&mut self.n);
        v.count(&mut self.u);
        v.count(&mut self.v);
        v.wide_count(&mut self.uv);
        v.wide_count(&mut self.uu);
        v.wide_count(&mut self.vv);
    }
}

impl Headline {
    fn walk(&mut self, v: &mut impl Visit) {
        v.count(&mut self.n);
        for counts in [&mut self.nps, &mut self.csat, &mut self.ces]
            .into_iter()
            .flatten()
        {
            counts.walk(v);
        }
        self.dimensions.iter_mut().for_each(|m| m.walk(v));
        self.composite.walk(v);
    }

    /// The stored form.
    pub fn encode(&self) -> Vec<u8> {
        encode(|v| self.clone().walk(v))
    }

    /// Adds the aggregate stored as `bytes` (see [`Headline::encode`]) to this one.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        decode(bytes, self.numbers(), |v| self.walk(v))
    }

    /// How many numbers the stored form holds, counted from the shape rather than by walking
    /// a copy: a report merges hundreds of rows, and this runs once per row.
    fn numbers(&self) -> u64 {
        let metric: usize = [&self.nps, &self.csat, &self.ces]
            .into_iter()
            .flatten()
            .map(|c| c.counts.len())
            .sum();
        (1 + metric + 3 * (self.dimensions.len() + 1)) as u64
    }
}

impl Aggregate {
    fn walk(&mut self, v: &mut impl Visit) {
        self.headline.walk(v);
        self.invalid.iter_mut().for_each(|c| v.count(c));
        self.items.iter_mut().for_each(|c| c.walk(v));
        self.answered.iter_mut().for_each(|c| v.count(c));
        self.options.iter_mut().flatten().for_each(|c| v.count(c));
        self.dimension_any.iter_mut().for_each(|c| v.count(c));
        self.pairs.iter_mut().flatten().for_each(|p| p.walk(v));
    }

    /// The stored form.
    pub fn encode(&self) -> Vec<u8> {
        encode(|v| self.clone().walk(v))
    }

    /// Adds the aggregate stored as `bytes` (see [`Aggregate::encode`]) to this one.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        decode(bytes, self.numbers(), |v| self.walk(v))
    }

    /// How many numbers the stored form holds.
    fn numbers(&self) -> u64 {
        let items: usize = self.items.iter().map(|c| c.counts.len()).sum();
        let options: usize = self.options.iter().map(Vec::len).sum();
        let pairs: usize = self.pairs.iter().map(Vec::len).sum();
        self.headline.numbers()
            + (self.invalid.len()
                + items
                + self.answered.len()
                + options
                + self.dimension_any.len()
                + 6 * pairs) as u64
    }
}

fn encode(walk: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut counter = Encoder {
        out: Vec::new(),
        numbers: 0,
    };
    walk(&mut counter);
    let mut out = Vec::with_capacity(counter.out.len() + 6);
    out.push(FORMAT);
    put_varint(&mut out, u128::from(counter.numbers));
    out.extend_from_slice(&counter.out);
    out
}

struct Encoder {
    out: Vec<u8>,
    numbers: u64,
}

fn put_varint(out: &mut Vec<u8>, mut x: u128) {
    loop {
        let byte = (x & 0x7f) as u8;
        x >>= 7;
        if x == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

impl Visit for Encoder {
    fn count(&mut self, x: &mut u64) {
        self.numbers += 1;
        put_varint(&mut self.out, u128::from(*x));
    }
    fn wide_count(&mut self, x: &mut u128) {
        self.numbers += 1;
        put_varint(&mut self.out, *x);
    }
    fn sum(&mut self, x: &mut WideSum) {
        self.numbers += 1;
        self.out.extend_from_slice(&x.hi.to_le_bytes());
        self.out.extend_from_slice(&x.lo.to_le_bytes());
    }
}

/// Reads the stored numbers and adds each to the one visited. After the first fault it adds
/// nothing more and keeps the fault.
struct Adder<'b> {
    bytes: &'b [u8],
    fault: Option<&'static str>,
}

impl Adder<'_> {
    fn varint(&mut self) -> u128 {
        let mut x = 0u128;
        for shift in (0..128).step_by(7) {
            let Some((&byte, rest)) = self.bytes.split_first() else {
                self.fault.get_or_insert("the bytes end inside a number");
                return 0;
            };
            self.bytes = rest;
            x |= u128::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return x;
            }
        }
        self.fault.get_or_insert("a number is longer than 128 bits");
        0
    }

    fn float(&mut self) -> f64 {
        match self.bytes.split_first_chunk::<8>() {
            Some((bytes, rest)) => {
                self.bytes = rest;
                f64::from_le_bytes(*bytes)
            }
            None => {
                self.fault.get_or_insert("the bytes end inside a sum");
                0.0
            }
        }
    }
}

impl Visit for Adder<'_> {
    fn count(&mut self, x: &mut u64) {
        if self.fault.is_none() {
            let y = self.varint();
            match u64::try_from(y) {
                Ok(y) => *x = x.wrapping_add(y),
                Err(_) => {
                    self.fault.get_or_insert("a count is larger than 64 bits");
                }
            }
        }
    }
    fn wide_count(&mut self, x: &mut u128) {
        if self.fault.is_none() {
            *x = x.wrapping_add(self.varint());
        }
    }
    fn sum(&mut self, x: &mut WideSum) {
        if self.fault.is_none() {
            let hi = self.float();
            let lo = self.float();
            x.merge(&WideSum { hi, lo });
        }
    }
}

fn decode(
    bytes: &[u8],
    numbers: u64,
    walk: impl FnOnce(&mut Adder<'_>),
) -> Result<(), DecodeError> {
    let (&format, rest) = bytes
        .split_first()
        .ok_or(DecodeError("the bytes are empty"))?;
    if format != FORMAT {
        return Err(DecodeError("an unknown format"));
    }
    let mut adder = Adder {
        bytes: rest,
        fault: None,
    };
    if adder.varint() != u128::from(numbers) || adder.fault.is_some() {
        return Err(DecodeError("another number of figures"));
    }
    walk(&mut adder);
    if let Some(fault) = adder.fault {
        return Err(DecodeError(fault));
    }
    if !adder.bytes.is_empty() {
        return Err(DecodeError("bytes are left over"));
    }
    Ok(())
}
