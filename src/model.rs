//! The domain as plain data: categories, scores, radii, decisions and diagnostics.
//! Parsers produce these, `decide` reads them, reporters print them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The five categories of the 25-point readiness model, in the model's order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Spec,
    Implementation,
    Verification,
    Process,
    Security,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Spec,
        Category::Implementation,
        Category::Verification,
        Category::Process,
        Category::Security,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Spec => "spec",
            Category::Implementation => "implementation",
            Category::Verification => "verification",
            Category::Process => "process",
            Category::Security => "security",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Highest score of one category.
pub const MAX_CATEGORY_SCORE: u8 = 5;
/// Highest total of the model.
pub const MAX_TOTAL: u8 = 25;

/// How far an intervention reaches, narrowest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Radius {
    Pod,
    Deployment,
    Namespace,
    Cluster,
}

impl Radius {
    pub const ALL: [Radius; 4] = [
        Radius::Pod,
        Radius::Deployment,
        Radius::Namespace,
        Radius::Cluster,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Radius::Pod => "pod",
            Radius::Deployment => "deployment",
            Radius::Namespace => "namespace",
            Radius::Cluster => "cluster",
        }
    }

    pub fn parse(s: &str) -> Option<Radius> {
        Radius::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn expected() -> &'static str {
        "one of pod, deployment, namespace, cluster"
    }
}

impl fmt::Display for Radius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The gate's outcome for one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Admitted for automatic remediation.
    Auto,
    /// Admitted only with a human approval.
    SemiManual,
    /// Not admitted.
    Block,
}

impl Decision {
    pub fn exit_code(self) -> i32 {
        match self {
            Decision::Auto => 0,
            Decision::Block => 1,
            Decision::SemiManual => 3,
        }
    }

    /// The word the lesson's gateway prints.
    pub fn word(self) -> &'static str {
        match self {
            Decision::Auto => "PASS",
            Decision::SemiManual => "SEMI-MANUAL",
            Decision::Block => "BLOCK",
        }
    }

    /// Worse is larger: auto < semi_manual < block.
    pub fn worst(self, other: Decision) -> Decision {
        self.max(other)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding: a blocker of the gate or a lint diagnostic. Never a bare boolean.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Violation {
    /// Stable rule id, e.g. `audit_trace_incomplete`.
    pub id: &'static str,
    pub severity: Severity,
    pub message: String,
    /// What the gate saw (a number, a path, a command).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<serde_json::Value>,
    /// What it needed to see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<serde_json::Value>,
    /// What to change to clear it.
    pub fix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Length in characters of the marked source text (for carets and annotations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
}

impl Violation {
    pub fn new(id: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Violation {
            id,
            severity,
            message: message.into(),
            observed: None,
            threshold: None,
            fix: String::new(),
            file: None,
            line: None,
            column: None,
            length: None,
        }
    }

    pub fn observed(mut self, v: impl Into<serde_json::Value>) -> Self {
        self.observed = Some(v.into());
        self
    }

    pub fn threshold(mut self, v: impl Into<serde_json::Value>) -> Self {
        self.threshold = Some(v.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    pub fn at(mut self, file: &str, line: u32, column: u32) -> Self {
        self.file = Some(file.to_string());
        if line > 0 {
            self.line = Some(line);
            self.column = Some(column.max(1));
        }
        self
    }

    pub fn length(mut self, len: usize) -> Self {
        self.length = Some(len as u32);
        self
    }
}
