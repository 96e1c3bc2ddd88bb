//! JSON Schemas of the formats, generated from the same Rust types that read and write them.

use crate::cli::SchemaName;

pub fn schema(name: SchemaName) -> serde_json::Value {
    let s = match name {
        SchemaName::Report => schemars::schema_for!(crate::report::Report),
        SchemaName::Readiness => schemars::schema_for!(crate::parse::readiness::ReadinessSchema),
        SchemaName::Config => schemars::schema_for!(crate::config::ConfigFile),
        SchemaName::DryRun => schemars::schema_for!(crate::commands::dry_run::DryRunReport),
        SchemaName::Trace => schemars::schema_for!(crate::commands::trace::TraceReport),
    };
    s.to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_an_object_schema_with_properties() {
        for n in [
            SchemaName::Report,
            SchemaName::Readiness,
            SchemaName::Config,
            SchemaName::DryRun,
            SchemaName::Trace,
        ] {
            let v = schema(n);
            assert_eq!(v["type"], "object", "{n:?}");
            assert!(
                v["properties"].as_object().is_some_and(|p| !p.is_empty()),
                "{n:?}"
            );
        }
        let r = schema(SchemaName::Readiness);
        assert_eq!(
            r["$defs"]["ScoresSchema"]["properties"]["spec"]["maximum"],
            5
        );
        assert_eq!(
            r["$defs"]["ScoresSchema"]["required"]
                .as_array()
                .map(Vec::len),
            Some(5)
        );
    }
}
