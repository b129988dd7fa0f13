// Spawning the server exactly as an MCP host does (node + bin, env block), through the official
// TypeScript clients: v1 (@modelcontextprotocol/sdk, the 2025 revisions with initialize) and v2
// (@modelcontextprotocol/client, pinned to 2026-07-28: server/discover, per-request metadata).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js'
import { Client as ClientV2 } from '@modelcontextprotocol/client'
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio'
import { API_KEY } from './fake-upstream.mjs'

export const BIN = fileURLToPath(new URL('../../bin/junglegrid-mcp.js', import.meta.url))
export const PACKAGE = JSON.parse(
  (await import('node:fs')).readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
)

/** The environment a host passes: the key and the API base, nothing inherited that matters. */
export function hostEnv(upstream, extra = {}) {
  const env = { PATH: process.env.PATH, JUNGLE_GRID_API_KEY: API_KEY, JUNGLE_GRID_LOG: 'warn', ...extra }
  if (upstream) env.JUNGLEGRID_API_BASE = upstream.base
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

/** Connects the v1 SDK client (2025 revisions); stderr is collected in `stderr()`. */
export async function connectV1(upstream, { env = {}, args = [] } = {}) {
  const transport = new StdioV1({ command: process.execPath, args: [BIN, ...args], env: hostEnv(upstream, env), stderr: 'pipe' })
  let stderr = ''
  transport.stderr?.on('data', (d) => (stderr += d))
  const client = new ClientV1({ name: 'junglegrid-tests', version: '1.0.0' })
  await client.connect(transport)
  return { client, transport, stderr: () => stderr, close: () => client.close() }
}

/** Connects the v2 client pinned to protocol 2026-07-28. */
export async function connectV2(upstream, { env = {}, args = [] } = {}) {
  const transport = new StdioV2({ command: process.execPath, args: [BIN, ...args], env: hostEnv(upstream, env), stderr: 'pipe' })
  const client = new ClientV2({ name: 'junglegrid-tests-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
  await client.connect(transport)
  return { client, transport, close: () => client.close() }
}

/** The bin with raw newline-delimited JSON-RPC, for malformed input and process behaviour. */
export function spawnRaw(upstream, { env = {}, args = [] } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: hostEnv(upstream, env), stdio: ['pipe', 'pipe', 'pipe'] })
  const lines = []
  const waiters = []
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line)
    for (const w of [...waiters]) {
      const hit = w.match(line)
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(hit)
      }
    }
  })
  const exited = once(child, 'exit')
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    send(message) {
      child.stdin.write((typeof message === 'string' ? message : JSON.stringify(message)) + '\n')
    },
    /** Resolves with the first stdout message for which `predicate(msg)` holds. */
    next(predicate, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const match = (line) => {
          try {
            const msg = JSON.parse(line)
            return predicate(msg) ? msg : null
          } catch {
            return null
          }
        }
        for (const line of lines) {
          const hit = match(line)
          if (hit) return resolve(hit)
        }
        const timer = setTimeout(() => reject(new Error(`no matching message; stdout so far:\n${lines.join('\n')}\nstderr:\n${stderr}`)), timeoutMs)
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) })
      })
    },
    async initialize(protocolVersion = '2025-06-18') {
      this.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })
      const reply = await this.next((m) => m.id === 'init')
      this.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
      return reply
    },
    async close() {
      child.stdin.end()
      const [code] = await exited
      return code
    },
  }
}

/** Text of a tool result. */
export const text = (result) => result.content.map((c) => c.text).join('\n')
