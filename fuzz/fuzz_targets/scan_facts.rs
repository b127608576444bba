//! A small repository: files separated by 0xFF, each a kind byte and its
//! content; facts merged, rules run, every renderer called.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    graduate::fuzzing::scan_facts(data);
});
