//! Values the answers of several services share: the audit date and ids
//! derived from other ids.

/// A stable 32-hex-digit id derived from another id (for `clientId` fields).
pub fn derived_id(seed: &str) -> String {
    let hex: String = seed.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    format!("{:0<32}", hex).chars().rev().take(32).collect()
}

pub const AUDIT_DATE: &str = "2026-03-02T10:15:30.123Z";
