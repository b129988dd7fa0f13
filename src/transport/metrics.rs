//! Operator metrics for the hosted server, in the Prometheus text format (version 0.0.4), served
//! on their own listener (`MCP_METRICS_ADDR`) so they are never public by accident. Counters are
//! kept in memory: labels come from a small fixed set (routes, tool names, outcomes, statuses).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Families {
    requests: BTreeMap<(String, u16), u64>,
    request_seconds: BTreeMap<String, Histogram>,
    tool_calls: BTreeMap<(String, String), u64>,
    tool_seconds: BTreeMap<String, Histogram>,
    introspection: BTreeMap<&'static str, u64>,
}

/// Everything `/metrics` reports.
#[derive(Default)]
pub struct Metrics {
    families: Mutex<Families>,
    pub in_flight: AtomicI64,
    pub open_connections: AtomicI64,
    pub rate_limited: AtomicU64,
    pub overloaded: AtomicU64,
    pub evicted_connections: AtomicU64,
}

/// How an introspection lookup went, for `junglegrid_mcp_introspection_total{result}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// An accepted token found in the cache.
    Hit,
    /// A refused token found in the negative cache.
    NegativeHit,
    /// Asked the introspection endpoint.
    Miss,
    /// Waited for another request's call for the same token.
    Shared,
    /// Not asked: the client's address is past its bound on unrecognised tokens (429).
    Bounded,
}

impl Lookup {
    fn label(self) -> &'static str {
        match self {
            Lookup::Hit => "hit",
            Lookup::NegativeHit => "negative_hit",
            Lookup::Miss => "miss",
            Lookup::Shared => "shared",
            Lookup::Bounded => "bounded",
        }
    }
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut f) = self.families.lock() {
            *f.requests.entry((route.to_string(), status)).or_default() += 1;
            f.request_seconds
                .entry(route.to_string())
                .or_default()
                .observe(elapsed.as_secs_f64());
        }
    }

    pub fn tool_call(&self, tool: &str, outcome: &str, elapsed: Duration) {
        if let Ok(mut f) = self.families.lock() {
            *f.tool_calls
                .entry((tool.to_string(), outcome.to_string()))
                .or_default() += 1;
            f.tool_seconds
                .entry(tool.to_string())
                .or_default()
                .observe(elapsed.as_secs_f64());
        }
    }

    pub fn lookup(&self, lookup: Lookup) {
        if let Ok(mut f) = self.families.lock() {
            *f.introspection.entry(lookup.label()).or_default() += 1;
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(f) = self.families.lock() else {
            return out;
        };
        family(
            &mut out,
            "junglegrid_mcp_http_requests_total",
            "counter",
            "HTTP requests by route and status.",
        );
        for ((route, status), n) in &f.requests {
            sample(
                &mut out,
                "junglegrid_mcp_http_requests_total",
                &[("route", route.clone()), ("status", status.to_string())],
                *n as f64,
            );
        }
        family(
            &mut out,
            "junglegrid_mcp_http_request_duration_seconds",
            "histogram",
            "HTTP request latency by route.",
        );
        for (route, h) in &f.request_seconds {
            histogram(
                &mut out,
                "junglegrid_mcp_http_request_duration_seconds",
                vec![("route", route.clone())],
                h,
            );
        }
        family(
            &mut out,
            "junglegrid_mcp_tool_calls_total",
            "counter",
            "Tool calls by tool and outcome (ok, tool_error, protocol_error, streamed, http_<status>).",
        );
        for ((tool, outcome), n) in &f.tool_calls {
            sample(
                &mut out,
                "junglegrid_mcp_tool_calls_total",
                &[("tool", tool.clone()), ("outcome", outcome.clone())],
                *n as f64,
            );
        }
        family(
            &mut out,
            "junglegrid_mcp_tool_call_duration_seconds",
            "histogram",
            "Tool call latency by tool.",
        );
        for (tool, h) in &f.tool_seconds {
            histogram(
                &mut out,
                "junglegrid_mcp_tool_call_duration_seconds",
                vec![("tool", tool.clone())],
                h,
            );
        }
        family(
            &mut out,
            "junglegrid_mcp_introspection_total",
            "counter",
            "Token lookups: cache hit, negative-cache hit, shared in-flight call, or miss (one introspection call).",
        );
        for (result, n) in &f.introspection {
            sample(
                &mut out,
                "junglegrid_mcp_introspection_total",
                &[("result", result.to_string())],
                *n as f64,
            );
        }
        drop(f);
        let scalars: [(&str, &str, &str, f64); 5] = [
            (
                "junglegrid_mcp_rate_limited_total",
                "counter",
                "Requests refused with 429 by the per-caller rate limit.",
                self.rate_limited.load(Ordering::Relaxed) as f64,
            ),
            (
                "junglegrid_mcp_overloaded_total",
                "counter",
                "Requests refused with 503 because MCP_MAX_IN_FLIGHT were in progress.",
                self.overloaded.load(Ordering::Relaxed) as f64,
            ),
            (
                "junglegrid_mcp_evicted_connections_total",
                "counter",
                "Idle or slow connections closed to admit new ones at MCP_MAX_CONNECTIONS.",
                self.evicted_connections.load(Ordering::Relaxed) as f64,
            ),
            (
                "junglegrid_mcp_requests_in_flight",
                "gauge",
                "Requests being handled now.",
                self.in_flight.load(Ordering::Relaxed) as f64,
            ),
            (
                "junglegrid_mcp_open_connections",
                "gauge",
                "Client connections open now.",
                self.open_connections.load(Ordering::Relaxed) as f64,
            ),
        ];
        for (name, kind, help, value) in scalars {
            family(&mut out, name, kind, help);
            sample(&mut out, name, &[], value);
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn sample(out: &mut String, name: &str, labels: &[(&str, String)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        let inner: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        let _ = write!(out, "{{{}}}", inner.join(","));
    }
    let _ = writeln!(out, " {value}");
}

fn histogram(out: &mut String, name: &str, labels: Labels, h: &Histogram) {
    for (i, le) in BUCKETS.iter().enumerate() {
        let mut l = labels.clone();
        l.push(("le", le.to_string()));
        sample(out, &format!("{name}_bucket"), &l, h.counts[i] as f64);
    }
    let mut l = labels.clone();
    l.push(("le", "+Inf".into()));
    sample(out, &format!("{name}_bucket"), &l, h.count as f64);
    sample(out, &format!("{name}_sum"), &labels, h.sum);
    sample(out, &format!("{name}_count"), &labels, h.count as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_text_format() {
        let m = Metrics::default();
        m.request("/mcp", 200, Duration::from_millis(20));
        m.request("/mcp", 429, Duration::from_millis(1));
        m.tool_call("get_job", "ok", Duration::from_millis(30));
        m.lookup(Lookup::Miss);
        m.lookup(Lookup::Hit);
        m.rate_limited.fetch_add(1, Ordering::Relaxed);
        let text = m.render();
        assert!(
            text.contains("junglegrid_mcp_http_requests_total{route=\"/mcp\",status=\"429\"} 1\n")
        );
        assert!(
            text.contains("junglegrid_mcp_tool_calls_total{tool=\"get_job\",outcome=\"ok\"} 1\n")
        );
        assert!(text.contains(
            "junglegrid_mcp_tool_call_duration_seconds_bucket{tool=\"get_job\",le=\"0.05\"} 1\n"
        ));
        assert!(text.contains(
            "junglegrid_mcp_tool_call_duration_seconds_bucket{tool=\"get_job\",le=\"0.025\"} 0\n"
        ));
        assert!(text.contains("junglegrid_mcp_introspection_total{result=\"hit\"} 1\n"));
        assert!(text.contains("junglegrid_mcp_rate_limited_total 1\n"));
        assert_eq!(escape("a\"b\\c\n"), "a\\\"b\\\\c\\n");
    }
}
