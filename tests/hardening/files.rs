//! Hardening: the files part of the threat model (see main.rs).
