// Spawning the server exactly as an MCP host does (`node bin/junglegrid-mcp.js` with an env block
// holding the key and the API base) and talking to it through:
//   - the official TypeScript SDK v1 client (@modelcontextprotocol/sdk: Client + StdioClientTransport,
//     2025 revisions, initialize handshake);
//   - the official v2 client (@modelcontextprotocol/client 2.4) pinned to protocol 2026-07-28
//     (stateless: server/discover at connect, per-request _meta);
//   - a raw newline-delimited JSON-RPC pipe, for malformed input and process behaviour.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js'
import { Client as ClientV2 } from '@modelcontextprotocol/client'
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio'
import { API_KEY } from './fake-api.mjs'

export const BIN = fileURLToPath(new URL('../../bin/junglegrid-mcp.js', import.meta.url))
export const PKG = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
export const MODERN_PROTOCOL = '2026-07-28'

/** The seed's tool registry, in the seed's order (contract Part A 1, Part B 3.3). */
export const SEED_TOOLS = [
  'estimate_job', 'submit_job', 'upload_job_input', 'list_job_inputs', 'list_jobs', 'get_job',
  'get_job_events', 'get_job_logs', 'cancel_job', 'list_artifacts', 'get_artifact',
]

/**
 * The env block a host passes: the key and the fake API base. Nothing else from the test process
 * leaks in (the clients add only PATH/HOME/USER-style basics). `undefined` removes a variable.
 */
export function hostEnv(api, extra = {}) {
  const env = { PATH: process.env.PATH, JUNGLE_GRID_API_KEY: API_KEY }
  if (api) env.JUNGLEGRID_API_BASE = api.base
  Object.assign(env, extra)
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

function collectStderr(stream) {
  const state = { text: '' }
  stream?.on('data', (d) => (state.text += d))
  return state
}

/**
 * Connects the v1 SDK client. Calls tools/list once so the client caches the output schemas: from
 * then on every callTool result is validated against the tool's outputSchema by the SDK itself.
 */
export async function connectV1(api, { env = {}, args = [], listTools = true } = {}) {
  const transport = new StdioClientTransportV1({
    command: process.execPath, args: [BIN, ...args], env: hostEnv(api, env), stderr: 'pipe',
  })
  const stderr = collectStderr(transport.stderr)
  const client = new ClientV1({ name: 'junglegrid-e2e', version: '1.0.0' })
  await client.connect(transport)
  if (listTools) await client.listTools()
  return {
    client,
    transport,
    pid: transport.pid,
    stderr: () => stderr.text,
    call: (name, args) => client.callTool({ name, arguments: args }),
    close: () => client.close(),
  }
}

/** Connects the v2 client pinned to protocol 2026-07-28 (no fallback to initialize). */
export async function connectV2(api, { env = {}, args = [] } = {}) {
  const transport = new StdioClientTransportV2({
    command: process.execPath, args: [BIN, ...args], env: hostEnv(api, env), stderr: 'pipe',
  })
  const stderr = collectStderr(transport.stderr)
  const client = new ClientV2(
    { name: 'junglegrid-e2e-v2', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN_PROTOCOL } } },
  )
  await client.connect(transport)
  await client.listTools()
  return {
    client,
    transport,
    stderr: () => stderr.text,
    call: (name, args) => client.callTool({ name, arguments: args }),
    close: () => client.close(),
  }
}

/** The text of a tool result. */
export const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n')

/**
 * The bin on a raw pipe. `send` writes one line (a string as is, anything else as JSON);
 * `request` sends a request with a fresh id and resolves with its response; `next` waits for the
 * first stdout message matching a predicate. Every stdout line is kept in `lines`.
 */
export function spawnRaw(api, { env = {}, args = [] } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: hostEnv(api, env), stdio: ['pipe', 'pipe', 'pipe'] })
  const lines = []
  const waiters = []
  const stderr = collectStderr(child.stderr)
  let exit = null
  const exited = once(child, 'close').then(([code, signal]) => (exit = { code, signal }))
  child.stdin.on('error', () => {})
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line)
    for (const w of [...waiters]) {
      const hit = w.match(line)
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(hit)
      }
    }
  })
  let nextId = 1
  const session = {
    child,
    lines,
    exited,
    exitStatus: () => exit,
    stderr: () => stderr.text,
    send(message) {
      return new Promise((resolve) => {
        const data = typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message)
        const ok = child.stdin.write(data)
        const nl = child.stdin.write('\n')
        if (ok && nl) resolve()
        else child.stdin.once('drain', resolve)
      })
    },
    /** The first stdout message at line index >= `from` for which `predicate(msg)` holds. */
    next(predicate, timeoutMs = 15_000, from = 0) {
      const match = (line) => {
        try {
          const msg = JSON.parse(line)
          return predicate(msg) ? msg : undefined
        } catch {
          return undefined
        }
      }
      for (const line of lines.slice(from)) {
        const hit = match(line)
        if (hit !== undefined) return Promise.resolve(hit)
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no matching stdout message within ${timeoutMs} ms\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr.text}`))
        }, timeoutMs)
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) })
      })
    },
    async request(method, params, id = `r${nextId++}`) {
      await session.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) })
      return session.next((m) => m.id === id && (m.result !== undefined || m.error !== undefined))
    },
    notify(method, params) {
      return session.send({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) })
    },
    async initialize(protocolVersion = '2025-06-18') {
      const reply = await session.request('initialize', {
        protocolVersion, capabilities: {}, clientInfo: { name: 'raw-e2e', version: '1.0.0' },
      })
      await session.notify('notifications/initialized')
      return reply
    },
    /** Waits for the process to exit; rejects after `timeoutMs` (a hang guard, not a speed check). */
    async waitExit(timeoutMs = 10_000) {
      let timer
      const guard = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms\nstderr:\n${stderr.text}`)), timeoutMs)
      })
      try {
        return await Promise.race([exited, guard])
      } finally {
        clearTimeout(timer)
      }
    },
    async close(timeoutMs) {
      child.stdin.end()
      return session.waitExit(timeoutMs)
    },
    kill() {
      if (exit === null) child.kill('SIGKILL')
    },
  }
  return session
}

/** Runs the bin to completion with stdin closed at once; collects stdout, stderr and the exit. */
export async function runBin(args, env, { timeoutMs = 10_000 } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  child.stdin.on('error', () => {})
  child.stdin.end()
  let timer
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`bin ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr: ${stderr}`))
    }, timeoutMs)
  })
  try {
    const [code, signal] = await Promise.race([once(child, 'close'), guard])
    return { code, signal, stdout, stderr }
  } finally {
    clearTimeout(timer)
  }
}
