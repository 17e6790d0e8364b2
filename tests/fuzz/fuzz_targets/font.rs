//! Arbitrary bytes as a font file: indexing, parsing, coverage, EPUB and PDF subsets.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::font(data));
