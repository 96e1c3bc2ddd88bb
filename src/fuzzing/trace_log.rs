//! The `trace_log` target: the trace-log reader.

use super::*;

/// The trace-log reader. Checks: errors of the exit-2 class on a real line; the same result
/// twice; records in line order, each at the offset and line where its text starts.
pub fn trace_log(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let first = trace::parse(TRACE_FILE, data);
    let second = trace::parse(TRACE_FILE, data);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "the trace reader is not deterministic"
    );
    let log = match first {
        Ok(log) => log,
        Err(e) => return check_error(&e, TRACE_FILE, data),
    };
    let mut last = 0u32;
    for r in &log.records {
        assert!(r.line > last, "records out of line order");
        last = r.line;
        let off = r.offset as usize;
        assert!(off < data.len(), "record offset past the end");
        assert!(
            off == 0 || data[off - 1] == b'\n',
            "record offset not at a line start"
        );
        assert_eq!(
            line_count(&data[..off]) as u32,
            r.line,
            "record line does not match its offset"
        );
        assert_eq!(r.step, trace::canonical_step(&r.step), "step not canonical");
    }
    assert!(log.warnings.len() <= 1, "more than one torn record");
}
