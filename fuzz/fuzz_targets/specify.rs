//! Fuzz target `specify`: the invariants live in `sddgate::fuzzing::specify` (replayed on stable by
//! `tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sddgate::fuzzing::specify(data));
