//! Hardening: the terminal part of the threat model (see main.rs).
