//! Kind `net-clock`: the server's `Date` header, from the answer `net.tls`
//! already has, against this machine's clock. Tokens and signatures carry
//! times, so a skewed clock makes valid credentials look expired.

use std::time::{Duration, SystemTime};

use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::TransportError;

/// Skew tolerated without a warning.
const TOLERANCE_SECS: u64 = 60;

pub async fn run(ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let answer = recorder.fetch(RunContext::reach_request()).await;
    let verdict = match &answer.result {
        Err(e) => Verdict::new(
            match e {
                TransportError::Timeout(_) => Reason::NetTimeout,
                _ => Reason::NetUnreachable,
            },
            Status::Error,
            format!("no answer to read the server's time from: {e}"),
        ),
        Ok(reply) => match &reply.date {
            None => Verdict::new(
                Reason::ClockNoDate,
                Status::Skip,
                format!(
                    "{} sent no Date header: nothing to compare with",
                    answer.evidence.url
                ),
            ),
            Some(date) => match httpdate::parse_http_date(date) {
                Err(_) => Verdict::new(
                    Reason::ClockNoDate,
                    Status::Skip,
                    format!("the server's Date header {date:?} is not an HTTP date"),
                ),
                Ok(server) => compare(server, SystemTime::now()),
            },
        },
    };
    verdict.with_evidence(recorder.evidence)
}

fn compare(server: SystemTime, local: SystemTime) -> Verdict {
    let (skew, local_is) = match server.duration_since(local) {
        Ok(ahead) => (ahead, "behind"),
        Err(e) => (e.duration(), "ahead of"),
    };
    let secs = skew.as_secs();
    if secs <= TOLERANCE_SECS {
        return Verdict::new(
            Reason::ClockInSync,
            Status::Pass,
            format!("this machine's clock and the server's agree within {secs} s"),
        );
    }
    Verdict::new(
        Reason::ClockSkewed,
        Status::Warn,
        format!(
            "this machine's clock is {} {local_is} the server's",
            human(skew)
        ),
    )
    .fix("Synchronise this machine's clock (NTP: `timedatectl set-ntp true` on Linux, `w32tm /resync` on Windows, automatic time on macOS): a skewed clock makes fresh tokens look expired or not yet valid.")
}

/// `10 min (600 s)`, `2 h 5 min (7500 s)`, or `75 s`.
fn human(skew: Duration) -> String {
    let secs = skew.as_secs();
    let (hours, minutes) = (secs / 3600, secs % 3600 / 60);
    match (hours, minutes) {
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m} min ({secs} s)"),
        (h, 0) => format!("{h} h ({secs} s)"),
        (h, m) => format!("{h} h {m} min ({secs} s)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_is_said_with_its_size_and_direction() {
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ahead = compare(local + Duration::from_secs(600), local);
        assert_eq!(ahead.status, Status::Warn);
        assert_eq!(
            ahead.summary,
            "this machine's clock is 10 min (600 s) behind the server's"
        );
        let behind = compare(local - Duration::from_secs(7500), local);
        assert!(behind.summary.contains("2 h 5 min (7500 s) ahead of"));
        assert_eq!(
            compare(local + Duration::from_secs(60), local).status,
            Status::Pass
        );
    }
}
