//! Hardening: the network part of the threat model (see main.rs).
