//! The Anypoint Platform client: one HTTP stack (`http`), endpoint paths
//! (`paths`), the typed shapes we read (`models`) and how an answer is read
//! when it is not what we expect (`answer`).

pub mod answer;
pub mod http;
pub mod models;
pub mod paths;

pub use answer::{Answer, Evidence, Reply, TransportError};
pub use http::{Platform, Request};
