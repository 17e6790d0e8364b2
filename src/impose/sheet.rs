//! Printer sheet sizes.

use super::Imposition;

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub width_mm: f32,
    pub height_mm: f32,
}

const NAMED: &[(&str, f32, f32)] = &[
    ("A3", 297.0, 420.0),
    ("A4", 210.0, 297.0),
    ("A5", 148.0, 210.0),
    ("B4", 250.0, 353.0),
    ("SRA3", 320.0, 450.0),
    ("SRA4", 225.0, 320.0),
    ("Letter", 215.9, 279.4),
    ("Legal", 215.9, 355.6),
    ("Tabloid", 279.4, 431.8),
];

impl Sheet {
    /// `A4`, `A3`, `Letter`, … or `WIDTHxHEIGHT` in mm.
    pub fn parse(s: &str) -> Result<Sheet, String> {
        let s = s.trim();
        if let Some((_, w, h)) = NAMED.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(s)) {
            return Ok(Sheet {
                width_mm: *w,
                height_mm: *h,
            });
        }
        let names: Vec<&str> = NAMED.iter().map(|(n, _, _)| *n).collect();
        let bad = || {
            format!(
                "sheet `{s}` is not one of {} nor WIDTHxHEIGHT in mm (e.g. 320x450)",
                names.join(", ")
            )
        };
        let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
        let (w, h): (f32, f32) = (
            w.trim().parse().map_err(|_| bad())?,
            h.trim().parse().map_err(|_| bad())?,
        );
        if !(50.0..=2000.0).contains(&w) || !(50.0..=2000.0).contains(&h) {
            return Err(format!(
                "sheet `{s}` must be between 50 and 2000 mm each way"
            ));
        }
        Ok(Sheet {
            width_mm: w,
            height_mm: h,
        })
    }

    pub fn default_for(_: Imposition) -> Sheet {
        Sheet {
            width_mm: 210.0,
            height_mm: 297.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(Sheet::parse("a3").unwrap().height_mm, 420.0);
        assert_eq!(Sheet::parse("Letter").unwrap().width_mm, 215.9);
        assert_eq!(Sheet::parse("320x450").unwrap().width_mm, 320.0);
        assert!(Sheet::parse("A9").is_err());
        assert!(Sheet::parse("10x10").is_err());
    }
}
