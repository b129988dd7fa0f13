// THE client helper of every node test: spawns the server exactly as an MCP host does
// (`node bin/junglegrid-mcp.js` with an env block holding the key and the API base) and talks to it
// through:
//   - connectV1: the official TypeScript SDK v1 client (@modelcontextprotocol/sdk, 2025 revisions,
//     initialize handshake);
//   - connectV2: the official v2 client (@modelcontextprotocol/client) pinned to 2026-07-28
//     (stateless: server/discover at connect, per-request _meta);
//   - spawnRaw: a raw newline-delimited JSON-RPC pipe, for malformed input and process behaviour;
//   - runBin: the bin run to completion (flags such as --version, --help, doctor);
//   - stdioSuite: the before/after/afterEach of a suite (fake API + client) in one call.
//   - hosted mode (Streamable HTTP + OAuth), re-exported from ./http-server.mjs: startHosted,
//     connectHttp (v1), connectHttpV2 (2026-07-28), post (raw JSON-RPC), activeToken, roundRobin.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { after, afterEach, before, beforeEach } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js'
import { Client as ClientV2 } from '@modelcontextprotocol/client'
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio'
import { API_KEY, startFakeUpstream } from './fake-upstream.mjs'

export {
  activeToken, connectHttp, connectHttpV2, ISSUER, METADATA_URL, post, RESOURCE, roundRobin, startHosted,
} from './http-server.mjs'

export const BIN = fileURLToPath(new URL('../../bin/junglegrid-mcp.js', import.meta.url))
export const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
export const PKG = PACKAGE
export const MODERN_PROTOCOL = '2026-07-28'

/** The seed's tool registry, in the seed's order (contract Part A 1, Part B 3.3). */
export const SEED_TOOLS = [
  'estimate_job', 'submit_job', 'upload_job_input', 'list_job_inputs', 'list_jobs', 'get_job',
  'get_job_events', 'get_job_logs', 'cancel_job', 'list_artifacts', 'get_artifact',
]

/**
 * The env block a host passes: the key, the fake API base and JUNGLE_GRID_LOG=warn; nothing else
 * from the test process leaks in. `extra` wins over all of them; `undefined` removes a variable.
 */
export function hostEnv(upstream, extra = {}) {
  // --sandbox keeps its state in the user's home by default, shared by every process: tests keep
  // theirs in the process unless they say otherwise (the SDKs' stdio transports pass HOME on).
  const env = { PATH: process.env.PATH, JUNGLE_GRID_API_KEY: API_KEY, JUNGLE_GRID_LOG: 'warn', JUNGLE_GRID_SANDBOX_DIR: ':memory:' }
  if (upstream) env.JUNGLEGRID_API_BASE = upstream.base
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
 * Connects the v1 SDK client (2025 revisions). With `listTools: true` it calls tools/list once so the
 * SDK caches the output schemas and validates every later callTool result against them.
 * `bin` starts another server script instead of ours (the bench's TypeScript reference).
 * Returns { client, transport, pid, stderr(), call(name, args), close() }.
 */
export async function connectV1(upstream, { env = {}, args = [], listTools = false, bin = BIN, clientName = 'junglegrid-tests' } = {}) {
  const transport = new StdioV1({ command: process.execPath, args: [bin, ...args], env: hostEnv(upstream, env), stderr: 'pipe' })
  const stderr = collectStderr(transport.stderr)
  const client = new ClientV1({ name: clientName, version: '1.0.0' })
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

/**
 * Connects the v2 client pinned to protocol 2026-07-28 (no fallback to initialize); `listTools` as
 * for connectV1. Returns { client, transport, stderr(), call(name, args), close() }.
 */
export async function connectV2(upstream, { env = {}, args = [], listTools = false, clientName = 'junglegrid-tests-v2' } = {}) {
  const transport = new StdioV2({ command: process.execPath, args: [BIN, ...args], env: hostEnv(upstream, env), stderr: 'pipe' })
  const stderr = collectStderr(transport.stderr)
  const client = new ClientV2({ name: clientName, version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN_PROTOCOL } } })
  await client.connect(transport)
  if (listTools) await client.listTools()
  return {
    client,
    transport,
    stderr: () => stderr.text,
    call: (name, args) => client.callTool({ name, arguments: args }),
    close: () => client.close(),
  }
}

/**
 * The usual suite setup in one call, for use inside a `describe` (or at a file's top level):
 * before: start the fake API (`vectors` as for startFakeUpstream) and connect a client (`client`
 * 'v1' or 'v2', with `listTools`, `env`, `args`; `client: null` for the fake alone, when each test
 * spawns its own process); after: close both; afterEach: reset the fake unless
 * `reset: false`. `bind({ api, mcp })` runs once both are up (e.g. `(s) => ({ api, mcp } = s)`);
 * the returned object holds the same two fields.
 */
export function stdioSuite({ vectors = false, client = 'v1', listTools = false, env = {}, args = [], reset = true, clientName } = {}, bind = () => {}) {
  const suite = { api: null, mcp: null }
  before(async () => {
    suite.api = await startFakeUpstream({ vectors })
    if (client) suite.mcp = await (client === 'v2' ? connectV2 : connectV1)(suite.api, { listTools, env, args, ...(clientName ? { clientName } : {}) })
    bind(suite)
  })
  after(async () => {
    await suite.mcp?.close()
    await suite.api?.stop()
  })
  if (reset) afterEach(() => suite.api.reset())
  return suite
}

/**
 * `count` fake APIs for one describe (the API and another host, say): started before its tests,
 * reset before each, stopped after. `bind(apis)` runs once they are up (e.g.
 * `([a, b]) => { upstream = a; elsewhere = b }`); the returned array holds them too.
 */
export function fakeApis(count, bind = () => {}) {
  const apis = []
  before(async () => {
    for (let i = 0; i < count; i++) apis.push(await startFakeUpstream())
    bind(apis)
  })
  after(async () => {
    for (const api of apis.splice(0)) await api.stop()
  })
  beforeEach(() => apis.forEach((api) => api.reset()))
  return apis
}

/**
 * The bin on a raw pipe. `send` writes one line (a string as is, anything else as JSON);
 * `request` sends a request with a fresh id and resolves with its response; `next` waits for the
 * first stdout message matching a predicate. Every stdout line is kept in `lines`.
 * `exited` resolves with [code, signal]; `close()` ends stdin and resolves with the exit code;
 * `end(timeoutMs)` / `waitExit(timeoutMs)` resolve with { code, signal } (hang-guarded).
 */
export function spawnRaw(upstream, { env = {}, args = [] } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: hostEnv(upstream, env), stdio: ['pipe', 'pipe', 'pipe'] })
  const lines = []
  const waiters = []
  const stderr = collectStderr(child.stderr)
  let exit = null
  const exited = once(child, 'exit')
  const closed = once(child, 'close').then(([code, signal]) => (exit = { code, signal }))
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
    /** Writes one line; resolves once written (waits for drain). */
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
    async initialize(protocolVersion = '2025-06-18', clientInfo = { name: 'raw', version: '1' }) {
      const reply = await session.request('initialize', {
        protocolVersion, capabilities: {}, clientInfo,
      }, 'init')
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
        return await Promise.race([closed, guard])
      } finally {
        clearTimeout(timer)
      }
    },
    /** Ends stdin and resolves with the exit code (as an MCP host closing the pipe). */
    async close() {
      child.stdin.end()
      const [code] = await exited
      return code
    },
    /** Ends stdin and resolves with { code, signal }, hang-guarded. */
    async end(timeoutMs) {
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

/**
 * Waits for a state: resolves with the first truthy value of `condition()`, checked every `everyMs`.
 * `timeoutMs` is only a hang guard (the failure names `what`), never a speed check.
 */
export async function waitFor(condition, { timeoutMs = 15_000, everyMs = 10, what = 'condition' } = {}) {
  const guard = Date.now() + timeoutMs
  for (;;) {
    const value = await condition()
    if (value) return value
    if (Date.now() > guard) throw new Error(`waited ${timeoutMs} ms for ${typeof what === 'function' ? what() : what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** The text of a tool result (its text content blocks, joined by newlines). */
export const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n')

/** The first line of a result's text: the human summary (the data follows it as JSON). */
export const summaryLine = (result) => text(result).split('\n')[0]
