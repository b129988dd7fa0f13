//! The Jungle Grid REST API: client, request types and error mapping. Knows nothing of MCP.

pub mod clean_text;
pub mod client;
pub mod errors;
pub mod targets;
pub mod transfer;
pub mod types;

pub use client::ApiClient;
