//! The Jungle Grid REST API: client, request types and error mapping. Knows nothing of MCP.

pub mod client;
pub mod errors;
pub mod transfer;
pub mod types;

pub use client::ApiClient;
