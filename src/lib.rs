//! Jungle Grid MCP: the Rust core of `@jungle-grid/mcp`.
//!
//! Data flows one way: transport -> [`server`] (MCP handler) -> [`tools`] (validation, mapping,
//! summaries) -> [`api`] (REST client) -> Jungle Grid. [`bindings`] adapts the core for Node.

pub mod api;
pub mod bindings;
pub mod cli;
pub mod clock;
pub mod config;
#[cfg(test)]
mod docs;
pub mod doctor;
pub mod error;
pub mod files;
#[cfg(test)]
mod layers;
pub mod logging;
pub mod sandbox;
pub mod secret;
pub mod server;
pub mod tasks;
pub mod tools;
pub mod transport;
