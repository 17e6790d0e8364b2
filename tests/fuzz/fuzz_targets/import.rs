//! Arbitrary bytes as a scraped article for `booklet import`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| booklet::fuzzing::import(data));
