// THE local stand-in for the Jungle Grid REST API used by every node test. It speaks the contract
// (upstream-contract.md, Part B 1.1-1.6): the `/v1/mcp/jobs...` routes, the public events route,
// `/v1/job-inputs`, the `{ok:true,data}` envelope, `{ok:false,error:{code,message}}` error bodies and a
// 401 for any bearer that is not the expected key. It also serves OAuth token introspection and a
// signed-URL storage endpoint (uploads and downloads), like the real deployment's neighbours.
//
// Every request is recorded exactly as received (method, raw path+query, headers, raw body text, the
// parsed JSON body, route name and path params), so tests assert what the server sent. Scripting:
//   override(route, answer, times)  the next `times` answers of `route` (status, headers, json / raw /
//                                   body, delayMs, destroy = drop the connection)
//   handle(route, fn)               a persistent answer: fn(record) returns an answer
//   jobResponder = (id) => data     per-id answers for GET /v1/mcp/jobs/:id
//   delay(ms, route = '*')          delay every answer of a route; `delayMs` = the same for all routes
//   gate(n, route = '*')            hold answers until n requests wait at once, then answer them all
//                                   (proves concurrency by state; a hang guard opens it after 15 s)
//   maxInFlight / inFlight          the high-water mark of concurrent requests
//   waitForRequests(n)              resolves once n requests arrived (wait for a state, not a time)
//   introspection / acceptToken     OAuth introspection answers and extra accepted bearers
//   stored (Map)                    the signed-URL storage: key -> Buffer
//   created                         creates that really happened (submit, upload), after
//                                   Idempotency-Key replays (contract Part A.11): { route, key, body }
//   reset()                         back to the fixtures, nothing recorded
// Keys with fewer scopes (READ_ONLY_KEY, ESTIMATE_ONLY_KEY, or `scopedKeys` given to the constructor)
// get the API's 403 `api key missing <scopes> scope` on routes their scopes do not cover (ROUTE_SCOPES,
// the seed's upstream route scopes); API_KEY has every scope.
// Route names: estimate submit jobs job events logs cancel artifacts download upload inputs complete,
// plus `introspect`, `storage` and `unknown`. The TS vector names (getJob, listJobs, createUpload,
// listInputs) are accepted as aliases wherever a route is named.
import { createServer } from 'node:http'

/** The key the fake API accepts; distinctive so a leak is easy to spot in logs. */
export const API_KEY = 'jg_test_SECRET_abc123'
/** The hosted deployment's service token (introspection caller). */
export const SERVICE_TOKEN = 'svc_SECRET_token'
/** The upload token returned by `POST /v1/job-inputs` (a secret: must never reach stderr). */
export const UPLOAD_TOKEN = 'upl_SECRET_token'
/** The signature in the signed upload/download URLs (a secret: must never reach stderr). */
export const SIGNATURE = 'X-Sig=SECRET_signature'

/** A key with only the read scopes (jobs:read, logs:read): lists, reads and estimates, never submits. */
export const READ_ONLY_KEY = 'jg_test_SECRET_readonly'
/** A key that may only estimate. */
export const ESTIMATE_ONLY_KEY = 'jg_test_SECRET_estimate'
const SCOPED_KEYS = { [READ_ONLY_KEY]: ['jobs:read', 'logs:read'], [ESTIMATE_ONLY_KEY]: ['jobs:estimate'] }

/** The scopes any one of which lets a key use a REST route (seed: "requires ... on the upstream API route"). */
export const ROUTE_SCOPES = {
  estimate: ['jobs:estimate', 'jobs:read', 'jobs:write'],
  submit: ['jobs:submit', 'jobs:write'],
  upload: ['jobs:submit', 'jobs:write'],
  complete: ['jobs:submit', 'jobs:write'],
  cancel: ['jobs:submit', 'jobs:write'],
  logs: ['logs:read', 'jobs:read', 'jobs:write'],
}
const READ_ROUTE_SCOPES = ['jobs:read', 'jobs:write']

const ok = (data) => ({ ok: true, data })

/** JSON with sorted object keys: equal bodies compare equal whatever their key order. */
const canonicalJson = (v) =>
  Array.isArray(v) ? `[${v.map(canonicalJson).join(',')}]`
    : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`
      : JSON.stringify(v)

/** The API's success bodies (the `data` of the envelope), from the contract's test vectors (Part B 5.1). */
export function fixtures(base) {
  return {
    estimate: {
      available: true, can_submit: true, likely_gpu_type: 'A100',
      classification: { workload_type: 'batch', requires_gpu: true },
      routing: { route_status: 'routable' }, capacity: { live_capacity_available: true },
      estimated_cost_usd: { min: 0.1, max: 0.2 },
    },
    submit: { job_id: 'job_123', status: 'queued', submitted_at: '2026-05-30T00:00:00Z' },
    upload: {
      upload: {
        input_id: 'inp_123', filename: 'audio.wav', method: 'PUT',
        upload_url: `${base}/storage/inp_123?${SIGNATURE}`, token: UPLOAD_TOKEN,
        expires_at: '2026-05-30T00:15:00Z', complete_url: '/v1/job-inputs/inp_123/complete',
      },
    },
    inputs: {
      inputs: [{ input_id: 'inp_123', filename: 'audio.wav', status: 'uploaded', ready: true, mount_path: '/workspace/inputs/audio.wav' }],
    },
    jobs: { jobs: [{ job_id: 'job_123', name: 'batch-1', status: 'completed' }], limit: 10, next_cursor: null, has_more: false },
    job: {
      job_id: 'job_123', status: 'running', phase: 'executing', actual_cost_usd: null,
      billing: { status: 'pending', total_spent_usd: 53.42525 },
      account_billing: { lifetime_total_spent_usd: 12.5 },
    },
    events: { job_id: 'job_123', items: [{ id: 'evt_1', title: 'Queued', message: 'Job queued', created_at: '2026-05-30T00:00:00Z', phase: 'workload_execution' }] },
    logs: { job_id: 'job_123', items: [{ message: 'started', level: 'info' }], next_cursor: null },
    cancel: { job_id: 'job_123', status: 'cancelled', cancelled: true },
    artifacts: { job_id: 'job_123', artifacts: [{ artifact_id: 'art_1', name: 'output.txt', ready: true, size_bytes: 12, mime_type: 'text/plain' }] },
    download: {
      job_id: 'job_123', artifact_id: 'art_1', artifact_name: 'output.txt', ready: true,
      download_url: `${base}/storage/art_1?${SIGNATURE}`, expires_at: '2026-05-30T00:15:00Z',
      artifact: { filename: 'output.txt' },
    },
  }
}

/**
 * The fuller bodies of the TS test vectors (5.1.4): every documented field of estimate, events,
 * inputs, jobs and the job, for tests that check the server passes a rich body through untouched.
 * Start the fake with `startFakeUpstream({ vectors: true })` to serve these (reset() keeps them).
 */
export function vectorFixtures(base) {
  return {
    estimate: {
      classification: {
        workload_type: 'batch', requires_gpu: true, acceleration_requirement: 'gpu', confidence: 0.92,
        reasons: ['batch workload with CUDA image'],
      },
      routing: { route_status: 'routable', selected_accelerator: 'gpu', selected_route_source: 'managed', selection_reason: 'lowest cost' },
      capacity: { live_capacity_available: true, live_candidate_count: 4, managed_capacity_available: true, managed_profile_count: 2, estimate_source: 'live' },
      estimated_cost_usd: { min: 0.1, max: 0.2 },
      can_submit: true,
    },
    inputs: {
      inputs: [{
        input_id: 'inp_123', filename: 'audio.wav', content_type: 'audio/wav', size_bytes: 12345, kind: 'input',
        status: 'uploaded', ready: true, mount_path: '/workspace/inputs/audio.wav',
      }],
    },
    jobs: {
      jobs: [{ job_id: 'job_123', name: 'batch-1', status: 'completed', workload_type: 'batch', created_at: '2026-05-30T00:00:00Z' }],
      limit: 10, next_cursor: null, has_more: false,
    },
    job: {
      job_id: 'job_123', status: 'running', phase: 'executing', actual_cost_usd: null,
      account_billing: { lifetime_total_spent_usd: 12.5 },
    },
    events: {
      job_id: 'job_123', status: 'running', phase: 'workload_execution',
      items: [{
        id: 'evt_1', type: 'phase_changed', title: 'Workload started', message: 'The workload command started.',
        created_at: '2026-05-30T00:01:00Z', phase: 'workload_execution',
      }],
    },
    logs: { logs: [{ message: 'started', level: 'info' }], next_cursor: null },
    artifacts: {
      job_id: 'job_123',
      artifacts: [{ artifact_id: 'artifact_1', name: 'output.txt', ready: true, size_bytes: 12, mime_type: 'text/plain' }],
    },
    download: {
      job_id: 'job_123', artifact_id: 'artifact_1', artifact_name: 'output.txt', ready: true,
      download_url: `${base}/storage/artifact_1?X-Amz-Expires=600&${SIGNATURE}`,
      expires_at: '2026-05-30T00:10:00Z',
      artifact: { artifact_id: 'artifact_1', filename: 'output.txt', size_bytes: 12, mime_type: 'text/plain' },
    },
  }
}

/** Routes of the contract, in the order of Part B 1.3: name, method, path pattern (params captured). */
export const ROUTE_TABLE = [
  ['estimate', 'POST', /^\/v1\/mcp\/jobs\/estimate$/],
  ['submit', 'POST', /^\/v1\/mcp\/jobs$/],
  ['jobs', 'GET', /^\/v1\/mcp\/jobs$/],
  ['job', 'GET', /^\/v1\/mcp\/jobs\/([^/]+)$/],
  ['events', 'GET', /^\/v1\/jobs\/([^/]+)\/events$/],
  ['logs', 'GET', /^\/v1\/mcp\/jobs\/([^/]+)\/logs$/],
  ['cancel', 'POST', /^\/v1\/mcp\/jobs\/([^/]+)\/cancel$/],
  ['artifacts', 'GET', /^\/v1\/mcp\/jobs\/([^/]+)\/artifacts$/],
  ['download', 'POST', /^\/v1\/mcp\/jobs\/([^/]+)\/artifacts\/([^/]+)\/download$/],
  ['upload', 'POST', /^\/v1\/job-inputs$/],
  ['inputs', 'GET', /^\/v1\/job-inputs$/],
  ['complete', 'POST', /^\/v1\/job-inputs\/([^/]+)\/complete$/],
]

/** The TS vectors' route names, accepted wherever a route is named. */
export const ROUTE_ALIASES = { getJob: 'job', listJobs: 'jobs', createUpload: 'upload', listInputs: 'inputs' }
const canonical = (route) => ROUTE_ALIASES[route] ?? route

export class FakeUpstream {
  /**
   * @param {{apiKey?: string, vectors?: boolean, scopedKeys?: Record<string, string[]>}} [options]
   *   vectors: serve vectorFixtures(); scopedKeys: more accepted keys, each with its scopes
   */
  constructor({ apiKey = API_KEY, vectors = false, scopedKeys = {} } = {}) {
    this.apiKey = apiKey
    this.scopedKeys = { ...SCOPED_KEYS, ...scopedKeys }
    this.vectors = vectors
    this.server = createServer((req, res) => this.#handle(req, res))
    this.server.keepAliveTimeout = 30_000
    this.sockets = new Set()
    this.timers = new Map() // pending delays: timer -> resolve, released on stop()
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    this.stored = new Map() // storage key -> Buffer
    this.reset()
  }

  /** Listens on `host` (loopback by default; another address gives a test a non-loopback base). */
  async start(host = '127.0.0.1') {
    await new Promise((resolve) => this.server.listen(0, host, resolve))
    this.port = this.server.address().port
    this.base = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`
    this.fixtures = this.#fixtures()
    return this
  }

  async stop() {
    for (const g of this.gates.values()) openGate(g)
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer)
      resolve()
    }
    this.timers.clear()
    this.server.closeAllConnections?.()
    for (const socket of this.sockets) socket.destroy()
    await new Promise((resolve) => this.server.close(resolve))
  }

  /** Back to the fixtures: no overrides, handlers, delays or responders, nothing recorded or stored. */
  reset() {
    for (const g of this.gates?.values() ?? []) openGate(g)
    this.gates = new Map()
    this.requests = []
    this.overrides = []
    this.handlers = new Map()
    this.delays = new Map()
    this.delayMs = 0
    this.inFlight = 0
    this.maxInFlight = 0
    this.waiters = []
    this.jobResponder = null // (id) => data, for per-id answers
    this.introspection = null // (token, req) => { status, body, delayMs }
    this.acceptToken = null // (authorizationHeader) => boolean, bearers accepted besides the key
    this.stored.clear()
    this.idempotency = new Map() // Idempotency-Key -> { fingerprint, answer } (contract Part A.11)
    this.created = []
    this.fixtures = this.#fixtures()
  }

  #fixtures() {
    return this.vectors ? { ...fixtures(this.base), ...vectorFixtures(this.base) } : fixtures(this.base)
  }

  /**
   * The next `times` requests to `route` get `answer` instead of the default.
   * answer: { status = 200, headers = {}, json, raw, body, delayMs = 0, destroy = false, times = 1 }
   *   json: a value sent as JSON; raw: a string sent as is (only the given headers); body: a string,
   *   Buffer or value sent with content-type application/json; none: an empty body;
   *   destroy: drop the connection without answering. `times` may be given as the third argument.
   * Overrides answer before the key is checked.
   */
  override(route, answer = {}, times = answer.times ?? 1) {
    this.overrides.push({ route: canonical(route), answer, left: times })
    return this
  }

  /** A persistent answer for `route`: fn(record) returns an answer (as for override), after the key check. */
  handle(route, fn) {
    this.handlers.set(canonical(route), fn)
    return this
  }

  /** Delays every answer of `route` ('*' for all routes) by `ms`. */
  delay(ms, route = '*') {
    this.delays.set(route === '*' ? '*' : canonical(route), ms)
    return this
  }

  /**
   * Holds the answers of `route` ('*' for all) until `n` requests are waiting at once, then releases
   * them all and stays open. If the server never has `n` requests in flight, the hang guard opens the
   * gate after `timeoutMs` and `maxInFlight` shows how many there were.
   */
  gate(n, route = '*', timeoutMs = 15_000) {
    const g = { n, waiting: [], open: false }
    g.timer = setTimeout(() => openGate(g), timeoutMs)
    this.gates.set(route === '*' ? '*' : canonical(route), g)
    return this
  }

  /** Recorded requests of one route. */
  requestsTo(route) {
    return this.requests.filter((r) => r.route === canonical(route))
  }

  /** Recorded API requests (storage and introspection excluded). */
  apiRequests() {
    return this.requests.filter((r) => r.route !== 'storage' && r.route !== 'introspect')
  }

  /** Resolves once at least `n` requests have arrived (a hang guard rejects after `timeoutMs`). */
  waitForRequests(n, timeoutMs = 15_000) {
    if (this.requests.length >= n) return Promise.resolve(this.requests)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake API saw ${this.requests.length} of ${n} requests`)), timeoutMs)
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve(this.requests)) })
    })
  }

  /** A delay that stop() cuts short, so a pending answer never keeps the test process alive. */
  #wait(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        resolve()
      }, ms)
      this.timers.set(timer, resolve)
    })
  }

  #route(method, path) {
    if (path === '/oauth/introspect') return { name: 'introspect', params: [] }
    if (path.startsWith('/storage/')) return { name: 'storage', params: [path.slice('/storage/'.length)] }
    for (const [name, m, re] of ROUTE_TABLE) {
      const match = re.exec(path)
      if (match && m === method) return { name, params: match.slice(1) }
    }
    return { name: 'unknown', params: [] }
  }

  #handle(req, res) {
    const arrivedAt = Date.now()
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    let done = false
    const finish = () => {
      if (!done) {
        done = true
        this.inFlight--
      }
    }
    res.on('close', finish)
    res.on('error', () => {})
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('error', () => {})
    req.on('end', () => {
      const bytes = Buffer.concat(chunks)
      const q = req.url.indexOf('?')
      const path = q === -1 ? req.url : req.url.slice(0, q)
      const query = q === -1 ? '' : req.url.slice(q)
      const { name, params } = this.#route(req.method, path)
      const raw = name === 'storage' ? bytes.length : bytes.toString('utf8')
      let body
      try {
        body = bytes.length && name !== 'storage' ? JSON.parse(raw) : undefined
      } catch {
        body = undefined
      }
      const record = { method: req.method, url: req.url, path, query, headers: req.headers, raw, body, route: name, params, at: arrivedAt }
      this.requests.push(record)
      for (const w of [...this.waiters]) {
        if (this.requests.length >= w.n) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve()
        }
      }
      this.#answer(req, res, record, bytes)
        .catch((error) => {
          if (!res.headersSent) res.writeHead(500).end(String(error))
        })
        .finally(finish)
    })
  }

  async #answer(req, res, record, bytes) {
    const { route } = record
    if (route === 'introspect') {
      const answer = this.introspection ? await this.introspection(record.body && record.body.token, req) : { status: 200, body: { active: false } }
      if (answer.delayMs) await this.#wait(answer.delayMs)
      return send(res, answer)
    }
    if (route === 'storage') {
      const key = record.params[0]
      if (!record.query.includes(SIGNATURE)) return send(res, { status: 403, body: 'signature required' })
      if (req.method === 'PUT') {
        this.stored.set(key, bytes)
        return send(res, { headers: { etag: '"etag-123"' } })
      }
      if (req.method === 'GET') {
        const body = this.stored.get(key) ?? Buffer.from('hello world\n')
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body)
        return
      }
      return send(res, { status: 405, body: { error: { code: 'METHOD_NOT_ALLOWED', message: 'no' } } })
    }
    const routeDelay = this.delays.get(route) ?? this.delays.get('*') ?? 0
    const override = this.overrides.find((o) => o.route === route && o.left > 0)
    let answer
    if (override) {
      override.left--
      answer = override.answer
    } else {
      if (this.delayMs) await this.#wait(this.delayMs)
      const auth = record.headers.authorization
      const scoped = this.scopedKeys[auth?.replace(/^Bearer /, '')]
      const needs = ROUTE_SCOPES[route] ?? READ_ROUTE_SCOPES
      if (auth !== `Bearer ${this.apiKey}` && !scoped && !this.acceptToken?.(auth)) {
        answer = { status: 401, json: { ok: false, error: { code: 'UNAUTHORIZED', message: 'invalid or revoked api key' } } }
      } else if (scoped && !needs.some((scope) => scoped.includes(scope))) {
        answer = { status: 403, json: { ok: false, error: { code: 'FORBIDDEN', message: `api key missing ${needs.join(' or ')} scope` } } }
      } else if (this.handlers.has(route)) {
        answer = await this.handlers.get(route)(record)
      } else if (route === 'unknown') {
        answer = { status: 404, json: { ok: false, error: { code: 'NOT_FOUND', message: 'route not found' } } }
      } else if (route === 'job' && this.jobResponder) {
        answer = { json: ok(this.jobResponder(decodeURIComponent(record.params[0]))) }
      } else if (route === 'submit' || route === 'upload') {
        // Idempotency-Key as the contract (Part A.11): same key and body -> the first answer again
        // with Idempotent-Replayed: true; same key, other body -> 409 IDEMPOTENCY_KEY_REUSED.
        const key = record.headers['idempotency-key']
        const fingerprint = `${route}\n${canonicalJson(record.body)}`
        const prior = key === undefined ? undefined : this.idempotency.get(key)
        if (prior && prior.fingerprint !== fingerprint) {
          answer = { status: 409, json: { ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was already used with a different request' } } }
        } else if (prior) {
          answer = { ...prior.answer, headers: { 'idempotent-replayed': 'true' } }
        } else {
          answer = { json: ok(this.fixtures[route]) }
          if (key !== undefined) this.idempotency.set(key, { fingerprint, answer })
          this.created.push({ route, key, body: record.body })
        }
      } else if (route === 'complete') {
        const id = record.params[0]
        const b = record.body
        answer = { json: ok({ input: { input_id: id, filename: b && b.filename, size_bytes: b && b.size_bytes, status: 'uploaded', ready: true } }) }
      } else {
        answer = { json: ok(this.fixtures[route]) }
      }
    }
    const g = this.gates.get(route) ?? this.gates.get('*')
    if (g && !g.open) {
      await new Promise((resolve) => {
        g.waiting.push(resolve)
        if (g.waiting.length >= g.n) openGate(g)
      })
    }
    const total = (answer.delayMs ?? 0) + routeDelay
    if (total) await this.#wait(total)
    if (answer.destroy) {
      res.socket?.destroy()
      return
    }
    send(res, answer)
  }
}

function openGate(g) {
  g.open = true
  clearTimeout(g.timer)
  for (const resolve of g.waiting.splice(0)) resolve()
}

/** Writes an answer: json (as JSON), raw (as is), body (string/Buffer/value, content-type JSON). */
function send(res, { status = 200, headers = {}, json, raw, body } = {}) {
  if (res.destroyed || res.writableEnded) return
  if (json !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json))
  } else if (raw !== undefined && status !== 204) {
    res.writeHead(status, headers).end(raw)
  } else if (body !== undefined && status !== 204) {
    const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text)
  } else {
    res.writeHead(status, headers).end()
  }
}

/** The answer for a successful MCP route: `{ok: true, data}`. */
export const okData = (data) => ({ json: ok(data) })

/** Starts the fake on 127.0.0.1 (a free port); options: apiKey (the accepted key), vectors. */
export async function startFakeUpstream(options) {
  return new FakeUpstream(options).start()
}

/** The same fake under the e2e suites' former name, serving the vector fixtures. */
export const FakeApi = FakeUpstream
export const startFakeApi = (options) => startFakeUpstream({ vectors: true, ...options })

/** A TCP port on 127.0.0.1 with nothing listening (for refused connections). */
export async function closedPort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}
