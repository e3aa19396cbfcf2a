//! The output streams a command is given, and how output should look where
//! it goes: commands write only here, so tests drive them in-process and the
//! output guard can hold what they write.

use std::io::Write;

use crate::secret::registry::SecretRegistry;

/// How output should look where it is going.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub color: bool,
    /// Width for tables; `None` lets the table ask the terminal.
    pub width: Option<u16>,
    /// Show a progress line on stderr while checks run (stderr is a terminal).
    pub progress: bool,
}

pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Where `check`'s progress line goes: stderr as it is, never held back
    /// by the output guard (the line carries only counts, and is erased).
    pub progress: &'a mut dyn Write,
    pub terminal: Terminal,
    /// The run's secrets: commands put in their settings' and the HTTP
    /// client its tokens; the output guard looks for all of them.
    pub secrets: SecretRegistry,
    /// Where the HTTP client records every exchange, when `--har` asks for it.
    pub har: Option<std::sync::Arc<crate::har::HarRecorder>>,
}

impl Io<'_> {
    /// The same streams, with stdout going through `out` instead (a copy,
    /// a wrapper): for a part of a command whose output is also kept or
    /// changed on its way.
    pub fn through<'b>(&'b mut self, out: &'b mut dyn Write) -> Io<'b> {
        Io {
            out,
            err: &mut *self.err,
            progress: &mut *self.progress,
            terminal: self.terminal,
            secrets: self.secrets.clone(),
            har: self.har.clone(),
        }
    }
}
