//! `--expected`: the event against a reference file, field for field.

use super::event::IncidentEvent;
use super::redact;
use serde_json::Value;

/// One line per differing field, as `path: expected X, got Y`; `path: missing (expected X)`
/// for a field the event lacks and `path: unexpected (got Y)` for one the reference lacks.
/// Paths are dotted (`metric_context.memory_percent`, `source_refs[1]`); numbers compare by
/// value (93 equals 93.0); key order does not matter. Expected-file values are masked like any
/// other text that reaches stderr.
pub fn diff(expected: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", expected, got, &mut out);
    out
}

fn walk(path: &str, expected: &Value, got: &Value, out: &mut Vec<String>) {
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => {
            // The event's key order first, then keys only the reference has.
            let mut keys: Vec<&String> = g.keys().collect();
            keys.sort_by_key(|k| {
                IncidentEvent::KEYS
                    .iter()
                    .position(|o| o == k)
                    .unwrap_or(usize::MAX)
            });
            for k in keys {
                let gv = &g[k];
                let p = join(path, k);
                match e.get(k) {
                    Some(ev) => walk(&p, ev, gv, out),
                    None => out.push(format!("{p}: unexpected (got {})", show(gv))),
                }
            }
            for (k, ev) in e {
                if !g.contains_key(k) {
                    out.push(format!(
                        "{}: missing (expected {})",
                        join(path, k),
                        show(ev)
                    ));
                }
            }
        }
        (Value::Array(e), Value::Array(g)) => {
            for i in 0..e.len().max(g.len()) {
                let p = format!("{path}[{i}]");
                match (e.get(i), g.get(i)) {
                    (Some(ev), Some(gv)) => walk(&p, ev, gv, out),
                    (Some(ev), None) => out.push(format!("{p}: missing (expected {})", show(ev))),
                    (None, Some(gv)) => out.push(format!("{p}: unexpected (got {})", show(gv))),
                    (None, None) => {}
                }
            }
        }
        (Value::Number(e), Value::Number(g)) if same_number(e, g) => {}
        (e, g) if e == g => {}
        (e, g) => out.push(format!(
            "{}: expected {}, got {}",
            if path.is_empty() { "(event)" } else { path },
            show(e),
            show(g)
        )),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    }
}

fn show(v: &Value) -> String {
    redact::mask(&v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_fields_in_event_order() {
        let e = json!({"incident_id": "A", "window_minutes": 10, "metric_context": {"memory_percent": 93}});
        let g = json!({"incident_id": "A", "window_minutes": 5, "metric_context": {"memory_percent": 87}});
        assert_eq!(
            diff(&e, &g),
            [
                "window_minutes: expected 10, got 5",
                "metric_context.memory_percent: expected 93, got 87",
            ]
        );
    }

    #[test]
    fn per_field_lines() {
        let e = json!({"a": 1, "m": {"x": 93, "y": 1}, "r": ["u", "v"], "only_e": true});
        let g = json!({"a": 1.0, "m": {"x": 87, "z": 2}, "r": ["u"], "only_g": null});
        assert_eq!(
            diff(&e, &g),
            [
                "m.x: expected 93, got 87",
                "m.z: unexpected (got 2)",
                "m.y: missing (expected 1)",
                "only_g: unexpected (got null)",
                "r[1]: missing (expected \"v\")",
                "only_e: missing (expected true)",
            ]
        );
        assert!(diff(&json!({"n": 93}), &json!({"n": 93.0})).is_empty());
        assert_eq!(
            diff(&json!([1]), &json!({})),
            ["(event): expected [1], got {}"]
        );
    }
}
