//! The exporter's HTTP client.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};

/// The exporter's HTTP client: the crate's reqwest (rustls, system roots, `HTTPS_PROXY`), run on
/// the server's runtime, since the batch processor exports from a thread of its own. The first
/// failure is logged once (the collector's host, never its URL or headers); later ones are not,
/// so an absent collector cannot flood stderr.
#[derive(Debug)]
pub(super) struct ExportClient {
    pub(super) client: reqwest::Client,
    pub(super) runtime: tokio::runtime::Handle,
}

static EXPORT_FAILED: AtomicBool = AtomicBool::new(false);

fn export_failed(host: &str, why: &str) {
    if !EXPORT_FAILED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "OpenTelemetry: exporting spans to {host} failed ({why}); spans are dropped until it answers."
        );
    }
}

impl HttpClient for ExportClient {
    fn send_bytes<'a, 'b>(
        &'a self,
        request: Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'b>>
    where
        'a: 'b,
        Self: 'b,
    {
        let client = self.client.clone();
        let host = request.uri().host().unwrap_or("the collector").to_string();
        let task = self.runtime.spawn(async move {
            let request = reqwest::Request::try_from(request)?;
            let response = client.execute(request).await?;
            let status = response.status();
            let mut answer = Response::builder().status(status);
            if let Some(headers) = answer.headers_mut() {
                *headers = response.headers().clone();
            }
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>(answer.body(body))
        });
        Box::pin(async move {
            match task.await {
                Ok(Ok(Ok(response))) => {
                    if !response.status().is_success() {
                        export_failed(&host, &format!("HTTP {}", response.status().as_u16()));
                    }
                    Ok(response)
                }
                Ok(Ok(Err(e))) => Err(e.into()),
                Ok(Err(e)) => {
                    let why = if e.is_timeout() {
                        "timed out"
                    } else if e.is_connect() {
                        "could not connect"
                    } else {
                        "request failed"
                    };
                    export_failed(&host, why);
                    Err(e.without_url().into())
                }
                Err(e) => Err(e.into()),
            }
        })
    }
}
