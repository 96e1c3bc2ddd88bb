//! Errors that stop a command: bad input, bad config, I/O. All of them exit 2.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A document the user wrote is malformed: names the file, the place and what was expected.
    #[error("{file}:{line}:{col}: {message}")]
    Input {
        file: String,
        line: u32,
        col: u32,
        message: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn input(file: impl Into<String>, line: u32, col: u32, message: impl Into<String>) -> Self {
        Error::Input {
            file: file.into(),
            line: line.max(1),
            col: col.max(1),
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
