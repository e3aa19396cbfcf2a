//! The Anypoint Platform client: one HTTP stack (`http`, its first
//! connection shared by `first_connection`), endpoint paths (`paths`), the
//! typed shapes we read (`models`), how an answer is read when it is not what we expect (`answer`), pacing by the rate-limit headers (`pacing`), reading a paged list within bounds (`paging`), the proxy environment (`proxy`)
//! the layers below HTTP that the network checks look at (`net`), and the TLS both speak (`tls`).

pub mod answer;
pub mod control_plane;
mod first_connection;
pub mod http;
pub mod method;
pub mod models;
pub mod net;
pub mod pacing;
pub mod paging;
pub mod paths;
pub mod proxy;
pub mod retry;
pub mod tls;

pub use answer::{Answer, Evidence, Reply, TransportError};
pub use http::{Auth, Platform, Request, Timeouts};
pub use method::ProbeMethod;
