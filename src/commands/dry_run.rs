use crate::cli::DryRunArgs;
use crate::config::Config;
use crate::error::{Error, Result};

pub fn run(_config: &Config, _args: &DryRunArgs) -> Result<i32> {
    Err(Error::Usage("dry-run is not built yet".into()))
}
