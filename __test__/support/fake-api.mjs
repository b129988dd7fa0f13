// A local stand-in for the Jungle Grid REST API that speaks the contract (upstream-contract.md,
// Part B 1.1-1.6): the `/v1/mcp/jobs...` routes, the public events route, `/v1/job-inputs`, the
// `{ok:true,data}` envelope, `{ok:false,error:{code,message}}` error bodies and a 401 for any bearer
// that is not the expected key. Default bodies are the fixtures of the TS test vectors (Part B 5.1).
//
// Every request is recorded exactly as received (method, raw path+query, headers, raw body text and
// the parsed JSON body). Tests can script it: override the next answer(s) of a route (status,
// headers, raw or JSON body, delay, dropped connection), install a persistent per-route handler,
// delay every answer, read the maximum number of requests in flight at once, wait for N requests,
// and reset everything between tests.
import { createServer } from 'node:http'

/** The key the fake API accepts; distinctive so a leak is easy to spot in logs. */
export const API_KEY = 'jg_test_SECRET_abc123'
/** The upload token returned by `POST /v1/job-inputs` (a secret: must never reach stderr). */
export const UPLOAD_TOKEN = 'upl_tok_SECRET_f00dfeed'
/** The signature in the signed upload/download URLs (a secret: must never reach stderr). */
export const SIGNATURE = 'X-Amz-Signature=SIGSECRET9c2e77'

/** Route names, in the order of Part B 1.3. */
export const ROUTE_TABLE = [
  ['estimate', 'POST', /^\/v1\/mcp\/jobs\/estimate$/],
  ['submit', 'POST', /^\/v1\/mcp\/jobs$/],
  ['listJobs', 'GET', /^\/v1\/mcp\/jobs$/],
  ['getJob', 'GET', /^\/v1\/mcp\/jobs\/([^/]+)$/],
  ['events', 'GET', /^\/v1\/jobs\/([^/]+)\/events$/],
  ['logs', 'GET', /^\/v1\/mcp\/jobs\/([^/]+)\/logs$/],
  ['cancel', 'POST', /^\/v1\/mcp\/jobs\/([^/]+)\/cancel$/],
  ['artifacts', 'GET', /^\/v1\/mcp\/jobs\/([^/]+)\/artifacts$/],
  ['download', 'POST', /^\/v1\/mcp\/jobs\/([^/]+)\/artifacts\/([^/]+)\/download$/],
  ['createUpload', 'POST', /^\/v1\/job-inputs$/],
  ['listInputs', 'GET', /^\/v1\/job-inputs$/],
]

/** The API's success bodies (the `data` of the envelope), after the TS test vectors (5.1.4). */
export function fixtures() {
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
    submit: { job_id: 'job_123', status: 'queued', submitted_at: '2026-05-30T00:00:00Z' },
    createUpload: {
      upload: {
        input_id: 'inp_123',
        filename: 'audio.wav',
        method: 'PUT',
        upload_url: `https://storage.example.com/uploads/inp_123?X-Amz-Expires=900&${SIGNATURE}`,
        token: UPLOAD_TOKEN,
        expires_at: '2026-05-30T00:15:00Z',
        complete_url: '/v1/job-inputs/inp_123/complete',
      },
    },
    listInputs: {
      inputs: [{
        input_id: 'inp_123', filename: 'audio.wav', content_type: 'audio/wav', size_bytes: 12345, kind: 'input',
        status: 'uploaded', ready: true, mount_path: '/workspace/inputs/audio.wav',
      }],
    },
    listJobs: {
      jobs: [{ job_id: 'job_123', name: 'batch-1', status: 'completed', workload_type: 'batch', created_at: '2026-05-30T00:00:00Z' }],
      limit: 10, next_cursor: null, has_more: false,
    },
    getJob: {
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
    cancel: { job_id: 'job_123', status: 'cancelled', cancelled: true },
    artifacts: {
      job_id: 'job_123',
      artifacts: [{ artifact_id: 'artifact_1', name: 'output.txt', ready: true, size_bytes: 12, mime_type: 'text/plain' }],
    },
    download: {
      job_id: 'job_123', artifact_id: 'artifact_1', artifact_name: 'output.txt', ready: true,
      download_url: `https://storage.example.com/artifacts/artifact_1?X-Amz-Expires=600&${SIGNATURE}`,
      expires_at: '2026-05-30T00:10:00Z',
      artifact: { artifact_id: 'artifact_1', filename: 'output.txt', size_bytes: 12, mime_type: 'text/plain' },
    },
  }
}

export class FakeApi {
  /** @param {{apiKey?: string}} [options] */
  constructor({ apiKey = API_KEY } = {}) {
    this.apiKey = apiKey
    this.server = createServer((req, res) => this.#handle(req, res))
    this.server.keepAliveTimeout = 30_000
    this.sockets = new Set()
    this.timers = new Map() // pending delays: timer -> resolve, released on stop()
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    this.reset()
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = this.server.address().port
    this.base = `http://127.0.0.1:${this.port}`
    return this
  }

  async stop() {
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer)
      resolve()
    }
    this.timers.clear()
    for (const socket of this.sockets) socket.destroy()
    await new Promise((resolve) => this.server.close(resolve))
  }

  /** Back to the fixtures, no overrides, no delay, nothing recorded. In-flight answers still finish. */
  reset() {
    this.requests = []
    this.fixtures = fixtures()
    this.overrides = []
    this.handlers = new Map()
    this.delays = new Map()
    this.inFlight = 0
    this.maxInFlight = 0
    this.waiters = []
  }

  /**
   * The next `times` requests to `route` get `answer` instead of the default.
   * answer: { status = 200, headers = {}, json, raw, delayMs = 0, destroy = false }
   *   json: a value sent as JSON (content-type application/json); raw: a string sent as is;
   *   neither: an empty body; destroy: drop the connection without answering.
   */
  override(route, answer, times = 1) {
    this.overrides.push({ route, answer, left: times })
    return this
  }

  /** A persistent answer for `route`: fn(recordedRequest) returns an answer (as for override). */
  handle(route, fn) {
    this.handlers.set(route, fn)
    return this
  }

  /** Delays every answer of `route` ('*' for all routes) by `ms`. */
  delay(ms, route = '*') {
    this.delays.set(route, ms)
    return this
  }

  /** Recorded requests, optionally only those of one route. */
  requestsTo(route) {
    return this.requests.filter((r) => r.route === route)
  }

  /** Resolves once at least `n` requests have arrived. */
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
      const raw = Buffer.concat(chunks).toString('utf8')
      const q = req.url.indexOf('?')
      const path = q === -1 ? req.url : req.url.slice(0, q)
      const query = q === -1 ? '' : req.url.slice(q)
      const { name, params } = this.#route(req.method, path)
      let body
      try {
        body = raw.length ? JSON.parse(raw) : undefined
      } catch {
        body = undefined
      }
      const record = {
        method: req.method, url: req.url, path, query, headers: req.headers, raw, body,
        route: name, params, at: arrivedAt,
      }
      this.requests.push(record)
      for (const w of [...this.waiters]) {
        if (this.requests.length >= w.n) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve()
        }
      }
      this.#answer(record, res).catch((error) => {
        if (!res.headersSent) res.writeHead(500).end(String(error))
      })
    })
  }

  async #answer(record, res) {
    const delayMs = this.delays.get(record.route) ?? this.delays.get('*') ?? 0
    if (record.headers.authorization !== `Bearer ${this.apiKey}`) {
      if (delayMs) await this.#wait(delayMs)
      return send(res, { status: 401, json: { ok: false, error: { code: 'UNAUTHORIZED', message: 'invalid or revoked api key' } } })
    }
    const override = this.overrides.find((o) => o.route === record.route && o.left > 0)
    let answer
    if (override) {
      override.left--
      answer = override.answer
    } else if (this.handlers.has(record.route)) {
      answer = await this.handlers.get(record.route)(record)
    } else if (record.route === 'unknown') {
      answer = { status: 404, json: { ok: false, error: { code: 'NOT_FOUND', message: 'route not found' } } }
    } else {
      answer = { json: { ok: true, data: this.fixtures[record.route] } }
    }
    const total = (answer.delayMs ?? 0) + delayMs
    if (total) await this.#wait(total)
    if (answer.destroy) {
      res.socket?.destroy()
      return
    }
    send(res, answer)
  }
}

function send(res, { status = 200, headers = {}, json, raw } = {}) {
  if (res.destroyed || res.writableEnded) return
  if (json !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json))
  } else if (raw !== undefined && status !== 204) {
    res.writeHead(status, headers).end(raw)
  } else {
    res.writeHead(status, headers).end()
  }
}

/** The answer for a successful MCP route: `{ok: true, data}`. */
export const okData = (data) => ({ json: { ok: true, data } })

export async function startFakeApi(options) {
  return new FakeApi(options).start()
}

/** A TCP port on 127.0.0.1 with nothing listening (for refused connections). */
export async function closedPort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}
