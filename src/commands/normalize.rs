//! `sddgate normalize`: placeholder until the normalizer lands (issue #3, in progress).

use crate::cli::NormalizeArgs;
use crate::config::Config;
use crate::error::{Error, Result};

pub fn run(_config: &Config, _args: &NormalizeArgs) -> Result<i32> {
    Err(Error::Usage("normalize is not built yet".into()))
}
