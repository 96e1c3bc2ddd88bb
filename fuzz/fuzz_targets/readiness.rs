//! Fuzz target `readiness`: the invariants live in `sddgate::fuzzing::readiness` (replayed on stable by
//! `tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sddgate::fuzzing::readiness(data));
