//! An installed booklet is one file: the binary alone, copied away from the
//! checkout (as `cargo install` does), builds with the shipped fonts.

mod common;

use std::process::Command;

use common::*;

#[test]
fn the_binary_alone_builds_with_the_shipped_fonts() {
    let dir = scratch("install-alone");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("booklet");
    std::fs::copy(env!("CARGO_BIN_EXE_booklet"), &exe).unwrap();
    let run = |args: &[&str], cwd: &std::path::Path| {
        let out = Command::new(&exe)
            .args(args)
            .current_dir(cwd)
            .env_remove("BOOKLET_FONTS")
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "booklet {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["init", "x", "--title", "独立"], &dir);
    let project = dir.join("x");
    let fonts = run(&["fonts"], &project);
    assert!(
        fonts.contains("Noto Serif CJK SC") && fonts.contains("<built into booklet>"),
        "{fonts}"
    );
    assert!(
        !fonts.contains(&repo().join("fonts").display().to_string()),
        "the checkout's fonts were used: {fonts}"
    );
    run(&["build"], &project);
    let pdf = project.join("out/booklet.pdf");
    if have("pdffonts", Command::new("pdffonts").arg("-v")) {
        let out = Command::new("pdffonts").arg(&pdf).output().unwrap();
        let list = String::from_utf8_lossy(&out.stdout);
        assert!(list.contains("NotoSerifCJKsc-Regular"), "{list}");
    }
}
