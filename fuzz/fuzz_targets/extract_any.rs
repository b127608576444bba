//! One file of any kind the scanner reads: the first byte picks the kind
//! (`graduate::fuzzing::FILES`), the rest is its content.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| graduate::fuzzing::extract_any(data));
