use crate::cli::TraceShowArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use std::path::Path;

pub fn show(_config: &Config, _args: &TraceShowArgs) -> Result<i32> {
    Err(Error::Usage("trace is not built yet".into()))
}

pub fn append(_c: &Config, _log: Option<&Path>, _i: &str, _s: &str, _r: &str) -> Result<i32> {
    Err(Error::Usage("trace append is not built yet".into()))
}
