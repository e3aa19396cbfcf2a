//! The simulator's HTTP behaviour, as one test binary: a simulator served
//! in-process on a free loopback port, asked with a plain HTTP client
//! (`support`), its answers compared with the platform's reference fixtures
//! and published descriptions. One module per area. Nothing leaves
//! 127.0.0.1 and nothing sleeps to wait for a server.

mod support;

mod api_config;
mod endpoints;
mod exchange;
mod scale;
