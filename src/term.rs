//! Report output to stdout: styled for a terminal, plain everywhere else.
//!
//! The human report writes its styles unconditionally. When they must not reach the reader
//! (not a terminal, `NO_COLOR`, `CLICOLOR=0`, as `anstream` decides), [`Strip`] removes every
//! escape sequence on the way out. It looks for the escape byte with `memchr` and copies the
//! text between escapes as is: a report of 10,000 incidents is megabytes of text with a few
//! escapes per line, where a general UTF-8-aware stripper cost a tenth of the whole run.

use std::io::{self, Write};

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// Where an escape sequence cut between two writes left off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Text,
    /// After `ESC`.
    Escape,
    /// In `ESC [ …` until a final byte (`@` to `~`).
    Csi,
    /// In `ESC ] …` until `BEL` or `ESC \`.
    Osc,
    /// `ESC` seen inside an OSC: `\` ends it.
    OscEscape,
}

/// A writer that drops ANSI escape sequences (CSI such as colours, OSC such as hyperlinks and
/// titles, and two-byte escapes) and passes everything else through unchanged. A sequence
/// split across writes is followed from one write to the next.
#[derive(Debug)]
pub struct Strip<W: Write> {
    inner: W,
    state: State,
}

impl<W: Write> Strip<W> {
    pub fn new(inner: W) -> Self {
        Strip {
            inner,
            state: State::Text,
        }
    }
}

impl<W: Write> Write for Strip<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut i = 0;
        while i < buf.len() {
            match self.state {
                State::Text => match memchr::memchr(ESC, &buf[i..]) {
                    Some(k) => {
                        self.inner.write_all(&buf[i..i + k])?;
                        self.state = State::Escape;
                        i += k + 1;
                    }
                    None => {
                        self.inner.write_all(&buf[i..])?;
                        return Ok(());
                    }
                },
                State::Escape => {
                    self.state = match buf[i] {
                        b'[' => State::Csi,
                        b']' => State::Osc,
                        _ => State::Text,
                    };
                    i += 1;
                }
                State::Csi => {
                    if (0x40..=0x7e).contains(&buf[i]) {
                        self.state = State::Text;
                    }
                    i += 1;
                }
                State::Osc => {
                    match buf[i] {
                        BEL => self.state = State::Text,
                        ESC => self.state = State::OscEscape,
                        _ => {}
                    }
                    i += 1;
                }
                State::OscEscape => {
                    self.state = if buf[i] == b'\\' {
                        State::Text
                    } else {
                        State::Osc
                    };
                    i += 1;
                }
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Whether standard output keeps the styles: `anstream`'s choice (a terminal that takes
/// colours, no `NO_COLOR`), as [`stdout`] makes it.
pub fn stdout_styled() -> bool {
    !matches!(
        anstream::AutoStream::choice(&io::stdout()),
        anstream::ColorChoice::Never
    )
}

/// `bytes` without their escape sequences, as [`Strip`] writes them: for text rendered on
/// several threads, stripped where it was rendered rather than by the one thread writing.
pub fn strip(bytes: &[u8]) -> Vec<u8> {
    let mut s = Strip::new(Vec::with_capacity(bytes.len()));
    // Writing to a Vec cannot fail.
    let _ = s.write_all(bytes);
    s.inner
}

/// Standard output, block-buffered, with the styles kept only when `anstream` says the
/// reader wants them (a terminal that takes colours, no `NO_COLOR`).
pub fn stdout() -> Box<dyn Write> {
    let stdout = io::stdout();
    let styled = stdout_styled();
    // Block-buffered: Rust's stdout flushes at every line, one write(2) per line of a report
    // that can have 80,000 lines.
    let buffered = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    if styled {
        // Through anstream all the same: an old Windows console takes its colours by API.
        let raw: Box<dyn Write> = Box::new(buffered);
        Box::new(anstream::AutoStream::new(
            raw,
            anstream::ColorChoice::Always,
        ))
    } else {
        // Buffered before the stripping too: the report arrives in thousands of small pieces
        // (one per `write!` argument), and stripping each one on its own cost more than the
        // stripping of whole 64 KiB blocks.
        Box::new(io::BufWriter::with_capacity(
            64 * 1024,
            Strip::new(buffered),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn strip(chunks: &[&[u8]]) -> Vec<u8> {
        let mut s = Strip::new(Vec::new());
        for c in chunks {
            s.write_all(c).unwrap();
        }
        s.inner
    }

    #[test]
    fn escapes_go_and_text_stays() {
        assert_eq!(
            strip(&[b"\x1b[1;31mBLOCK\x1b[0m  \x1b[1mHM-1\x1b[0m 12/25 caf\xc3\xa9"]),
            "BLOCK  HM-1 12/25 café".as_bytes()
        );
        // A hyperlink (OSC 8, ended by ESC \ and by BEL), a two-byte escape, a lone ESC at the end.
        assert_eq!(
            strip(&[b"a\x1b]8;;https://x\x1b\\link\x1b]8;;\x07b\x1bMc\x1b"]),
            b"alinkbc"
        );
    }

    #[test]
    fn a_sequence_cut_between_writes_is_still_removed() {
        assert_eq!(
            strip(&[
                b"x\x1b",
                b"[",
                b"1;3",
                b"1m",
                b"y\x1b]0;t",
                b"itle\x1b",
                b"\\z"
            ]),
            b"xyz"
        );
    }

    proptest! {
        /// However the bytes are cut into writes, the result is the same, and text without an
        /// escape byte passes through untouched.
        #[test]
        fn cutting_changes_nothing(text in proptest::collection::vec(
            prop_oneof![Just(0x1bu8), Just(b'['), Just(b']'), Just(b'm'), Just(0x07u8),
                Just(b'\\'), Just(b'a'), Just(b'1'), Just(b';'), any::<u8>()], 0..64),
            cut in 0usize..64)
        {
            let whole = strip(&[&text]);
            let cut = cut.min(text.len());
            prop_assert_eq!(strip(&[&text[..cut], &text[cut..]]), whole.clone());
            prop_assert!(!whole.contains(&0x1b));
            if !text.contains(&0x1b) {
                prop_assert_eq!(whole, text);
            }
        }
    }
}
