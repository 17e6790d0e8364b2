//! Cargo build script: gives the binary an id of everything it was built
//! from (its sources, shipped styles, locked dependencies, compiler and
//! settings) as `BOOKLET_BUILD_ID`. Cache entries are keyed by it, so that
//! a binary built from other code never reuses them; unlike a hash of the
//! executable, it costs a build nothing at run time.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut inputs = Vec::new();
    for dir in ["src", "styles"] {
        println!("cargo:rerun-if-changed={dir}");
        files(&root.join(dir), &mut inputs);
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={file}");
        inputs.push(root.join(file));
    }
    inputs.sort();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let compiler = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    // Two 64-bit SipHashes with different seeds: an id of 128 bits.
    let mut id = String::new();
    for seed in [0u8, 1] {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        for path in &inputs {
            path.strip_prefix(&root).unwrap_or(path).hash(&mut h);
            std::fs::read(path).unwrap_or_default().hash(&mut h);
        }
        compiler.hash(&mut h);
        for var in [
            "TARGET",
            "PROFILE",
            "OPT_LEVEL",
            "DEBUG",
            "CARGO_ENCODED_RUSTFLAGS",
        ] {
            std::env::var(var).unwrap_or_default().hash(&mut h);
        }
        id.push_str(&format!("{:016x}", h.finish()));
    }
    println!("cargo:rustc-env=BOOKLET_BUILD_ID={id}");
}
