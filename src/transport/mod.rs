//! Transports: how MCP messages reach the server. Each one only moves bytes; the tool layer is the
//! same for all.

pub mod access;
pub mod auth;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod stdio;
