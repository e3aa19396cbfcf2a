//! Hardening: the secrets part of the threat model (see main.rs).
