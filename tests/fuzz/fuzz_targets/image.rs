//! Arbitrary bytes as an image file, as the EPUB and the PDF read it.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::image(data));
