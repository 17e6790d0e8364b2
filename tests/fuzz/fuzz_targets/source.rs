//! Arbitrary bytes as an article source: decoding, front matter, Markdown, model.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::source(data));
