//! libFuzzer target: see `disclose_fuzz::pst` for what it exercises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    disclose_fuzz::install_panic_hook();
    disclose_fuzz::pst(data);
});
