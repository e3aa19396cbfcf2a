//! The output guard of every command that knows a secret: what it writes on
//! stdout and stderr (and the error it ends with) is held back, read by the
//! canary against every secret the run learned, and only then written, in
//! the order it was written. On a hit nothing at all is written.

use std::cell::RefCell;
use std::io::Write;

use crate::error::Error;
use crate::secret::SecretRegistry;
use crate::secret::canary::Canary;

/// Which stream a piece of output was written to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

/// The output of a command, in the order written.
#[derive(Default)]
pub struct Held {
    pieces: RefCell<Vec<(Stream, Vec<u8>)>>,
}

/// One stream's writer into `Held`.
pub struct HeldWriter<'a> {
    held: &'a Held,
    stream: Stream,
}

impl Write for HeldWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut pieces = self.held.pieces.borrow_mut();
        match pieces.last_mut() {
            Some((stream, piece)) if *stream == self.stream => piece.extend_from_slice(bytes),
            _ => pieces.push((self.stream, bytes.to_vec())),
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
        let pieces = self.pieces.into_inner();
        let stream = |which: Stream| -> Vec<u8> {
            pieces
                .iter()
                .filter(|(s, _)| *s == which)
                .flat_map(|(_, bytes)| bytes.iter().copied())
                .collect()
        };
        let canary = Canary::watching(secrets.clone());
        canary.check(&stream(Stream::Out), "stdout")?;
        canary.check(&stream(Stream::Err), "stderr")?;
        if let Err(error) = &result {
            canary.check(error.to_string().as_bytes(), "stderr")?;
        }
        let written = pieces
            .iter()
            .try_for_each(|(stream, bytes)| match stream {
                Stream::Out => out.write_all(bytes),
                Stream::Err => err.write_all(bytes),
            })
            .and_then(|()| out.flush());
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
}
