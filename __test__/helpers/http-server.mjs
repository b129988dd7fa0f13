// Starting the hosted server (the bin with --http) against the fake upstream, the SDK clients over
// Streamable HTTP (v1 and v2 pinned to 2026-07-28), and small HTTP helpers. Re-exported by ./mcp.mjs;
// imports no helper that imports it (helpers-imports.test.mjs fails on any cycle).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, request as httpRequest } from 'node:http'
import { createServer as netServer } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client'
import { SERVICE_TOKEN } from './fake-upstream.mjs'
import { BIN, MODERN_PROTOCOL } from './bin.mjs'

export const ISSUER = 'https://api.junglegrid.dev'
export const RESOURCE = 'https://mcp.junglegrid.dev'
export const METADATA_URL = 'https://mcp.junglegrid.dev/.well-known/oauth-protected-resource'

export function freePort() {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Runs `junglegrid-mcp --http` on a free loopback port (`prefix`: a wrapper such as prlimit). */
export async function startHosted(upstream, env = {}, { prefix = [] } = {}) {
  const port = await freePort()
  const [command, ...args] = [...prefix, process.execPath, BIN, '--http', '--host', '127.0.0.1', '--port', String(port)]
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH,
      JUNGLEGRID_API_BASE: upstream.base,
      JUNGLEGRID_INTERNAL_SERVICE_TOKEN: SERVICE_TOKEN,
      NODE_ENV: 'test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  await new Promise((resolve, reject) => {
    const check = () => stderr.includes('listening on') && resolve()
    child.stderr.on('data', check)
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
    },
  }
}

/** An introspection answer for an active token with these scopes. */
export function activeToken(scopes = 'jobs:read', extra = {}) {
  return {
    status: 200,
    body: {
      active: true, iss: ISSUER, aud: [RESOURCE], sub: 'user_1', workspace_id: 'wsp_1',
      scope: scopes, exp: Math.floor(Date.now() / 1000) + 300, ...extra,
    },
  }
}

/** Connects the v1 SDK over Streamable HTTP with a bearer token. */
export async function connectHttp(url, token, { protocol } = {}) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {}
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } })
  const client = new Client({ name: 'junglegrid-http-tests', version: '1.0.0' })
  await client.connect(transport)
  return { client, call: (name, args) => client.callTool({ name, arguments: args }), close: () => client.close() }
}

/** Connects the v2 client pinned to 2026-07-28 over Streamable HTTP with a bearer token (and `capabilities`). */
export async function connectHttpV2(url, token, { capabilities } = {}) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {}
  const transport = new HttpV2(new URL(`${url}/mcp`), { requestInit: { headers } })
  const client = new ClientV2({ name: 'junglegrid-http-tests-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN_PROTOCOL } }, ...(capabilities ? { capabilities } : {}) })
  await client.connect(transport)
  return { client, call: (name, args) => client.callTool({ name, arguments: args }), close: () => client.close() }
}

/** A raw JSON-RPC POST to /mcp. */
export async function post(url, body, headers = {}) {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { res, text, json }
}

/** A small round-robin reverse proxy in front of several upstreams (a load balancer stand-in). */
export async function roundRobin(targets) {
  let next = 0
  const hits = targets.map(() => 0)
  const server = createServer((req, res) => {
    const i = next++ % targets.length
    hits[i]++
    const target = new URL(targets[i])
    const out = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${target.port}` } }, (up) => {
      res.writeHead(up.statusCode, up.headers)
      up.pipe(res)
    })
    out.on('error', () => res.writeHead(502).end())
    req.pipe(out)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, hits, close: () => new Promise((r) => server.close(r)) }
}
