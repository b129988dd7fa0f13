//! MCP over stdin/stdout, for local hosts. stdout carries only JSON-RPC; logs go to stderr.
//!
//! The transport reads newline-delimited JSON-RPC with a bound on line length and answers what
//! rmcp's own stdio transport silently drops: an unparsable line gets a JSON-RPC Parse error
//! (-32700) and valid JSON that is not a message gets Invalid Request (-32600, with its id when one
//! can be read). One writer task owns stdout, so concurrent replies never interleave.
//!
//! At most [`MAX_IN_FLIGHT`] requests are handled at once: past that the transport stops reading
//! stdin until one is answered (or cancelled), so a flood of pipelined calls waits in the pipe
//! instead of growing memory; nothing is dropped. When stdout closes (the host went away, EPIPE)
//! the session ends at once and the process exits cleanly, without an error line per message.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::StreamExt;
use rmcp::model::{ClientNotification, JsonRpcMessage, RequestId};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{RoleServer, ServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio_util::bytes::BytesMut;
use tokio_util::codec::{Decoder, FramedRead, LinesCodec, LinesCodecError};
use tokio_util::sync::CancellationToken;

use crate::api::ApiClient;
use crate::config::Config;
use crate::server::JungleGridServer;
use crate::server::trace::Traced;

/// Longest accepted message line (as rmcp's own stdio transport).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Requests handled at once; the rest wait unread in stdin.
pub const MAX_IN_FLIGHT: usize = 64;

/// Serves until stdin closes or `shutdown` is cancelled; returns the exit code.
pub async fn serve(config: Config, shutdown: CancellationToken) -> i32 {
    let api = match ApiClient::new(&config.api, config.api_key.clone()) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("Fatal: {}", e.message);
            return 1;
        }
    };
    let tools = match crate::tools::select(&config.tools) {
        Ok(tools) => tools,
        Err(e) => {
            eprintln!("Fatal: {e}");
            return 1;
        }
    };
    let mut server = JungleGridServer::with_tools(api, &tools)
        .with_limits(config.limits)
        .with_spending(config.spending)
        .with_views(config.views)
        .with_files(config.files);
    if config.sandbox {
        server = server.sandboxed();
    }
    tracing::info!(api = %config.api.base, "Jungle Grid MCP server starting on stdio");
    let (reader, writer) = rmcp::transport::stdio_pipes();
    serve_on(server, reader, writer, shutdown).await
}

/// Serves one MCP session over any reader/writer pair (stdio in production, pipes in tests).
pub async fn serve_on<R, W>(
    server: JungleGridServer,
    reader: R,
    writer: W,
    shutdown: CancellationToken,
) -> i32
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let transport = LineTransport::new(reader, writer);
    let server = Traced::new(server, crate::server::trace::Transport::Pipe);
    let running = match server
        .serve_with_ct(transport, shutdown.child_token())
        .await
    {
        Ok(running) => running,
        Err(e) => {
            // The peer went away (or was cancelled) before the session started.
            tracing::info!("MCP session did not start: {e}");
            return 0;
        }
    };
    match running.waiting().await {
        Ok(reason) => {
            tracing::info!(?reason, "MCP session ended");
            0
        }
        Err(e) => {
            eprintln!("Fatal: the MCP session failed: {e}");
            1
        }
    }
}

type WriteJob = (String, oneshot::Sender<std::io::Result<()>>);

/// One incoming line, or why it could not be read. Bad lines are items, not errors:
/// `FramedRead` ends the stream after a decoder error, and one bad line must not end a session.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    Line(String),
    TooLong,
    NotUtf8,
}

/// `LinesCodec` with a length bound whose failures are [`Incoming`] items.
pub struct BoundedLines(LinesCodec);

impl BoundedLines {
    pub fn new(max: usize) -> Self {
        BoundedLines(LinesCodec::new_with_max_length(max))
    }

    fn map(result: Result<Option<String>, LinesCodecError>) -> std::io::Result<Option<Incoming>> {
        match result {
            Ok(line) => Ok(line.map(Incoming::Line)),
            Err(LinesCodecError::MaxLineLengthExceeded) => Ok(Some(Incoming::TooLong)),
            Err(LinesCodecError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                Ok(Some(Incoming::NotUtf8))
            }
            Err(LinesCodecError::Io(e)) => Err(e),
        }
    }
}

impl Decoder for BoundedLines {
    type Item = Incoming;
    type Error = std::io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> std::io::Result<Option<Incoming>> {
        Self::map(self.0.decode(buf))
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> std::io::Result<Option<Incoming>> {
        Self::map(self.0.decode_eof(buf))
    }
}

/// Newline-delimited JSON-RPC over a byte stream pair.
pub struct LineTransport<R> {
    lines: FramedRead<R, BoundedLines>,
    /// Unbounded so `send` can queue synchronously, in the order rmcp calls it (rmcp runs the
    /// returned futures concurrently). Each future waits for its write, which bounds the queue.
    out: mpsc::UnboundedSender<WriteJob>,
    /// Cancelled by the writer when stdout is closed: the session ends.
    closed: CancellationToken,
    /// One permit per request being handled, released by its answer or its cancellation.
    slots: Arc<Semaphore>,
    held: HashMap<String, Vec<OwnedSemaphorePermit>>,
    /// A request read from stdin that waits for a free slot.
    waiting: Option<RxJsonRpcMessage<RoleServer>>,
}

impl<R: AsyncRead + Unpin> LineTransport<R> {
    pub fn new<W: AsyncWrite + Send + Unpin + 'static>(reader: R, writer: W) -> Self {
        Self::with_limit(reader, writer, MAX_IN_FLIGHT)
    }

    /// A transport handling at most `limit` requests at once.
    pub fn with_limit<W: AsyncWrite + Send + Unpin + 'static>(
        reader: R,
        writer: W,
        limit: usize,
    ) -> Self {
        let (out, rx) = mpsc::unbounded_channel::<WriteJob>();
        let closed = CancellationToken::new();
        tokio::spawn(write_loop(writer, rx, closed.clone()));
        LineTransport {
            lines: FramedRead::new(reader, BoundedLines::new(MAX_LINE_BYTES)),
            out,
            closed,
            slots: Arc::new(Semaphore::new(limit.max(1))),
            held: HashMap::new(),
            waiting: None,
        }
    }

    /// Frees the slot of a request that was answered or cancelled.
    fn release(&mut self, id: &RequestId) {
        let key = slot_key(id);
        if let Some(permits) = self.held.get_mut(&key) {
            permits.pop();
            if permits.is_empty() {
                self.held.remove(&key);
            }
        }
    }
}

fn slot_key(id: &RequestId) -> String {
    serde_json::to_string(id).unwrap_or_default()
}

/// Queues a JSON-RPC error reply that no request handler produced (the message never reached one).
async fn reply_error(out: &mpsc::UnboundedSender<WriteJob>, id: Value, code: i64, message: &str) {
    let line = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let (done, written) = oneshot::channel();
    if out.send((line.to_string(), done)).is_ok() {
        let _ = written.await;
    }
}

/// Owns the writer: each queued line is written whole and flushed, then acknowledged.
async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut rx: mpsc::UnboundedReceiver<WriteJob>,
    closed: CancellationToken,
) {
    while let Some((mut line, done)) = rx.recv().await {
        line.push('\n');
        let result = async {
            writer.write_all(line.as_bytes()).await?;
            writer.flush().await
        }
        .await;
        let failed = result.is_err();
        let _ = done.send(result);
        if failed {
            // The host closed our stdout; nothing more can be delivered: end the session.
            tracing::info!("stdout closed; ending the session");
            closed.cancel();
            break;
        }
    }
}

/// The `id` of a message that is valid JSON but not a valid message, when it has a usable one.
fn readable_id(value: &Value) -> Value {
    match value.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        _ => Value::Null,
    }
}

impl<R: AsyncRead + Send + Unpin + 'static> Transport<RoleServer> for LineTransport<R> {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        match &item {
            JsonRpcMessage::Response(response) => self.release(&response.id),
            JsonRpcMessage::Error(error) => {
                if let Some(id) = &error.id {
                    self.release(id);
                }
            }
            _ => {}
        }
        // Queue now, not when the future is first polled, so lines keep rmcp's order (a progress
        // notification must not overtake the result it belongs to).
        let queued = serde_json::to_string(&item)
            .map_err(std::io::Error::other)
            .map(|line| {
                let (done, written) = oneshot::channel();
                // Once stdout is closed the session is ending: lines are dropped quietly rather
                // than reported as one error per message.
                self.out.send((line, done)).ok().map(|()| written)
            });
        async move {
            if let Some(written) = queued? {
                // A failed write has already ended the session (see `write_loop`).
                let _ = written.await;
            }
            Ok(())
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            if self.waiting.is_some() {
                // rmcp races `receive` against other events and drops it when they win, so the
                // request waits in `self` (not in this future) while the slot is awaited.
                let permit = tokio::select! {
                    permit = self.slots.clone().acquire_owned() => permit.ok()?,
                    () = self.closed.cancelled() => return None,
                };
                let message = self.waiting.take()?;
                if let JsonRpcMessage::Request(request) = &message {
                    self.held
                        .entry(slot_key(&request.id))
                        .or_default()
                        .push(permit);
                }
                return Some(message);
            }
            let next = tokio::select! {
                next = self.lines.next() => next?,
                () = self.closed.cancelled() => return None,
            };
            let line = match next {
                Ok(Incoming::Line(line)) => line,
                Ok(Incoming::TooLong) => {
                    tracing::warn!(
                        "dropped an incoming message longer than {MAX_LINE_BYTES} bytes"
                    );
                    let msg = "Parse error: message is larger than the 16 MiB limit";
                    reply_error(&self.out, Value::Null, -32700, msg).await;
                    continue;
                }
                Ok(Incoming::NotUtf8) => {
                    let msg = "Parse error: message is not valid UTF-8";
                    reply_error(&self.out, Value::Null, -32700, msg).await;
                    continue;
                }
                Err(e) => {
                    tracing::warn!("stdin read failed: {e}");
                    return None;
                }
            };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let value: Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(_) => {
                    reply_error(
                        &self.out,
                        Value::Null,
                        -32700,
                        "Parse error: message is not valid JSON",
                    )
                    .await;
                    continue;
                }
            };
            let id = readable_id(&value);
            match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(value) {
                Ok(message) => {
                    match &message {
                        JsonRpcMessage::Request(_) => {
                            // Handed over once a slot is free (see the top of the loop).
                            self.waiting = Some(message);
                            continue;
                        }
                        JsonRpcMessage::Notification(n) => {
                            // rmcp sends no answer for a cancelled request: free its slot here.
                            if let ClientNotification::CancelledNotification(c) = &n.notification
                                && let Some(id) = &c.params.request_id
                            {
                                self.release(id);
                            }
                        }
                        _ => {}
                    }
                    return Some(message);
                }
                Err(e) => {
                    tracing::debug!("invalid JSON-RPC message: {e}");
                    reply_error(
                        &self.out,
                        id,
                        -32600,
                        "Invalid Request: not a valid JSON-RPC 2.0 message",
                    )
                    .await;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn request(id: i64) -> String {
        format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\"}}\n")
    }

    fn answer(id: i64) -> TxJsonRpcMessage<RoleServer> {
        serde_json::from_value(json!({"jsonrpc": "2.0", "id": id, "result": {}})).unwrap()
    }

    fn id_of(message: Option<RxJsonRpcMessage<RoleServer>>) -> RequestId {
        match message {
            Some(JsonRpcMessage::Request(r)) => r.id,
            other => panic!("expected a request, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn requests_past_the_bound_wait_for_an_answer_or_a_cancellation() {
        let (mut client_in, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, _client_out) = tokio::io::duplex(1 << 16);
        let mut t = LineTransport::with_limit(server_in, server_out, 1);
        let input = [request(1), request(2)].concat();
        client_in.write_all(input.as_bytes()).await.unwrap();
        assert_eq!(id_of(t.receive().await), RequestId::Number(1));
        // The second request is read but held: no slot is free.
        assert!(t.receive().now_or_never().is_none());
        assert!(t.receive().now_or_never().is_none());
        t.send(answer(1)).await.unwrap();
        assert_eq!(id_of(t.receive().await), RequestId::Number(2));
        // rmcp answers nothing for a cancelled request: the cancellation frees the slot.
        let cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":2}}\n";
        client_in
            .write_all([cancel, &request(3)].concat().as_bytes())
            .await
            .unwrap();
        assert!(matches!(
            t.receive().await,
            Some(JsonRpcMessage::Notification(_))
        ));
        let third = t.receive().now_or_never().flatten();
        assert_eq!(id_of(third), RequestId::Number(3));
    }

    #[tokio::test]
    async fn a_closed_stdout_ends_the_session_quietly() {
        let (_client_in, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, client_out) = tokio::io::duplex(64);
        drop(client_out);
        let mut t = LineTransport::new(server_in, server_out);
        // The write fails (broken pipe); the send itself reports no error.
        t.send(answer(1)).await.unwrap();
        t.send(answer(2)).await.unwrap();
        // stdin is still open, yet the session ends.
        assert!(t.receive().await.is_none());
    }

    #[tokio::test]
    async fn bad_lines_do_not_end_the_stream() {
        let mut input = Vec::new();
        input.extend_from_slice(b"first\n");
        input.extend_from_slice(&[b'x'; 64]);
        input.extend_from_slice(b"\n\xff\xfe\nlast\n");
        let mut lines = FramedRead::new(&input[..], BoundedLines::new(32));
        let mut seen = Vec::new();
        while let Some(item) = lines.next().await {
            seen.push(item.unwrap());
        }
        assert_eq!(
            seen,
            vec![
                Incoming::Line("first".into()),
                Incoming::TooLong,
                Incoming::NotUtf8,
                Incoming::Line("last".into()),
            ]
        );
    }
}
