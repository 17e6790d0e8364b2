//! Arbitrary bytes as a style file (`styles/<name>.toml`): parsing and checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::style(data));
