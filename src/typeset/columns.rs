//! Table column widths from their content, as CSS's automatic table
//! layout has them: every column gets its max-content width when the
//! table fits the measure that way; else its min-content width plus a
//! share of what is left, in proportion to how much wider its content
//! would like to be. Only a table whose unbreakable runs cannot all fit
//! gets columns narrower than their content's longest run (their cells
//! then break inside it, rather than run off the page).

use super::breaks::{self, BreakKind};
use super::shape::{Class, Shaped};

/// What a column's cells need: the widest unbreakable run (a CJK
/// character with the punctuation it may not be parted from, a Latin
/// word, a code span, a URL) and the widest cell set on one line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Extent {
    pub min: f32,
    pub max: f32,
}

impl Extent {
    /// The wider of two extents, each way: a column's from its cells'.
    pub fn widen(self, other: Extent) -> Extent {
        Extent {
            min: self.min.max(other.min),
            max: self.max.max(other.max),
        }
    }
}

/// The min- and max-content widths of a shaped cell, found where the body's
/// line breaker may break (kinsoku included), so that a cell set at its
/// min-content width breaks only where the breaker would.
pub fn extent(shaped: &Shaped) -> Extent {
    let glyphs = &shaped.glyphs;
    let mut out = Extent::default();
    let mut start = 0;
    let mut line = 0.0f32;
    for op in breaks::opportunities(shaped) {
        let run = &glyphs[start..op.at.min(glyphs.len())];
        // What a line ending here shows: no trailing space, no gap after
        // its last glyph (the Han–Latin gap never reaches an edge).
        let shown = run
            .iter()
            .rposition(|g| !matches!(g.class, Class::Space | Class::Newline));
        let width = match shown {
            Some(last) => {
                run[..last].iter().map(|g| g.advance + g.gap).sum::<f32>() + run[last].advance
            }
            None => 0.0,
        };
        let full: f32 = run.iter().map(|g| g.advance + g.gap).sum();
        out.min = out.min.max(width);
        out.max = out.max.max(line + width);
        line += full;
        if op.kind == BreakKind::Mandatory {
            line = 0.0;
        }
        start = op.at;
    }
    out
}

/// Content widths of the columns (padding excluded), given the room for
/// content: `room` is the measure less every column's padding. The sum is
/// at most `room`, and equals it unless every column fits at max-content.
///
/// One step more than CSS: a column whose content fits within its fair
/// share of the room (a name, a number, a short label) keeps it on one line
/// before the wide columns share what is left, as a publisher sets a table;
/// CSS would wrap 基础设施 to give a long column a few points more.
pub fn widths(columns: &[Extent], room: f32) -> Vec<f32> {
    let room = room.max(0.0);
    let sane = |w: f32| if w.is_finite() { w.max(0.0) } else { 0.0 };
    let cols: Vec<Extent> = columns
        .iter()
        .map(|c| {
            let min = sane(c.min);
            Extent {
                min,
                max: sane(c.max).max(min),
            }
        })
        .collect();
    if cols.iter().map(|c| c.max).sum::<f32>() <= room {
        return cols.iter().map(|c| c.max).collect();
    }
    // The narrow columns, found by fair shares of what the others leave.
    let mut narrow = vec![false; cols.len()];
    let mut left = room;
    loop {
        let wide = narrow.iter().filter(|n| !**n).count();
        if wide == 0 {
            break;
        }
        let share = left / wide as f32;
        let mut found = false;
        for (i, c) in cols.iter().enumerate() {
            if !narrow[i] && c.max <= share {
                narrow[i] = true;
                left -= c.max;
                found = true;
            }
        }
        if !found {
            break;
        }
    }
    let wide: Vec<Extent> = cols
        .iter()
        .zip(&narrow)
        .filter(|(_, n)| !**n)
        .map(|(c, _)| *c)
        .collect();
    // Unless that would break a run that CSS keeps whole: then CSS's way.
    let runs_fit = cols.iter().map(|c| c.min).sum::<f32>() <= room;
    if runs_fit && wide.iter().map(|c| c.min).sum::<f32>() > left {
        return share_out(&cols, room);
    }
    // When some run is too long for any page, it breaks, not the labels.
    let mut shared = share_out(&wide, left).into_iter();
    cols.iter()
        .zip(&narrow)
        .map(|(c, n)| {
            if *n {
                c.max
            } else {
                shared.next().unwrap_or(0.0)
            }
        })
        .collect()
}

/// CSS's way: every column its min-content and a share of the rest in
/// proportion to (max − min); if even the min-contents do not fit, the
/// narrow columns keep theirs and the widest runs share the rest equally
/// (a level `cap` no column exceeds).
fn share_out(cols: &[Extent], room: f32) -> Vec<f32> {
    let total_max: f32 = cols.iter().map(|c| c.max).sum();
    if total_max <= room {
        return cols.iter().map(|c| c.max).collect();
    }
    let total_min: f32 = cols.iter().map(|c| c.min).sum();
    if total_min <= room {
        let want: f32 = total_max - total_min;
        let extra = room - total_min;
        return cols
            .iter()
            .map(|c| c.min + extra * (c.max - c.min) / want)
            .collect();
    }
    let mut mins: Vec<f32> = cols.iter().map(|c| c.min).collect();
    mins.sort_by(f32::total_cmp);
    let mut cap = room / cols.len().max(1) as f32;
    let mut below = 0.0;
    for (i, &m) in mins.iter().enumerate() {
        let level = (room - below) / (cols.len() - i) as f32;
        if m > level {
            cap = level;
            break;
        }
        below += m;
    }
    cols.iter().map(|c| c.min.min(cap)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(min: f32, max: f32) -> Extent {
        Extent { min, max }
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3)
    }

    #[test]
    fn a_table_that_fits_gets_its_max_content_widths() {
        let w = widths(&[ext(10.0, 30.0), ext(5.0, 20.0)], 100.0);
        assert!(close(&w, &[30.0, 20.0]), "{w:?}");
    }

    #[test]
    fn extra_room_goes_in_proportion_to_max_less_min() {
        // 60 of room: mins take 20, 40 is shared 3 : 1.
        let w = widths(&[ext(10.0, 100.0), ext(10.0, 40.0)], 60.0);
        assert!(close(&w, &[40.0, 20.0]), "{w:?}");
        assert!(w.iter().zip([10.0, 10.0]).all(|(w, m)| *w >= m));
    }

    #[test]
    fn a_short_column_stays_on_one_line_beside_a_long_one() {
        // 基础设施 (4 ideographs) beside a paragraph: CSS would give it
        // 10 + 90 × 30 / 690 and wrap it; within its fair share it keeps 40.
        let w = widths(&[ext(10.0, 40.0), ext(10.0, 700.0)], 200.0);
        assert!(close(&w, &[40.0, 160.0]), "{w:?}");
        // Shares are fair shares of what is left: 80 fits once 20 is out.
        let w = widths(&[ext(5.0, 20.0), ext(10.0, 80.0), ext(10.0, 500.0)], 200.0);
        assert!(close(&w, &[20.0, 80.0, 100.0]), "{w:?}");
    }

    #[test]
    fn a_column_is_never_narrower_than_its_longest_run_while_runs_fit() {
        let cols = [ext(50.0, 50.0), ext(10.0, 400.0), ext(10.0, 400.0)];
        let w = widths(&cols, 100.0);
        assert!(close(&w, &[50.0, 25.0, 25.0]), "{w:?}");
    }

    #[test]
    fn runs_too_long_for_the_measure_share_what_is_left() {
        // A URL of 300 beside two short columns: they keep their whole
        // content, the URL takes the rest and breaks inside.
        let cols = [ext(20.0, 40.0), ext(300.0, 300.0), ext(15.0, 15.0)];
        let w = widths(&cols, 200.0);
        assert!(close(&w, &[40.0, 145.0, 15.0]), "{w:?}");
        let w = widths(&[ext(300.0, 300.0), ext(200.0, 200.0)], 100.0);
        assert!(close(&w, &[50.0, 50.0]), "{w:?}");
        assert!((widths(&cols, 200.0).iter().sum::<f32>() - 200.0).abs() < 1e-3);
    }

    #[test]
    fn nonsense_widths_do_not_reach_the_page() {
        let w = widths(&[ext(f32::NAN, f32::INFINITY), ext(-5.0, 3.0)], 50.0);
        assert!(w.iter().all(|x| x.is_finite() && *x >= 0.0), "{w:?}");
        assert!(widths(&[], 50.0).is_empty());
    }
}
