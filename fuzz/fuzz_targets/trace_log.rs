//! Fuzz target `trace_log`: the invariants live in `sddgate::fuzzing::trace_log` (replayed on stable by
//! `tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sddgate::fuzzing::trace_log(data));
