//! Which labels of a chart's time axis to draw, so that none overlap at any number of points
//! and any width: every `stride`-th point's, where a stride is the fewest points that keep two
//! labels apart, and always the first and the last point's, which say what period is shown.
//! Plain arithmetic on estimated text widths, so it is tested natively.

/// The labels' font size in CSS pixels, as `.chart .axis-label` in `style/main.css` sets it.
/// The trend chart draws one SVG unit per CSS pixel, so this is also the size in its units.
pub const FONT_PX: f64 = 11.0;

/// The least space between two labels: one em, so neighbours read as separate words.
pub const GAP: f64 = FONT_PX;

/// How wide `text` is drawn at [`FONT_PX`], estimated on the generous side: each character at
/// about the widest the usual sans-serif fonts draw it (digits are 0.55–0.64 em in all of
/// them, `-` up to 0.37 em, `W` up to 0.99 em, CJK characters 1 em). Overestimating only leaves
/// more room between labels; underestimating would let them touch.
pub fn text_width(text: &str) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            '0'..='9' => 0.65,
            '-' | '.' | ':' | '/' | ' ' => 0.4,
            'W' | 'M' | 'm' | 'w' => 1.0,
            c if c.is_ascii() => 0.7,
            _ => 1.0,
        })
        .sum();
    ems * FONT_PX
}

/// Where a label sits against its point: the first label starts at its point and the last ends
/// at its point, so neither reaches past the plot's edges; the others are centred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    /// The SVG `text-anchor` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }

    /// The span a label of `width` takes when its point is at `x`.
    fn span(self, x: f64, width: f64) -> (f64, f64) {
        match self {
            Anchor::Start => (x, x + width),
            Anchor::Middle => (x - width / 2.0, x + width / 2.0),
            Anchor::End => (x - width, x),
        }
    }
}

/// The points to label, in order, with their anchors, for `count` points spaced evenly from
/// `left` to `right` (one point sits at `left`) and labels at most `label` wide.
///
/// Two labels are always at least [`GAP`] apart. When even the first and the last label do
/// not fit side by side (a chart narrower than two labels), only the last is drawn: the latest
/// period is the one a reader looks for.
pub fn labelled(count: usize, left: f64, right: f64, label: f64) -> Vec<(usize, Anchor)> {
    match count {
        0 => return Vec::new(),
        1 => return vec![(0, Anchor::Start)],
        _ => {}
    }
    let last = count - 1;
    let step = (right - left) / last as f64;
    let x = |i: usize| left + i as f64 * step;
    let (_, first_end) = Anchor::Start.span(x(0), label);
    let (last_start, _) = Anchor::End.span(x(last), label);
    if first_end + GAP > last_start {
        return vec![(last, Anchor::End)];
    }
    // Centred labels `stride` points apart are at least `label + GAP` apart, centre to centre.
    let stride = ((label + GAP) / step).ceil().max(1.0) as usize;
    let mut picked = vec![(0, Anchor::Start)];
    let mut end = first_end;
    let mut i = stride;
    while i < last {
        let (start, stop) = Anchor::Middle.span(x(i), label);
        // Multiples of the stride keep an even rhythm; one too close to the first or the last
        // label is left out rather than shifted.
        if start >= end + GAP && stop + GAP <= last_start {
            picked.push((i, Anchor::Middle));
            end = stop;
        }
        i += stride;
    }
    picked.push((last, Anchor::End));
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widths the trend chart is drawn at: a 390 px phone's column, a tablet's, and the
    /// two-column grid and the whole width of a 1280 px window.
    const WIDTHS: [f64; 4] = [300.0, 520.0, 600.0, 1200.0];
    const PAD: f64 = 28.0;

    #[test]
    fn labels_never_overlap_and_always_show_the_latest_period() {
        let label = text_width("2026-W52");
        for width in WIDTHS {
            let (left, right) = (PAD, width - PAD);
            for count in 1..=400 {
                let picked = labelled(count, left, right, label);
                let step = (right - left) / (count.max(2) - 1) as f64;
                let spans: Vec<(f64, f64)> = picked
                    .iter()
                    .map(|&(i, anchor)| anchor.span(left + i as f64 * step, label))
                    .collect();
                let case = format!("{count} points at {width} px: {picked:?}");
                assert_eq!(picked.last().map(|p| p.0), Some(count - 1), "{case}");
                assert_eq!(picked.first().map(|p| p.0), Some(0), "{case}");
                assert!(picked.windows(2).all(|w| w[0].0 < w[1].0), "{case}");
                for pair in spans.windows(2) {
                    assert!(pair[0].1 + GAP <= pair[1].0 + 1e-9, "{case}");
                    // Labels are left out only where they would not fit: no stretch between
                    // two labels is wide enough for two more.
                    assert!(
                        pair[1].0 - pair[0].1 < 2.0 * (label + GAP) + 2.0 * step,
                        "{case}"
                    );
                }
                for &(start, end) in &spans {
                    assert!(start >= left - 1e-9 && end <= right + 1e-9, "{case}");
                }
            }
        }
    }

    #[test]
    fn few_points_are_all_labelled() {
        let label = text_width("2026-03-31");
        assert_eq!(labelled(1, PAD, 300.0 - PAD, label), [(0, Anchor::Start)]);
        assert_eq!(
            labelled(3, PAD, 600.0 - PAD, label),
            [(0, Anchor::Start), (1, Anchor::Middle), (2, Anchor::End)]
        );
        assert!(labelled(0, PAD, 600.0 - PAD, label).is_empty());
    }

    #[test]
    fn a_chart_too_narrow_for_two_labels_shows_the_last() {
        let label = text_width("2026-03-31");
        assert_eq!(labelled(5, 0.0, label, label), [(4, Anchor::End)]);
    }

    #[test]
    fn estimates_are_at_least_what_fonts_draw() {
        // DejaVu Sans, the widest of the usual fonts for these characters (digits 0.636 em,
        // `-` 0.361 em, `W` 0.989 em), draws "2026-W05" at 11 px 56.8 px wide and
        // "2026-03-31" 63.9 px wide.
        assert!(text_width("2026-W05") >= 56.8);
        assert!(text_width("2026-03-31") >= 63.9);
        assert_eq!(text_width(""), 0.0);
    }
}
