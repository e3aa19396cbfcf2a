//! The output guard of every command that knows a secret: what it writes on
//! stdout and stderr (and the error it ends with) is held back, read by the
//! canary against every secret the run learned, and only then written, in
//! the order it was written. On a hit nothing at all is written. What is
//! held past a few MiB (a sweep of thousands of business groups) waits in an
//! unnamed temporary file, not in memory, and the canary reads it a window
//! at a time: memory stays the same however large the output.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use crate::error::Error;
use crate::secret::canary::Canary;
use crate::secret::registry::SecretRegistry;

/// What a spool keeps in memory before it moves to a temporary file.
#[cfg(not(test))]
const IN_MEMORY: usize = 8 << 20;
/// What the canary reads at once of a larger output.
#[cfg(not(test))]
const WINDOW: usize = 2 << 20;
/// How much of a window the next one reads again: far more than any form of
/// a secret can span (escaped, wrapped in a table cell over many lines), so
/// one that straddles two windows is whole in the second.
#[cfg(not(test))]
const OVERLAP: usize = 256 << 10;
// The unit tests cross every threshold with little text.
#[cfg(test)]
const IN_MEMORY: usize = 48 << 10;
#[cfg(test)]
const WINDOW: usize = 16 << 10;
#[cfg(test)]
const OVERLAP: usize = 2 << 10;

/// Bytes written in order and read back from the start: in memory up to
/// `IN_MEMORY`, then in an unnamed temporary file (mode 0600, gone when the
/// spool is dropped, whatever ends the run). Without a temporary folder to
/// write in, it stays in memory.
#[derive(Default)]
pub struct Spool {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    /// No temporary file could be made: the rest stays in memory.
    memory_only: bool,
}

impl Write for Spool {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(file) = &mut self.file {
            return file.write(bytes);
        }
        if !self.memory_only && self.memory.len() + bytes.len() > IN_MEMORY {
            match tempfile::tempfile() {
                Ok(file) => {
                    let mut file = BufWriter::new(file);
                    file.write_all(&std::mem::take(&mut self.memory))?;
                    file.write_all(bytes)?;
                    self.file = Some(file);
                    return Ok(bytes.len());
                }
                Err(_) => self.memory_only = true,
            }
        }
        self.memory.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Spool {
    /// What was written, from the start.
    pub fn reader(&mut self) -> std::io::Result<Box<dyn Read + '_>> {
        match &mut self.file {
            None => Ok(Box::new(self.memory.as_slice())),
            Some(file) => {
                file.flush()?;
                let file = file.get_mut();
                file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(std::io::BufReader::new(file)))
            }
        }
    }

    /// Refuses what was written, bound for `destination`, if it holds a
    /// secret: read whole when it fits a window, else in windows that
    /// overlap by `OVERLAP`, so that the canary's views (each a copy of what
    /// it reads) cost a few windows, not a few copies of the whole output.
    pub fn check(&mut self, canary: &Canary, destination: &str) -> Result<(), Error> {
        let mut reader = self.reader()?;
        let mut window: Vec<u8> = Vec::with_capacity(WINDOW);
        loop {
            let wanted = (WINDOW - window.len()) as u64;
            (&mut reader).take(wanted).read_to_end(&mut window)?;
            canary.check(&window, destination)?;
            if window.len() < WINDOW {
                return Ok(());
            }
            window.drain(..WINDOW - OVERLAP);
        }
    }
}

/// Which stream a piece of output was written to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

/// The output of a command: each stream's bytes, and the order the runs of
/// them were written in.
#[derive(Default)]
pub struct Held {
    streams: RefCell<Streams>,
}

#[derive(Default)]
struct Streams {
    out: Spool,
    err: Spool,
    /// Each run of bytes written to one stream, and its length.
    order: Vec<(Stream, u64)>,
}

/// One stream's writer into `Held`.
pub struct HeldWriter<'a> {
    held: &'a Held,
    stream: Stream,
}

impl Write for HeldWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut streams = self.held.streams.borrow_mut();
        let streams = &mut *streams;
        match self.stream {
            Stream::Out => streams.out.write_all(bytes)?,
            Stream::Err => streams.err.write_all(bytes)?,
        }
        match streams.order.last_mut() {
            Some((stream, length)) if *stream == self.stream => *length += bytes.len() as u64,
            _ => streams.order.push((self.stream, bytes.len() as u64)),
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Held {
    /// The writers for stdout and stderr.
    pub fn writers(&self) -> (HeldWriter<'_>, HeldWriter<'_>) {
        (
            HeldWriter {
                held: self,
                stream: Stream::Out,
            },
            HeldWriter {
                held: self,
                stream: Stream::Err,
            },
        )
    }

    /// Writes what was held to `out` and `err` if no secret of `secrets` is
    /// in it nor in the command's error; else writes nothing and fails
    /// naming what was found and where.
    pub fn release<T>(
        self,
        result: Result<T, Error>,
        secrets: &SecretRegistry,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<T, Error> {
        let Streams {
            out: mut held_out,
            err: mut held_err,
            order,
        } = self.streams.into_inner();
        let canary = Canary::watching(secrets.clone());
        held_out.check(&canary, "stdout")?;
        held_err.check(&canary, "stderr")?;
        if let Err(error) = &result {
            canary.check(error.to_string().as_bytes(), "stderr")?;
        }
        let written = (|| {
            let (mut from_out, mut from_err) = (held_out.reader()?, held_err.reader()?);
            for (stream, length) in order {
                match stream {
                    Stream::Out => std::io::copy(&mut (&mut from_out).take(length), out)?,
                    Stream::Err => std::io::copy(&mut (&mut from_err).take(length), err)?,
                };
            }
            out.flush()
        })();
        match written {
            // A reader that went away (`| head`) changes nothing about the verdict.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => result,
            Err(e) => Err(e.into()),
            Ok(()) => result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn held(pieces: &[(bool, &str)]) -> Held {
        let held = Held::default();
        {
            let (mut out, mut err) = held.writers();
            for (to_out, text) in pieces {
                let writer: &mut dyn Write = if *to_out { &mut out } else { &mut err };
                writer.write_all(text.as_bytes()).unwrap();
            }
        }
        held
    }

    #[test]
    fn clean_output_is_written_in_order_and_a_leak_writes_nothing() {
        let secrets = SecretRegistry::new([("access token", Secret::new("tok-0123456789"))]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let clean = held(&[(false, "warning\n"), (true, "table\n"), (false, "stop\n")]);
        assert_eq!(
            clean.release(Ok(7), &secrets, &mut out, &mut err).unwrap(),
            7
        );
        assert_eq!(
            (out.as_slice(), err.as_slice()),
            (&b"table\n"[..], &b"warning\nstop\n"[..])
        );

        for (pieces, result, where_) in [
            (
                vec![(true, "ok\n"), (false, "echo tok-0123456789\n")],
                Ok(1),
                "stderr",
            ),
            (vec![(true, "tok-01234\n56789\n")], Ok(1), "stdout"),
            (
                vec![(true, "ok\n")],
                Err(Error::HttpClient("proxy said tok-0123456789".into())),
                "stderr",
            ),
        ] {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let error = held(&pieces)
                .release(result, &secrets, &mut out, &mut err)
                .unwrap_err()
                .to_string();
            assert!(
                out.is_empty() && err.is_empty(),
                "{pieces:?}: nothing is written"
            );
            assert!(
                error.contains("access token") && error.contains(where_),
                "{error}"
            );
        }
    }

    #[test]
    fn a_large_output_waits_in_a_file_comes_out_whole_and_in_order() {
        let secrets = SecretRegistry::new([("access token", Secret::new("tok-0123456789"))]);
        let line = "│ a row of a report, not a secret │\n";
        let rows = 4 * IN_MEMORY / line.len();
        let held = Held::default();
        let mut expected_out = String::new();
        {
            let (mut out, mut err) = held.writers();
            for n in 0..rows {
                out.write_all(line.as_bytes()).unwrap();
                expected_out.push_str(line);
                if n % 1000 == 0 {
                    writeln!(err, "progress {n}").unwrap();
                }
            }
        }
        assert!(
            held.streams.borrow().out.file.is_some(),
            "spilled to a file"
        );
        let (mut out, mut err) = (Vec::new(), Vec::new());
        held.release(Ok(()), &secrets, &mut out, &mut err).unwrap();
        assert!(out == expected_out.as_bytes(), "stdout differs");
        let expected_err: String = (0..rows)
            .step_by(1000)
            .map(|n| format!("progress {n}\n"))
            .collect();
        assert_eq!(String::from_utf8(err).unwrap(), expected_err);
    }

    #[test]
    fn a_secret_across_two_windows_of_a_large_output_writes_nothing() {
        let secret = "tok-0123456789";
        let secrets = SecretRegistry::new([("access token", Secret::new(secret))]);
        // The secret starts a few bytes before the end of each window in
        // turn, and once wrapped over two lines of a table cell.
        let mut cases: Vec<String> = (0..3)
            .map(|n| {
                let at = n * (WINDOW - OVERLAP) + WINDOW - 5;
                format!("{}{secret}{}", "x".repeat(at), "y".repeat(3 * WINDOW))
            })
            .collect();
        cases.push(format!(
            "{}│ tok-01234 │\n│ 56789     │\n{}",
            "z".repeat(WINDOW - 20),
            "w".repeat(2 * WINDOW)
        ));
        for text in cases {
            let held = held(&[(true, &text)]);
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let error = held
                .release(Ok(()), &secrets, &mut out, &mut err)
                .unwrap_err()
                .to_string();
            assert!(out.is_empty() && err.is_empty(), "nothing is written");
            assert!(error.contains("access token"), "{error}");
        }
    }
}
