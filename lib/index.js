'use strict'
// The public JS API of @jungle-grid/mcp. Every API call goes through the Rust core (the native
// addon loaded by ../index.js); this file only names methods, raises proper Errors, and adds the
// polling/paging conveniences that are naturally JS (timers, AbortSignal, async iterators).

const native = require('./platform.js').loadNative()

const TERMINAL_STATUSES = Object.freeze(['completed', 'failed', 'rejected', 'cancelled'])

/** An error from Jungle Grid or from the client, with a stable `.code` and the HTTP `.status`. */
class JungleGridError extends Error {
  constructor(message, code, status) {
    super(message)
    this.name = 'JungleGridError'
    this.code = code
    this.status = status === null || status === undefined ? undefined : status
  }
}

function unwrap(outcome) {
  if (outcome && outcome.ok) return outcome.data
  const error = (outcome && outcome.error) || {}
  throw new JungleGridError(error.message || 'Unknown error', error.code || 'UNKNOWN', error.status)
}

function checkObject(value, name) {
  if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new JungleGridError(`${name} must be an object.`, 'INVALID_ARGUMENT')
  }
}

function abortError(signal) {
  const reason = signal && signal.reason
  const error = new JungleGridError(
    reason instanceof Error ? reason.message : 'The operation was aborted.',
    'ABORTED',
  )
  error.cause = reason
  return error
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(abortError(signal))
    const timer = setTimeout(done, ms)
    function done() {
      if (signal) signal.removeEventListener('abort', onAbort)
      resolve()
    }
    function onAbort() {
      clearTimeout(timer)
      reject(abortError(signal))
    }
    if (signal) signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** The arguments with `options.idempotencyKey` as `idempotency_key` (checked in Rust). */
function withKey(args, options) {
  if (options == null) return args
  checkObject(options, 'options')
  const { idempotencyKey } = options
  if (idempotencyKey === undefined) return args
  if (typeof idempotencyKey !== 'string') {
    throw new JungleGridError('idempotencyKey must be a string.', 'INVALID_ARGUMENT')
  }
  checkObject(args, 'arguments')
  return { ...(args || {}), idempotency_key: idempotencyKey }
}

class JungleGridClient {
  #native

  /**
   * @param {{ apiKey?: string, apiBase?: string, timeoutMs?: number, maxJobCostUsd?: number, confirmSubmit?: boolean }} [options]
   *   Each option falls back to the server's environment variable (JUNGLE_GRID_API_KEY,
   *   JUNGLEGRID_API_BASE / JUNGLE_GRID_API_URL, JUNGLE_GRID_TIMEOUT_MS,
   *   JUNGLE_GRID_MAX_JOB_COST_USD, JUNGLE_GRID_CONFIRM_SUBMIT). The library has no person to
   *   ask, so a submit that would need approval is refused (APPROVAL_REQUIRED).
   */
  constructor(options = {}) {
    checkObject(options, 'options')
    const { apiKey, apiBase, timeoutMs, maxJobCostUsd, confirmSubmit } = options || {}
    if (maxJobCostUsd !== undefined && (typeof maxJobCostUsd !== 'number' || !Number.isFinite(maxJobCostUsd) || maxJobCostUsd < 0)) {
      throw new JungleGridError('maxJobCostUsd must be a non-negative number of US dollars.', 'INVALID_ARGUMENT')
    }
    if (confirmSubmit !== undefined && typeof confirmSubmit !== 'boolean') {
      throw new JungleGridError('confirmSubmit must be a boolean.', 'INVALID_ARGUMENT')
    }
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
      throw new JungleGridError('timeoutMs must be a positive number of milliseconds.', 'INVALID_ARGUMENT')
    }
    for (const [name, value] of [['apiKey', apiKey], ['apiBase', apiBase]]) {
      if (value !== undefined && typeof value !== 'string') {
        throw new JungleGridError(`${name} must be a string.`, 'INVALID_ARGUMENT')
      }
    }
    this.#native = new native.NativeClient({ apiKey, apiBase, timeoutMs, maxJobCostUsd, confirmSubmit })
    const problem = this.#native.configError()
    if (problem) unwrap(problem)
  }

  /** The API base URL in use. */
  get apiBase() {
    return this.#native.apiBase()
  }

  async #call(tool, args) {
    checkObject(args, 'arguments')
    return unwrap(await this.#native.call(tool, args == null ? {} : args))
  }

  estimateJob(args) { return this.#call('estimate_job', args) }
  /** `options.idempotencyKey`: reuse it to retry safely, a new one to start another job. */
  submitJob(args, options) { return this.#call('submit_job', withKey(args, options)) }
  uploadJobInput(args, options) { return this.#call('upload_job_input', withKey(args, options)) }
  listJobInputs(args) { return this.#call('list_job_inputs', args) }
  listJobs(args) { return this.#call('list_jobs', args) }
  getJob(args) { return this.#call('get_job', args) }
  getJobEvents(args) { return this.#call('get_job_events', args) }
  getJobLogs(args) { return this.#call('get_job_logs', args) }
  cancelJob(args) { return this.#call('cancel_job', args) }
  listArtifacts(args) { return this.#call('list_artifacts', args) }
  getArtifact(args) { return this.#call('get_artifact', args) }

  /**
   * Creates an upload slot, PUTs the bytes to its signed URL (streamed from disk for a path) and
   * completes the upload. Resolves to the ready input (with its `input_id`).
   */
  async uploadFile(source, options = {}) {
    checkObject(options, 'options')
    const { filename, contentType, kind, idempotencyKey } = options || {}
    if (idempotencyKey !== undefined && typeof idempotencyKey !== 'string') {
      throw new JungleGridError('idempotencyKey must be a string.', 'INVALID_ARGUMENT')
    }
    const opts = { filename, contentType, kind, idempotencyKey }
    if (typeof source === 'string') return unwrap(await this.#native.uploadFile(source, undefined, opts))
    if (source instanceof Uint8Array) {
      const buffer = Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength)
      return unwrap(await this.#native.uploadFile(undefined, buffer, opts))
    }
    throw new JungleGridError('uploadFile needs a file path or a Buffer.', 'INVALID_ARGUMENT')
  }

  /**
   * Polls the job until it is completed, failed, rejected or cancelled and resolves with it.
   * Rejects with code TIMEOUT after `timeoutMs` (default 30 minutes) and ABORTED when `signal` aborts.
   */
  async waitForJob(jobId, options = {}) {
    checkObject(options, 'options')
    const { timeoutMs = 30 * 60 * 1000, pollIntervalMs = 5000, signal, onUpdate } = options || {}
    if (typeof jobId !== 'string' || jobId.trim() === '') {
      throw new JungleGridError('job_id is required.', 'INVALID_ARGUMENT')
    }
    if (!(timeoutMs > 0) || !(pollIntervalMs > 0)) {
      throw new JungleGridError('timeoutMs and pollIntervalMs must be positive numbers.', 'INVALID_ARGUMENT')
    }
    if (onUpdate !== undefined && typeof onUpdate !== 'function') {
      throw new JungleGridError('onUpdate must be a function.', 'INVALID_ARGUMENT')
    }
    const deadline = Date.now() + timeoutMs
    let interval = pollIntervalMs
    let last
    for (;;) {
      if (signal && signal.aborted) throw abortError(signal)
      const job = await this.getJob({ job_id: jobId })
      if (signal && signal.aborted) throw abortError(signal)
      const key = job ? `${job.status}|${job.execution_phase || job.phase || ''}|${job.status_message || ''}` : ''
      if (onUpdate && key !== last) onUpdate(job)
      last = key
      if (job && TERMINAL_STATUSES.includes(job.status)) return job
      const left = deadline - Date.now()
      if (left <= 0) {
        throw new JungleGridError(
          `Job ${jobId} did not finish within ${timeoutMs} ms (last status: ${job && job.status}).`,
          'TIMEOUT',
        )
      }
      await sleep(Math.min(interval, left), signal)
      interval = Math.min(interval * 1.5, Math.max(pollIntervalMs, 30000))
    }
  }

  /** Async iterator over every page of a job's logs (each page is what getJobLogs returns). */
  async *iterateLogs(jobId, options = {}) {
    checkObject(options, 'options')
    const { limit } = options || {}
    const seen = new Set()
    let cursor
    for (;;) {
      const args = { job_id: jobId }
      if (limit !== undefined) args.limit = limit
      if (cursor !== undefined) args.cursor = cursor
      const page = await this.getJobLogs(args)
      yield page
      const next = page ? page.next_cursor : undefined
      const items = page && Array.isArray(page.items) ? page.items : []
      if (next === undefined || next === null || next === '' || page.has_more === false || items.length === 0) return
      const key = String(next)
      if (seen.has(key)) return // the API repeated a cursor: stop rather than loop forever
      seen.add(key)
      cursor = next
    }
  }

  /**
   * Creates a temporary download URL for the artifact and streams its bytes to `destPath`.
   * Resolves to `{ path, bytes, artifact }` where `artifact` is what getArtifact returned.
   */
  async downloadArtifact(jobId, artifactId, destPath) {
    if (typeof destPath !== 'string' || destPath.trim() === '') {
      throw new JungleGridError('destPath is required.', 'INVALID_ARGUMENT')
    }
    const artifact = await this.getArtifact({ job_id: jobId, artifact_id: artifactId })
    const url = artifact && (artifact.download_url || artifact.url)
    if (typeof url !== 'string' || url === '') {
      throw new JungleGridError('The artifact has no download URL yet; is the job completed?', 'ARTIFACT_NOT_READY')
    }
    const bytes = unwrap(await this.#native.downloadTo(url, destPath))
    return { path: destPath, bytes, artifact }
  }
}

/**
 * Starts the embedded Jungle Grid simulator (offline, no account, no cost) on a random loopback
 * port. Resolves to `{ baseUrl, apiKey, stop() }`; pass baseUrl and apiKey to a JungleGridClient.
 */
async function startSandbox(options = {}) {
  checkObject(options, 'options')
  const { dir, timeScale } = options || {}
  if (timeScale !== undefined && !(typeof timeScale === 'number' && timeScale > 0)) {
    throw new JungleGridError('timeScale must be a positive number.', 'INVALID_ARGUMENT')
  }
  const sandbox = await native.startSandbox({ dir, timeScale })
  return { baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, stop: () => sandbox.stop() }
}

/**
 * Starts the hosted MCP server (Streamable HTTP on /mcp with OAuth) in this process. The hosted
 * configuration comes from the environment (JUNGLEGRID_INTERNAL_SERVICE_TOKEN is required).
 * Resolves to `{ url, port, stop() }`.
 */
async function startHttpServer(options = {}) {
  checkObject(options, 'options')
  const { port, host } = options || {}
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new JungleGridError('port must be an integer between 0 and 65535.', 'INVALID_ARGUMENT')
  }
  let server
  try {
    server = await native.startHttpServer({ port, host })
  } catch (error) {
    throw new JungleGridError(error.message, 'INVALID_ARGUMENT')
  }
  return { url: server.url, port: server.port, stop: () => server.stop() }
}

module.exports = {
  startHttpServer,
  startSandbox,
  JungleGridClient,
  JungleGridError,
  TERMINAL_STATUSES,
  startStdioServer: native.startStdioServer,
  runCli: native.runCli,
  shutdown: native.shutdown,
  version: native.version(),
}
