//! Imposed PDFs: page order read back with pdftotext, sheet by sheet, for
//! 4, 8, 13 and 33 pages in every layout; `qpdf --check` clean; boxes nested.

mod common;

use std::path::Path;
use std::process::Command;

use booklet::impose::{impose, plan, Imposition, Layout, Sheet};
use common::{have, scratch};
use lopdf::{dictionary, Document, Object, Stream};

/// A reading PDF of `n` A5 pages, page p showing `P<p>` (Helvetica, so
/// that pdftotext reads it back without any font of ours).
fn numbered_pdf(n: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for p in 1..=n {
        let text = format!("BT /F1 36 Tf 150 300 Td (P{p:02}) Tj ET");
        let content = doc.add_object(Stream::new(dictionary! {}, text.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(419.528), Object::Real(595.276)],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            "Contents" => content,
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => n as i64 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Page numbers on sheet side `side` (1-based), in reading order of the
/// cells (top row left to right, then the next row).
fn numbers_on(pdf: &Path, side: usize) -> Vec<usize> {
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", &side.to_string(), "-l", &side.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(|w| w.strip_prefix('P')?.parse().ok())
        .collect()
}

fn layout(imposition: Imposition, crop_marks: bool) -> Layout {
    Layout {
        imposition,
        sheet: Sheet::parse("A4").unwrap(),
        creep_mm: if imposition == Imposition::Saddle {
            0.5
        } else {
            0.0
        },
        bleed_mm: if crop_marks { 3.0 } else { 0.0 },
        crop_marks,
        leave_out: 0,
    }
}

/// A reading copy that opens with a cover and its verso: the sheets hold
/// its pages from the third, as if the book began there.
#[test]
fn the_cover_pages_can_be_left_off_the_sheets() {
    let reading = numbered_pdf(10);
    let without_cover = Layout {
        leave_out: 2,
        ..layout(Imposition::Saddle, false)
    };
    let sheets = impose(&reading, &without_cover).expect("impose");
    let doc = Document::load_mem(&sheets).unwrap();
    assert_eq!(doc.get_pages().len(), plan(Imposition::Saddle, 8).len());
    if have("pdftotext", Command::new("pdftotext").arg("-v")) {
        let path = scratch("impose-leave-out").join("sheets.pdf");
        std::fs::write(&path, &sheets).unwrap();
        // The outer side of the one sheet: the last page and the first kept.
        assert_eq!(numbers_on(&path, 1), [10, 3]);
    }
    let too_few = Layout {
        leave_out: 10,
        ..layout(Imposition::Saddle, false)
    };
    assert!(impose(&reading, &too_few).is_err());
}

#[test]
fn page_order_read_back_from_the_sheets() {
    let pdftotext = have("pdftotext", Command::new("pdftotext").arg("-v"));
    let qpdf = have("qpdf", Command::new("qpdf").arg("--version"));
    let dir = scratch("impose-order");
    for n in [4, 8, 13, 33] {
        let reading = numbered_pdf(n);
        for kind in [Imposition::Saddle, Imposition::TwoUp, Imposition::FourUp] {
            for marks in [false, true] {
                let sheets = impose(&reading, &layout(kind, marks)).expect("impose");
                let path = dir.join(format!("{n}-{kind:?}-{marks}.pdf"));
                std::fs::write(&path, &sheets).unwrap();
                let doc = Document::load_mem(&sheets).unwrap();
                let expected = plan(kind, n);
                assert_eq!(doc.get_pages().len(), expected.len(), "{n} {kind:?}");
                assert_eq!(expected.len() % 2, 0, "both sides of every sheet");
                check_boxes(&doc);
                if pdftotext {
                    for (i, side) in expected.iter().enumerate() {
                        let want: Vec<usize> = side.cells.iter().flatten().map(|p| p + 1).collect();
                        assert_eq!(
                            numbers_on(&path, i + 1),
                            want,
                            "{n} pages, {kind:?}, side {}",
                            i + 1
                        );
                    }
                }
                if qpdf {
                    let out = Command::new("qpdf")
                        .arg("--check")
                        .arg(&path)
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "qpdf --check {}:\n{}",
                        path.display(),
                        String::from_utf8_lossy(&out.stdout)
                    );
                }
            }
        }
    }
}

/// MediaBox ⊇ BleedBox ⊇ TrimBox on every sheet.
fn check_boxes(doc: &Document) {
    for id in doc.get_pages().values() {
        let page = doc.get_dictionary(*id).unwrap();
        let rect = |key: &[u8]| -> Vec<f32> {
            page.get(key)
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_float().unwrap())
                .collect()
        };
        let (media, bleed, trim) = (rect(b"MediaBox"), rect(b"BleedBox"), rect(b"TrimBox"));
        let inside = |a: &[f32], b: &[f32]| {
            a[0] >= b[0] - 0.01 && a[1] >= b[1] - 0.01 && a[2] <= b[2] + 0.01 && a[3] <= b[3] + 0.01
        };
        assert!(inside(&bleed, &media), "{bleed:?} in {media:?}");
        assert!(inside(&trim, &bleed), "{trim:?} in {bleed:?}");
    }
}

#[test]
fn saddle_is_full_size_on_a4_and_reading_copy_is_kept_whole() {
    let reading = numbered_pdf(8);
    let sheets = impose(&reading, &layout(Imposition::Saddle, false)).unwrap();
    let doc = Document::load_mem(&sheets).unwrap();
    let first = doc.get_pages()[&1];
    let media = doc.get_dictionary(first).unwrap().get(b"MediaBox").unwrap();
    let w = media.as_array().unwrap()[2].as_float().unwrap();
    // Landscape A4: two A5 pages side by side, not scaled.
    assert!((w - 841.89).abs() < 0.1, "{w}");
    let again = impose(&reading, &layout(Imposition::Saddle, false)).unwrap();
    assert!(sheets == again, "imposition is not reproducible");
    assert!(impose(b"not a pdf", &layout(Imposition::Saddle, false)).is_err());
}
