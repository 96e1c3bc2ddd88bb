//! Fuzz target `grafana`: the invariants live in `sddgate::fuzzing::grafana` (replayed on stable by
//! `tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sddgate::fuzzing::grafana(data));
