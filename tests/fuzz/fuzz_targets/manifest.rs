//! Arbitrary bytes as `booklet.toml`: parsing, checks, metadata, [pdf] overrides.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::manifest(data));
