//! One error type for the whole core: a value with a code, a message and, where there is one, the
//! HTTP status. Formatting for agents (`<tool> failed: ...`) and for JS (`Error` with `.code` and
//! `.status`) happens at the edges.

use std::fmt;

/// Where an error came from; decides how it is printed to an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The Jungle Grid API answered with an error (or with a body we could not read).
    Api,
    /// The arguments were rejected before any request was made.
    InvalidArgument,
    /// The API did not answer within the request timeout.
    Timeout,
    /// The API could not be reached (DNS, refused connection, TLS, reset).
    Network,
    /// The caller is not allowed to do this (missing OAuth scope, mode restriction).
    Forbidden,
    /// The caller gave up on the operation (a cancelled request or task).
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// `FORBIDDEN`, `JOB_INPUT_NOT_READY`, ... for API errors; `INVALID_ARGUMENT`, `TIMEOUT`,
    /// `NETWORK` for local ones.
    pub code: String,
    /// A sentence that is safe to show: it never holds a secret or a raw upstream body.
    pub message: String,
    /// The HTTP status, when the API answered.
    pub status: Option<u16>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn api(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Api,
            code: code.into(),
            message: message.into(),
            status: Some(status),
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::InvalidArgument,
            code: "INVALID_ARGUMENT".into(),
            message: message.into(),
            status: None,
        }
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Timeout,
            code: "TIMEOUT".into(),
            message: message.into(),
            status: None,
        }
    }

    pub fn network(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Network,
            code: "NETWORK".into(),
            message: message.into(),
            status: None,
        }
    }

    pub fn cancelled(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Cancelled,
            code: "CANCELLED".into(),
            message: message.into(),
            status: None,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Forbidden,
            code: "FORBIDDEN".into(),
            message: message.into(),
            status: None,
        }
    }

    /// The text after `<tool> failed: `: API and permission errors carry their code, local errors
    /// are a plain sentence.
    pub fn detail(&self) -> String {
        match self.kind {
            ErrorKind::Api | ErrorKind::Forbidden => format!("{}: {}", self.code, self.message),
            _ => self.message.clone(),
        }
    }

    /// What an agent reads when a tool fails.
    pub fn for_tool(&self, tool: &str) -> String {
        format!("{tool} failed: {}", self.detail())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_carry_their_code() {
        let e = Error::api(403, "FORBIDDEN", "api key missing jobs:read scope");
        assert_eq!(
            e.for_tool("get_job"),
            "get_job failed: FORBIDDEN: api key missing jobs:read scope"
        );
    }

    #[test]
    fn local_errors_are_plain_sentences() {
        let e = Error::invalid_argument("job_id is required.");
        assert_eq!(e.for_tool("get_job"), "get_job failed: job_id is required.");
        assert_eq!(e.code, "INVALID_ARGUMENT");
        assert_eq!(e.status, None);
    }
}
