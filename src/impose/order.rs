//! Which page goes in which slot of which sheet side (standards.md §4.2,
//! §4.4, §4.5): pure arithmetic, tested on its own.

use super::Imposition;

/// One side of a printed sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// 0-based sheet number (0 = the outermost sheet of a saddle stitch).
    pub sheet: usize,
    pub sheets: usize,
    /// 0-based page index per slot, row-major from the top left; `None`
    /// is a blank slot.
    pub cells: Vec<Option<usize>>,
}

/// Sides in printing order (front, back, front, back, …) for `n` pages.
pub fn plan(imposition: Imposition, n: usize) -> Vec<Side> {
    // 1-based page numbers as in the printer's tables; 0 is never used.
    let page = |p: usize| (1..=n).contains(&p).then(|| p - 1);
    let mut sides = Vec::new();
    match imposition {
        Imposition::Saddle => {
            let total = n.div_ceil(4).max(1) * 4;
            let sheets = total / 4;
            for s in 0..sheets {
                let front = vec![page(total - 2 * s), page(2 * s + 1)];
                let back = vec![page(2 * s + 2), page(total - 1 - 2 * s)];
                sides.push(Side {
                    sheet: s,
                    sheets,
                    cells: front,
                });
                sides.push(Side {
                    sheet: s,
                    sheets,
                    cells: back,
                });
            }
        }
        Imposition::TwoUp => {
            let sheets = n.div_ceil(4).max(1);
            for i in 0..sheets {
                let front = vec![page(2 * i + 1), page(2 * sheets + 2 * i + 1)];
                let back = vec![page(2 * sheets + 2 * i + 2), page(2 * i + 2)];
                sides.push(Side {
                    sheet: i,
                    sheets,
                    cells: front,
                });
                sides.push(Side {
                    sheet: i,
                    sheets,
                    cells: back,
                });
            }
        }
        Imposition::FourUp => {
            let sheets = n.div_ceil(8).max(1);
            // The back is turned over about the vertical axis: TL↔TR, BL↔BR.
            let mirror = [1, 0, 3, 2];
            for i in 0..sheets {
                let front = (0..4).map(|k| page(k * 2 * sheets + 2 * i + 1)).collect();
                let mut back = vec![None; 4];
                for k in 0..4 {
                    back[mirror[k]] = page(k * 2 * sheets + 2 * i + 2);
                }
                sides.push(Side {
                    sheet: i,
                    sheets,
                    cells: front,
                });
                sides.push(Side {
                    sheet: i,
                    sheets,
                    cells: back,
                });
            }
        }
    }
    sides
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1-based numbers, 0 for a blank, side by side.
    fn numbers(imposition: Imposition, n: usize) -> Vec<Vec<usize>> {
        plan(imposition, n)
            .into_iter()
            .map(|s| s.cells.iter().map(|c| c.map_or(0, |p| p + 1)).collect())
            .collect()
    }

    #[test]
    fn saddle_matches_the_printers_tables() {
        assert_eq!(
            numbers(Imposition::Saddle, 8),
            [[8, 1], [2, 7], [6, 3], [4, 5]]
        );
        // 13 pages: 3 blanks at the end (16, 15, 14).
        assert_eq!(
            numbers(Imposition::Saddle, 13),
            [
                [0, 1],
                [2, 0],
                [0, 3],
                [4, 13],
                [12, 5],
                [6, 11],
                [10, 7],
                [8, 9]
            ]
        );
    }

    #[test]
    fn cut_and_stack_matches_the_tables() {
        assert_eq!(
            numbers(Imposition::TwoUp, 8),
            [[1, 5], [6, 2], [3, 7], [8, 4]]
        );
        assert_eq!(
            numbers(Imposition::TwoUp, 13),
            [
                [1, 9],
                [10, 2],
                [3, 11],
                [12, 4],
                [5, 13],
                [0, 6],
                [7, 0],
                [0, 8]
            ]
        );
        assert_eq!(
            numbers(Imposition::FourUp, 13),
            [[1, 5, 9, 13], [6, 2, 0, 10], [3, 7, 11, 0], [8, 4, 0, 12]]
        );
    }

    #[test]
    fn every_page_once_and_sides_even() {
        for kind in [Imposition::Saddle, Imposition::TwoUp, Imposition::FourUp] {
            for n in 1..=70 {
                let sides = plan(kind, n);
                assert_eq!(sides.len() % 2, 0, "{kind:?} {n}");
                let mut seen: Vec<usize> = sides
                    .iter()
                    .flat_map(|s| s.cells.iter().flatten().copied())
                    .collect();
                seen.sort();
                assert_eq!(seen, (0..n).collect::<Vec<_>>(), "{kind:?} {n}");
            }
        }
        // Saddle: on every side the two numbers sum to N + 1.
        for side in plan(Imposition::Saddle, 32) {
            let s: usize = side.cells.iter().map(|c| c.unwrap() + 1).sum();
            assert_eq!(s, 33);
        }
    }
}
