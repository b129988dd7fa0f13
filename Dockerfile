# The hosted MCP server (Streamable HTTP on /mcp with OAuth) as a plain Rust binary: no Node.
#   docker build -t junglegrid-mcp .
#   docker run -p 3000:3000 -e JUNGLEGRID_INTERNAL_SERVICE_TOKEN=... junglegrid-mcp
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
RUN cargo build --release --locked --bin junglegrid-mcp

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 junglegrid \
 && useradd --system --uid 10001 --gid 10001 --no-create-home junglegrid
COPY --from=build /src/target/release/junglegrid-mcp /usr/local/bin/junglegrid-mcp
# Numeric, so Kubernetes can check runAsNonRoot without a runAsUser (deploy/kubernetes uses both).
USER 10001:10001
ENV MCP_TRANSPORT=http PORT=3000 HOST=0.0.0.0 NODE_ENV=production
EXPOSE 3000
# Probe GET /healthz (liveness) and GET /readyz (readiness: 503 while draining) from the
# orchestrator (the image has no curl). On SIGTERM requests in flight get MCP_DRAIN_TIMEOUT_MS.
STOPSIGNAL SIGTERM
ENTRYPOINT ["junglegrid-mcp"]
