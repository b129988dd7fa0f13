#!/usr/bin/env node
// The reference for the hosted bench: the official TypeScript SDK's stateless Streamable HTTP
// server (a new McpServer + transport per request, JSON responses, as the SDK documents), doing
// the same work as `junglegrid-mcp --http` for get_job: bearer token -> introspection (cached by
// token for 60 s) -> GET the job from the API with the user's token -> text + structuredContent.
//   JUNGLEGRID_API_BASE=http://127.0.0.1:PORT PORT=3000 node bench/ts-hosted-server.mjs
import { createServer } from 'node:http'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { z } from 'zod'

const API = process.env.JUNGLEGRID_API_BASE
const PORT = Number(process.env.PORT || 3000)
const cache = new Map() // token -> { auth, until }

async function authenticate(header) {
  const token = /^Bearer\s+(.+)$/i.exec(header || '')?.[1]?.trim()
  if (!token) return null
  const hit = cache.get(token)
  if (hit && hit.until > Date.now()) return hit.auth
  const res = await fetch(`${API}/oauth/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer svc' },
    body: JSON.stringify({ token, resource: 'https://mcp.junglegrid.dev' }),
  })
  const body = await res.json()
  if (!body.active) return null
  const auth = { token, sub: body.sub, scopes: String(body.scope || '').split(' ') }
  cache.set(token, { auth, until: Date.now() + 60_000 })
  return auth
}

function serverFor(auth) {
  const server = new McpServer({ name: 'junglegrid-ts-reference', version: '1.0.0' })
  server.registerTool(
    'get_job',
    { description: 'Get one job.', inputSchema: { job_id: z.string().min(1) }, outputSchema: { data: z.any() } },
    async ({ job_id }) => {
      const res = await fetch(`${API}/v1/mcp/jobs/${encodeURIComponent(job_id)}`, { headers: { authorization: `Bearer ${auth.token}` } })
      const body = await res.json()
      if (!res.ok || !body.ok) return { isError: true, content: [{ type: 'text', text: 'get_job failed' }] }
      return { content: [{ type: 'text', text: JSON.stringify(body.data) }], structuredContent: { data: body.data } }
    },
  )
  return server
}

createServer(async (req, res) => {
  if (req.url !== '/mcp' || req.method !== 'POST') return res.writeHead(404).end()
  const auth = await authenticate(req.headers.authorization).catch(() => null)
  if (!auth) return res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"UNAUTHORIZED"}}')
  const server = serverFor(auth)
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
  res.on('close', () => {
    transport.close()
    server.close()
  })
  await server.connect(transport)
  await transport.handleRequest(req, res)
}).listen(PORT, '127.0.0.1', () => console.error(`TS reference listening on http://127.0.0.1:${PORT}`))
