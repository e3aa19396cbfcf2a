//! RFC 3339 timestamps in UTC from the system clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::{OffsetDateTime, PrimitiveDateTime};

pub fn now_rfc3339() -> String {
    rfc3339(since_epoch(SystemTime::now()).as_secs())
}

/// Now, to the millisecond (`2026-11-26T14:00:32.123Z`), for request evidence.
pub fn now_rfc3339_millis() -> String {
    rfc3339_millis(SystemTime::now())
}

/// `at` to the millisecond, as `now_rfc3339_millis` writes it.
pub fn rfc3339_millis(at: SystemTime) -> String {
    let at = utc(since_epoch(at));
    format!("{}.{:03}Z", seconds(at), at.millisecond())
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: u64) -> String {
    format!("{}Z", seconds(utc(Duration::from_secs(secs))))
}

/// A clock set before 1970 reads as the epoch, as it always has here.
fn since_epoch(at: SystemTime) -> Duration {
    at.duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// The instant `since` the epoch in UTC; past the `time` crate's range
/// (year 9999) it stays at the range's last instant rather than fail a report.
fn utc(since: Duration) -> OffsetDateTime {
    time::Duration::try_from(since)
        .ok()
        .and_then(|since| OffsetDateTime::UNIX_EPOCH.checked_add(since))
        .unwrap_or_else(|| PrimitiveDateTime::MAX.assume_utc())
}

/// `YYYY-MM-DDTHH:MM:SS`, without the zone: the callers add the fraction they keep.
fn seconds(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_instants() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_700_000), "2026-11-26T13:33:20Z");
    }
}
