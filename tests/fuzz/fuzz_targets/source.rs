//! Arbitrary bytes as a Markdown source: parse, model, EPUB, PDF.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::render_source(data));
