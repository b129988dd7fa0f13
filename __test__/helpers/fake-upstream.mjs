// A local stand-in for the Jungle Grid REST API, speaking the contract exactly (the {ok, data}
// envelope, {ok:false, error:{code, message}} error bodies, status codes) and recording every
// request so tests can assert what the server sent. Also serves OAuth token introspection and a
// signed-URL storage endpoint (uploads and downloads), like the real deployment's neighbours.
import { createServer } from 'node:http'

export const API_KEY = 'jg_test_SECRET_abc123'
export const SERVICE_TOKEN = 'svc_SECRET_token'
export const UPLOAD_TOKEN = 'upl_SECRET_token'
export const SIGNATURE = 'X-Sig=SECRET_signature'

const ok = (data) => ({ ok: true, data })

/** Fixtures from the contract's test vectors (Part B 5.1). */
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

/** Routes of the contract: method, path pattern, fixture name. */
const ROUTES = [
  ['POST', /^\/v1\/mcp\/jobs\/estimate$/, 'estimate'],
  ['POST', /^\/v1\/mcp\/jobs$/, 'submit'],
  ['GET', /^\/v1\/mcp\/jobs$/, 'jobs'],
  ['GET', /^\/v1\/mcp\/jobs\/[^/]+$/, 'job'],
  ['GET', /^\/v1\/jobs\/[^/]+\/events$/, 'events'],
  ['GET', /^\/v1\/mcp\/jobs\/[^/]+\/logs$/, 'logs'],
  ['POST', /^\/v1\/mcp\/jobs\/[^/]+\/cancel$/, 'cancel'],
  ['GET', /^\/v1\/mcp\/jobs\/[^/]+\/artifacts$/, 'artifacts'],
  ['POST', /^\/v1\/mcp\/jobs\/[^/]+\/artifacts\/[^/]+\/download$/, 'download'],
  ['POST', /^\/v1\/job-inputs$/, 'upload'],
  ['GET', /^\/v1\/job-inputs$/, 'inputs'],
  ['POST', /^\/v1\/job-inputs\/[^/]+\/complete$/, 'complete'],
]

export class FakeUpstream {
  constructor() {
    this.requests = []
    this.overrides = [] // { route, status, headers, body, delayMs, times }
    this.inFlight = 0
    this.maxInFlight = 0
    this.delayMs = 0
    this.jobResponder = null // (id) => data, for per-id answers
    this.introspection = null // (token) => { status, body }
    this.stored = new Map() // storage key -> Buffer
    this.server = createServer((req, res) => this.#handle(req, res))
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.base = `http://127.0.0.1:${this.server.address().port}`
    this.fixtures = fixtures(this.base)
    return this
  }

  async stop() {
    this.server.closeAllConnections?.()
    await new Promise((resolve) => this.server.close(resolve))
  }

  reset() {
    this.requests = []
    this.overrides = []
    this.maxInFlight = 0
    this.delayMs = 0
    this.jobResponder = null
    this.introspection = null
    this.stored.clear()
    this.fixtures = fixtures(this.base)
  }

  /** The next `times` requests to `route` get this answer instead of the fixture. */
  override(route, { status = 200, headers = {}, body, delayMs = 0, times = 1 } = {}) {
    this.overrides.push({ route, status, headers, body, delayMs, times })
  }

  /** Recorded API requests (storage and introspection excluded unless asked). */
  apiRequests() {
    return this.requests.filter((r) => r.route !== 'storage' && r.route !== 'introspect')
  }

  #send(res, status, body, headers = {}) {
    if (body === undefined || status === 204) {
      res.writeHead(status, headers).end()
      return
    }
    const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text)
  }

  #handle(req, res) {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const raw = Buffer.concat(chunks)
      const url = new URL(req.url, this.base)
      const route =
        url.pathname === '/oauth/introspect' ? 'introspect'
          : url.pathname.startsWith('/storage/') ? 'storage'
            : (ROUTES.find(([m, re]) => m === req.method && re.test(url.pathname)) || [])[2] || 'unknown'
      let json
      try {
        json = raw.length ? JSON.parse(raw.toString('utf8')) : undefined
      } catch {
        json = undefined
      }
      const record = { method: req.method, url: req.url, path: url.pathname, query: url.search, headers: req.headers, body: json, raw: route === 'storage' ? raw.length : raw.toString('utf8'), route }
      this.requests.push(record)
      this.inFlight++
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
      try {
        await this.#respond(req, res, route, url, raw, json)
      } finally {
        this.inFlight--
      }
    })
  }

  async #respond(req, res, route, url, raw, json) {
    const wait = (ms) => new Promise((r) => setTimeout(r, ms))
    if (route === 'introspect') {
      const answer = this.introspection ? await this.introspection(json && json.token, req) : { status: 200, body: { active: false } }
      if (answer.delayMs) await wait(answer.delayMs)
      return this.#send(res, answer.status, answer.body)
    }
    if (route === 'storage') {
      const key = url.pathname.slice('/storage/'.length)
      if (!url.search.includes(SIGNATURE)) return this.#send(res, 403, 'signature required')
      if (req.method === 'PUT') {
        this.stored.set(key, raw)
        return this.#send(res, 200, undefined, { etag: '"etag-123"' })
      }
      if (req.method === 'GET') {
        const body = this.stored.get(key) ?? Buffer.from('hello world\n')
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body)
        return
      }
      return this.#send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'no' } })
    }
    const override = this.overrides.find((o) => o.route === route && o.times > 0)
    if (override) {
      override.times--
      if (override.delayMs) await wait(override.delayMs)
      return this.#send(res, override.status, override.body, override.headers)
    }
    if (this.delayMs) await wait(this.delayMs)
    if (req.headers.authorization !== `Bearer ${API_KEY}` && !this.acceptToken?.(req.headers.authorization)) {
      return this.#send(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'invalid or revoked api key' } })
    }
    if (route === 'unknown') return this.#send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'route not found' } })
    if (route === 'job' && this.jobResponder) {
      const id = decodeURIComponent(url.pathname.split('/').pop())
      return this.#send(res, 200, ok(this.jobResponder(id)))
    }
    if (route === 'complete') {
      const id = url.pathname.split('/')[3]
      return this.#send(res, 200, ok({ input: { input_id: id, filename: json && json.filename, size_bytes: json && json.size_bytes, status: 'uploaded', ready: true } }))
    }
    return this.#send(res, 200, ok(this.fixtures[route]))
  }
}

export async function startFakeUpstream() {
  return new FakeUpstream().start()
}
