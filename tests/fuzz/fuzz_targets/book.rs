//! Arbitrary bytes as a small booklet, through both back ends in memory.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::book(data));
