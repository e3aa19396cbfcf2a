//! `sim --record FILE`: a HAR 1.2 of every exchange the simulator serves,
//! so an automation run against it shows what it calls (issue 26: `needs`
//! reads it). Masked as `--har` masks: secret fields by name in both bodies
//! (JSON or form), then every secret the world holds or the run revealed
//! (a token issued, a bearer sent) wherever else it shows, then the canary.
//! A credential header keeps its scheme and a masked form that tells tokens
//! apart (`har::sent_header`).
//!
//! The file is valid from the start: written once when the simulator is up,
//! rewritten atomically after exchanges (one write at a time, the exchanges
//! that end meanwhile coalesced into the next), and once more when it stops.
//! So a pipeline that kills the simulator outright (SIGKILL) still leaves a
//! valid file, missing at most the exchanges of the last write's time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anypoint_sim::World;
use anypoint_sim::tap::{Served, Tap};

use crate::error::Error;
use crate::har::{self, Answered, Entry, Exchange, HarRecorder, Header};
use crate::secret::Secret;
use crate::secret::forms::MIN_SCANNABLE_CHARS;
use crate::secret::registry::SecretRegistry;

const FLAG: &str = "--record";

pub struct Recording {
    path: PathBuf,
    recorder: HarRecorder,
    secrets: SecretRegistry,
    /// An exchange was recorded since the last write began.
    changed: tokio::sync::Notify,
    /// One write at a time, so an older document never replaces a newer one.
    writing: Mutex<()>,
}

impl Recording {
    /// A recording to `path`, refused (a usage error) when the file could
    /// not be written, before the simulator starts.
    pub fn prepare(path: &Path, world: &World) -> Result<Arc<Recording>, Error> {
        crate::files::can_replace(path).map_err(|e| super::cannot_write(FLAG, path, &e))?;
        let recording = Recording {
            path: path.to_path_buf(),
            recorder: HarRecorder::default(),
            secrets: SecretRegistry::default(),
            changed: tokio::sync::Notify::new(),
            writing: Mutex::new(()),
        };
        world.secrets().into_iter().for_each(|s| recording.learn(s));
        Ok(Arc::new(recording))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the simulator tells of each exchange: recorded, then written soon.
    pub fn tap(self: &Arc<Self>) -> Tap {
        let recording = Arc::clone(self);
        Tap::new(move |served| {
            recording.served(&served);
            recording.changed.notify_one();
        })
    }

    /// Writes the file now, then again after exchanges, until dropped with its task.
    pub fn keep_written(self: &Arc<Self>) -> Result<tokio::task::JoinHandle<()>, Error> {
        self.write()?;
        let recording = Arc::clone(self);
        Ok(tokio::spawn(async move {
            loop {
                recording.changed.notified().await;
                let writer = Arc::clone(&recording);
                // A failed rewrite is tried again after the next exchange; the
                // last write, when the simulator stops, reports its failure.
                let _ = tokio::task::spawn_blocking(move || writer.write()).await;
            }
        }))
    }

    /// Writes the document as it stands; the line that says where it went.
    pub fn write(&self) -> Result<String, Error> {
        let _one_at_a_time = self.writing.lock().expect("record lock poisoned");
        super::har_file::write(FLAG, &self.path, &self.recorder, &self.secrets)
    }

    fn served(&self, served: &Served) {
        let content_type = |headers: &[(String, String)]| {
            headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .map_or(String::new(), |(_, value)| value.clone())
        };
        let request_type = content_type(&served.request_headers);
        let response_type = content_type(&served.response_headers);
        let request_text = String::from_utf8_lossy(&served.request_body);
        let response_text = String::from_utf8_lossy(&served.response_body);
        // Learned before anything is recorded: the token an answer issues
        // is hidden from the next write on, wherever it shows.
        let bearers = served
            .request_headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            .filter_map(|(_, value)| value.split_once(' ').map(|(_, token)| token.trim()));
        for secret in har::secret_values(&request_text, &request_type)
            .iter()
            .chain(&har::secret_values(&response_text, &response_type))
            .map(String::as_str)
            .chain(bearers)
        {
            self.learn(secret);
        }
        let sent = |headers: &[(String, String)]| -> Vec<Header> {
            headers
                .iter()
                .map(|(name, value)| har::sent_header(name, value))
                .collect()
        };
        let response_headers = sent(&served.response_headers);
        self.recorder.record(Entry::of(Exchange {
            started: &crate::time::rfc3339_millis(served.started),
            elapsed_ms: served.elapsed.as_millis() as u64,
            method: &served.method,
            url: &served.url,
            headers: sent(&served.request_headers),
            request_body: (!served.request_body.is_empty()).then_some(&*request_text),
            request_body_bytes: served.request_body.len(),
            answer: match &served.broken {
                Some(why) => Err(why.clone()),
                None => Ok(Answered {
                    status: served.status,
                    version: &served.version,
                    headers: &response_headers,
                    mime_type: &response_type,
                    body_bytes: served.response_body.len(),
                    text: &response_text,
                }),
            },
        }));
    }

    /// A secret to hide from the document: shown as its masked form, which
    /// tells two tokens apart without revealing either. Short values are
    /// left to the masking by field name: hiding "abc" everywhere would
    /// mangle the rest of the text.
    fn learn(&self, value: &str) {
        if value.chars().count() < MIN_SCANNABLE_CHARS || value == har::REDACTED {
            return;
        }
        let secret = Secret::new(value);
        self.recorder.hide([(value.to_string(), secret.masked())]);
        self.secrets.add("secret", secret);
    }
}
