//! The secrets of one run, shared: settings put in the user's, the HTTP
//! client adds each token it is issued, and redaction and the output guard
//! (`report::canary`) look for all of them.

use std::sync::{Arc, RwLock};

use super::Secret;
use super::finder::Finder;

#[derive(Clone, Default)]
pub struct SecretRegistry {
    inner: Arc<RwLock<Known>>,
}

#[derive(Default)]
struct Known {
    secrets: Vec<(&'static str, Secret)>,
    /// Built on first use after a secret was added: redaction asks per answer.
    finder: Option<Arc<Finder>>,
}

impl SecretRegistry {
    pub fn new(secrets: impl IntoIterator<Item = (&'static str, Secret)>) -> SecretRegistry {
        let registry = SecretRegistry::default();
        for (what, secret) in secrets {
            registry.add(what, secret);
        }
        registry
    }

    /// Adds a secret, named by what it is ("access token"); a value known already is kept once.
    pub fn add(&self, what: &'static str, secret: Secret) {
        let mut known = self.inner.write().expect("secret registry lock poisoned");
        if secret.is_empty() || known.secrets.iter().any(|(_, s)| *s == secret) {
            return;
        }
        known.secrets.push((what, secret));
        known.finder = None;
    }

    /// The finder of every form of every secret known now.
    pub fn finder(&self) -> Arc<Finder> {
        if let Some(finder) = &self
            .inner
            .read()
            .expect("secret registry lock poisoned")
            .finder
        {
            return Arc::clone(finder);
        }
        let mut known = self.inner.write().expect("secret registry lock poisoned");
        let finder = Arc::new(Finder::new(known.secrets.iter().map(|(w, s)| (*w, s))));
        known.finder = Some(Arc::clone(&finder));
        finder
    }
}
