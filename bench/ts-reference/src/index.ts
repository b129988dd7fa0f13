#!/usr/bin/env node
// The TypeScript reference for the npx bench: a stdio MCP server of the same shape as
// @jungle-grid/mcp, written the way a typical TypeScript MCP server is (the official SDK's
// McpServer, zod input schemas, compiled to JS, published with its dependencies resolved at
// install). The same tools (src/tools.ts), the same environment variables; each tool is one thin
// request to the Jungle Grid REST API, with a summary line + JSON text and structuredContent.
// It exists to be measured beside ours (install size, cold and warm `npx` start), not to be used.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { z } from 'zod'
import { tools } from './tools.js'

const API_KEY = process.env.JUNGLE_GRID_API_KEY?.trim()
const API_BASE = (process.env.JUNGLEGRID_API_BASE || process.env.JUNGLE_GRID_API_URL || 'https://api.junglegrid.dev').replace(/\/+$/, '')
if (!API_KEY) {
  console.error('JUNGLE_GRID_API_KEY is required: set it in your MCP host configuration.')
  process.exit(1)
}

type Args = Record<string, unknown>
type Route = { method: 'GET' | 'POST'; path: string; query?: string[]; body?: (a: Args) => unknown }
const seg = (a: Args, k: string) => encodeURIComponent(String(a[k]))
const routes: Record<keyof typeof tools, (a: Args) => Route> = {
  estimate_job: () => ({ method: 'POST', path: '/v1/mcp/jobs/estimate', body: (a) => a }),
  submit_job: () => ({ method: 'POST', path: '/v1/mcp/jobs', body: ({ idempotency_key, ...a }) => a }),
  upload_job_input: () => ({ method: 'POST', path: '/v1/job-inputs', body: ({ filename, content_type, kind }) => ({ filename, content_type, kind }) }),
  list_job_inputs: () => ({ method: 'GET', path: '/v1/job-inputs' }),
  list_jobs: () => ({ method: 'GET', path: '/v1/mcp/jobs', query: ['limit', 'cursor', 'status'] }),
  get_job: (a) => ({ method: 'GET', path: `/v1/mcp/jobs/${seg(a, 'job_id')}` }),
  get_job_events: (a) => ({ method: 'GET', path: `/v1/jobs/${seg(a, 'job_id')}/events` }),
  get_job_logs: (a) => ({ method: 'GET', path: `/v1/mcp/jobs/${seg(a, 'job_id')}/logs`, query: ['limit', 'cursor'] }),
  cancel_job: (a) => ({ method: 'POST', path: `/v1/mcp/jobs/${seg(a, 'job_id')}/cancel`, body: ({ reason }) => ({ reason: reason ?? 'Cancelled via MCP' }) }),
  list_artifacts: (a) => ({ method: 'GET', path: `/v1/mcp/jobs/${seg(a, 'job_id')}/artifacts` }),
  get_artifact: (a) => ({ method: 'POST', path: `/v1/mcp/jobs/${seg(a, 'job_id')}/artifacts/${seg(a, 'artifact_id')}/download` }),
  wait_for_job: (a) => ({ method: 'GET', path: `/v1/mcp/jobs/${seg(a, 'job_id')}` }),
}

async function request(route: Route, args: Args): Promise<unknown> {
  const url = new URL(API_BASE + route.path)
  for (const k of route.query ?? []) if (args[k] !== undefined) url.searchParams.set(k, String(args[k]))
  const res = await fetch(url, {
    method: route.method,
    headers: { authorization: `Bearer ${API_KEY}`, accept: 'application/json', ...(route.body ? { 'content-type': 'application/json' } : {}) },
    body: route.body ? JSON.stringify(route.body(args)) : undefined,
  })
  const text = await res.text()
  const body = text ? JSON.parse(text) : null
  if (!res.ok || body?.ok === false) throw new Error(`${route.method} ${route.path} failed with status ${res.status}: ${body?.error?.message ?? text}`)
  return body && typeof body === 'object' && 'data' in body ? body.data : body
}

const TERMINAL = new Set(['completed', 'failed', 'rejected', 'cancelled'])

async function run(name: keyof typeof tools, args: Args): Promise<unknown> {
  const route = routes[name](args)
  if (name !== 'wait_for_job') return request(route, args)
  const until = Date.now() + Math.min(Number(args.timeout_seconds ?? 45), 50) * 1000
  let interval = Number(args.poll_interval_seconds ?? 2) * 1000
  for (;;) {
    const job = (await request(route, args)) as { status?: string }
    if (TERMINAL.has(String(job?.status)) || Date.now() + interval > until) return job
    await new Promise((resolve) => setTimeout(resolve, interval))
    interval = Math.min(interval * 1.5, 15_000)
  }
}

const server = new McpServer({ name: 'junglegrid-ts-reference', version: '1.0.0' })
type Spec = { title: string; description: string; annotations: Record<string, boolean>; inputSchema: z.ZodRawShape }
for (const [name, def] of Object.entries(tools) as [keyof typeof tools, Spec][]) {
  server.registerTool(name, { ...def, outputSchema: { data: z.unknown() } }, async (args: Args) => {
    try {
      const data = await run(name, args)
      return { content: [{ type: 'text' as const, text: `${name} done.\n${JSON.stringify(data, null, 2)}` }], structuredContent: { data } }
    } catch (e) {
      return { isError: true, content: [{ type: 'text' as const, text: e instanceof Error ? e.message : String(e) }] }
    }
  })
}

await server.connect(new StdioServerTransport())
