//! The progress line `check` draws on a terminal while it runs: what the run
//! reports (checks done, business groups done) and, while a request waits
//! for its endpoint's rate-limit window, what it waits for and how long is left.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io::Write;
use std::time::Duration;

use crate::platform::pacing::RateLimits;

/// How often a wait's countdown is redrawn.
const TICK: Duration = Duration::from_millis(250);

pub struct ProgressLine<'a> {
    line: RefCell<&'a mut dyn Write>,
    shown: RefCell<String>,
    told_a_wait: Cell<bool>,
}

impl<'a> ProgressLine<'a> {
    pub fn new(line: &'a mut dyn Write) -> ProgressLine<'a> {
        ProgressLine {
            line: RefCell::new(line),
            shown: RefCell::new(String::new()),
            told_a_wait: Cell::new(false),
        }
    }

    /// Shows what the run reports now.
    pub fn show(&self, text: String) {
        *self.shown.borrow_mut() = text;
        self.draw(None);
    }

    fn draw(&self, waiting: Option<(String, Duration)>) {
        let mut line = self.line.borrow_mut();
        let shown = self.shown.borrow();
        let _ = match &waiting {
            Some((endpoint, left)) => write!(
                line,
                "\r\x1b[2K{shown} · waiting {}s for the rate-limit window of {endpoint}",
                left.as_secs() + 1
            ),
            None => write!(line, "\r\x1b[2K{shown}"),
        };
        let _ = line.flush();
        self.told_a_wait.set(waiting.is_some());
    }

    /// Runs `work`, redrawing the line while `limits` makes a request wait;
    /// the line is cleared when it ends.
    pub async fn during<T>(&self, limits: &RateLimits, work: impl Future<Output = T>) -> T {
        tokio::pin!(work);
        let mut tick = tokio::time::interval(TICK);
        let ended = loop {
            tokio::select! {
                ended = &mut work => break ended,
                _ = tick.tick() => {
                    let waiting = limits.waiting();
                    if waiting.is_some() || self.told_a_wait.get() {
                        self.draw(waiting);
                    }
                }
            }
        };
        let mut line = self.line.borrow_mut();
        let _ = write!(line, "\r\x1b[2K");
        let _ = line.flush();
        ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::pacing::{Clock, Headers, SystemClock};

    #[tokio::test(start_paused = true)]
    async fn a_wait_for_a_window_is_shown_then_cleared() {
        let limits = RateLimits::default();
        let path = "/apimanager/api/v1/organizations/1/environments/2/apis";
        let now = SystemClock.now_ms() / 1000;
        limits.observe(
            path,
            Headers {
                remaining: Some(0),
                reset: Some(now + 30),
                date: Some(now),
                ..Headers::default()
            },
        );
        let mut drawn = Vec::new();
        {
            let line = ProgressLine::new(&mut drawn);
            line.show("checking… 3/9".into());
            // Paused time: the 30 s wait and the ticks pass at once, in order.
            drop(line.during(&limits, limits.admit(path)).await);
        }
        let drawn = String::from_utf8(drawn).unwrap();
        assert!(
            drawn.contains(
                "checking… 3/9 · waiting 30s for the rate-limit window of /apimanager/api/v1/organizations/*/environments/*/apis"
            ),
            "{drawn:?}"
        );
        assert!(
            drawn.ends_with("\r\x1b[2K"),
            "cleared at the end: {drawn:?}"
        );
    }
}
