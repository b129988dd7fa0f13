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

/** Any failure as a JungleGridError (native and runtime errors included). */
function asJungleGridError(error, code = 'INTERNAL') {
  if (error instanceof JungleGridError) return error
  const wrapped = new JungleGridError(error && error.message ? String(error.message) : String(error), code)
  wrapped.cause = error
  return wrapped
}

function invalid(message) {
  return new JungleGridError(message, 'INVALID_ARGUMENT')
}

/** An option the caller set on the object itself: inherited (possibly polluted) values are ignored. */
function own(options, key) {
  return options !== null && typeof options === 'object' && Object.prototype.hasOwnProperty.call(options, key)
    ? options[key]
    : undefined
}

function checkObject(value, name) {
  if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw invalid(`${name} must be an object.`)
  }
}

function checkOptionalString(value, name) {
  if (value !== undefined && typeof value !== 'string') throw invalid(`${name} must be a string.`)
}

function checkSignal(signal, name = 'signal') {
  if (signal === undefined || signal === null) return
  if (signal === null || typeof signal !== 'object' || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean') {
    throw invalid(`${name} must be an AbortSignal.`)
  }
}

function isPlainObject(value) {
  const proto = Object.getPrototypeOf(value)
  return proto === null || Object.getPrototypeOf(proto) === null
}

/**
 * `value` as JSON text, or an INVALID_ARGUMENT error naming the offending field: BigInt, functions,
 * symbols, non-finite numbers, class instances and cycles are not JSON data. Only own enumerable
 * properties are read.
 */
function toJsonText(value, name) {
  const seen = new Set()
  function walk(v, path) {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v
      case 'undefined':
        return undefined
      case 'number':
        if (!Number.isFinite(v)) throw invalid(`${path} must be a finite number.`)
        return v
      case 'bigint':
        throw invalid(`${path} is a BigInt; pass a number or a string.`)
      case 'function':
        throw invalid(`${path} is a function; pass JSON data.`)
      case 'symbol':
        throw invalid(`${path} is a symbol; pass JSON data.`)
      default:
        break
    }
    if (v === null) return null
    if (seen.has(v)) throw invalid(`${path} refers back to itself (a cycle); pass JSON data.`)
    if (!Array.isArray(v) && !isPlainObject(v)) {
      throw invalid(`${path} must be a plain object, array or value (got ${v.constructor && v.constructor.name ? v.constructor.name : 'an object'}).`)
    }
    seen.add(v)
    let out
    if (Array.isArray(v)) {
      out = []
      for (let i = 0; i < v.length; i++) {
        const item = walk(v[i], `${path}[${i}]`)
        out.push(item === undefined ? null : item)
      }
    } else {
      out = {}
      for (const key of Object.keys(v)) {
        const item = walk(v[key], `${path}.${key}`)
        if (item !== undefined) {
          Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true })
        }
      }
    }
    seen.delete(v)
    return out
  }
  try {
    return JSON.stringify(walk(value, name))
  } catch (error) {
    throw asJungleGridError(error, 'INVALID_ARGUMENT')
  }
}

/** A native outcome (JSON text): parsed like JSON.parse, so keys such as `__proto__` stay data. */
function parseOutcome(text) {
  return unwrap(JSON.parse(text))
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

/**
 * Runs one native call. With a signal, the call gets a cancellation handle: aborting stops the
 * request in flight (not just the wait for it) and rejects at once with ABORTED.
 */
async function invoke(signal, start) {
  if (signal && signal.aborted) throw abortError(signal)
  if (!signal) {
    try {
      return parseOutcome(await start(undefined))
    } catch (error) {
      throw asJungleGridError(error)
    }
  }
  const id = native.createCancel()
  let onAbort
  const aborted = new Promise((_, reject) => {
    onAbort = () => {
      native.cancel(id)
      reject(abortError(signal))
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    const pending = Promise.resolve().then(() => start(id))
    pending.catch(() => {})
    return parseOutcome(await Promise.race([pending, aborted]))
  } catch (error) {
    throw asJungleGridError(error)
  } finally {
    signal.removeEventListener('abort', onAbort)
    native.cancel(id)
  }
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
  checkObject(options, 'options')
  const idempotencyKey = own(options, 'idempotencyKey')
  if (idempotencyKey === undefined) return args
  checkOptionalString(idempotencyKey, 'idempotencyKey')
  checkObject(args, 'arguments')
  // Not plain data: left for toJsonText to refuse with its usual message.
  if (args != null && !isPlainObject(args)) return args
  // Only the caller's own properties, as toJsonText reads them.
  const merged = Object.create(null)
  if (args != null) for (const name of Object.keys(args)) merged[name] = args[name]
  merged.idempotency_key = idempotencyKey
  return merged
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
    const apiKey = own(options, 'apiKey')
    const apiBase = own(options, 'apiBase')
    const timeoutMs = own(options, 'timeoutMs')
    const maxJobCostUsd = own(options, 'maxJobCostUsd')
    const confirmSubmit = own(options, 'confirmSubmit')
    if (maxJobCostUsd !== undefined && (typeof maxJobCostUsd !== 'number' || !Number.isFinite(maxJobCostUsd) || maxJobCostUsd < 0)) {
      throw invalid('maxJobCostUsd must be a non-negative number of US dollars.')
    }
    if (confirmSubmit !== undefined && typeof confirmSubmit !== 'boolean') {
      throw invalid('confirmSubmit must be a boolean.')
    }
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
      throw invalid('timeoutMs must be a positive number of milliseconds.')
    }
    checkOptionalString(apiKey, 'apiKey')
    checkOptionalString(apiBase, 'apiBase')
    // A prototype-less object: the addon cannot pick up a polluted Object.prototype.apiBase.
    const nativeOptions = Object.create(null)
    if (apiKey !== undefined) nativeOptions.apiKey = apiKey
    if (apiBase !== undefined) nativeOptions.apiBase = apiBase
    if (timeoutMs !== undefined) nativeOptions.timeoutMs = timeoutMs
    if (maxJobCostUsd !== undefined) nativeOptions.maxJobCostUsd = maxJobCostUsd
    if (confirmSubmit !== undefined) nativeOptions.confirmSubmit = confirmSubmit
    try {
      this.#native = new native.NativeClient(nativeOptions)
    } catch (error) {
      throw asJungleGridError(error, 'INVALID_ARGUMENT')
    }
    const problem = this.#native.configError()
    if (problem) unwrap(problem)
  }

  /** The API base URL in use. */
  get apiBase() {
    return this.#native.apiBase()
  }

  async #call(tool, args, options) {
    checkObject(args, 'arguments')
    checkObject(options, 'options')
    const signal = own(options, 'signal')
    checkSignal(signal)
    const text = toJsonText(args == null ? {} : args, 'arguments')
    return invoke(signal, (cancelId) => this.#native.call(tool, text, cancelId))
  }

  // Each method takes its tool's arguments and, optionally, `{ signal }` to abort the request.
  // submitJob and uploadJobInput also take `options.idempotencyKey`: reuse it to retry safely, a
  // new one to start another job.
  estimateJob(args, options) { return this.#call('estimate_job', args, options) }
  submitJob(args, options) { return this.#call('submit_job', withKey(args, options), options) }
  uploadJobInput(args, options) { return this.#call('upload_job_input', withKey(args, options), options) }
  listJobInputs(args, options) { return this.#call('list_job_inputs', args, options) }
  listJobs(args, options) { return this.#call('list_jobs', args, options) }
  getJob(args, options) { return this.#call('get_job', args, options) }
  getJobEvents(args, options) { return this.#call('get_job_events', args, options) }
  getJobLogs(args, options) { return this.#call('get_job_logs', args, options) }
  cancelJob(args, options) { return this.#call('cancel_job', args, options) }
  listArtifacts(args, options) { return this.#call('list_artifacts', args, options) }
  getArtifact(args, options) { return this.#call('get_artifact', args, options) }

  /**
   * Creates an upload slot, PUTs the bytes to its signed URL (streamed from disk for a path) and
   * completes the upload. Resolves to the ready input (with its `input_id`).
   */
  async uploadFile(source, options = {}) {
    checkObject(options, 'options')
    const opts = Object.create(null)
    for (const name of ['filename', 'contentType', 'kind', 'idempotencyKey']) {
      const value = own(options, name)
      checkOptionalString(value, name)
      if (value !== undefined) opts[name] = value
    }
    const signal = own(options, 'signal')
    checkSignal(signal)
    if (typeof source === 'string') {
      return invoke(signal, (cancelId) => this.#native.uploadFile(source, undefined, opts, cancelId))
    }
    if (source instanceof Uint8Array) {
      const buffer = Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength)
      return invoke(signal, (cancelId) => this.#native.uploadFile(undefined, buffer, opts, cancelId))
    }
    throw invalid('uploadFile needs a file path or a Buffer.')
  }

  /**
   * Polls the job until it is completed, failed, rejected or cancelled and resolves with it.
   * Rejects with code TIMEOUT after `timeoutMs` (default 30 minutes) and ABORTED when `signal` aborts.
   */
  async waitForJob(jobId, options = {}) {
    checkObject(options, 'options')
    const timeoutMs = own(options, 'timeoutMs') === undefined ? 30 * 60 * 1000 : own(options, 'timeoutMs')
    const pollIntervalMs = own(options, 'pollIntervalMs') === undefined ? 5000 : own(options, 'pollIntervalMs')
    const signal = own(options, 'signal')
    const onUpdate = own(options, 'onUpdate')
    if (typeof jobId !== 'string' || jobId.trim() === '') {
      throw invalid('job_id is required.')
    }
    for (const [name, value] of [['timeoutMs', timeoutMs], ['pollIntervalMs', pollIntervalMs]]) {
      if (typeof value !== 'number' || !(value > 0)) throw invalid(`${name} must be a positive number.`)
    }
    if (onUpdate !== undefined && typeof onUpdate !== 'function') {
      throw invalid('onUpdate must be a function.')
    }
    checkSignal(signal)
    const deadline = Date.now() + timeoutMs
    let interval = pollIntervalMs
    let last
    for (;;) {
      if (signal && signal.aborted) throw abortError(signal)
      const job = await this.getJob({ job_id: jobId }, signal ? { signal } : undefined)
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
    const limit = own(options, 'limit')
    const signal = own(options, 'signal')
    checkSignal(signal)
    const seen = new Set()
    let cursor
    for (;;) {
      const args = { job_id: jobId }
      if (limit !== undefined) args.limit = limit
      if (cursor !== undefined) args.cursor = cursor
      const page = await this.getJobLogs(args, signal ? { signal } : undefined)
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
   * An existing file is never replaced unless `options.overwrite` is true; the bytes go to a
   * temporary file beside it first, so `destPath` is never left half-written.
   */
  async downloadArtifact(jobId, artifactId, destPath, options = {}) {
    checkObject(options, 'options')
    const signal = own(options, 'signal')
    checkSignal(signal)
    if (typeof jobId !== 'string') throw invalid('jobId must be a string.')
    if (typeof artifactId !== 'string') throw invalid('artifactId must be a string.')
    if (typeof destPath !== 'string' || destPath.trim() === '') {
      throw invalid('destPath is required.')
    }
    const overwrite = own(options, 'overwrite')
    if (overwrite !== undefined && typeof overwrite !== 'boolean') {
      throw invalid('overwrite must be true or false.')
    }
    const artifact = await this.getArtifact({ job_id: jobId, artifact_id: artifactId }, signal ? { signal } : undefined)
    const url = artifact && (artifact.download_url || artifact.url)
    if (typeof url !== 'string' || url === '') {
      throw new JungleGridError('The artifact has no download URL yet; is the job completed?', 'ARTIFACT_NOT_READY')
    }
    const bytes = await invoke(signal, (cancelId) => this.#native.downloadTo(url, destPath, overwrite === true, cancelId))
    return { path: destPath, bytes, artifact }
  }
}

/**
 * Starts the embedded Jungle Grid simulator (offline, no account, no cost) on a random loopback
 * port. Resolves to `{ baseUrl, apiKey, stop() }`; pass baseUrl and apiKey to a JungleGridClient.
 */
async function startSandbox(options = {}) {
  checkObject(options, 'options')
  const dir = own(options, 'dir')
  const timeScale = own(options, 'timeScale')
  if (timeScale !== undefined && !(typeof timeScale === 'number' && timeScale > 0 && Number.isFinite(timeScale))) {
    throw invalid('timeScale must be a positive number.')
  }
  checkOptionalString(dir, 'dir')
  const nativeOptions = Object.create(null)
  if (dir !== undefined) nativeOptions.dir = dir
  if (timeScale !== undefined) nativeOptions.timeScale = timeScale
  let sandbox
  try {
    sandbox = await native.startSandbox(nativeOptions)
  } catch (error) {
    throw asJungleGridError(error, 'SANDBOX_START_FAILED')
  }
  return { baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, stop: () => sandbox.stop() }
}

/**
 * Starts the hosted MCP server (Streamable HTTP on /mcp with OAuth) in this process. The hosted
 * configuration comes from the environment (JUNGLEGRID_INTERNAL_SERVICE_TOKEN is required).
 * Resolves to `{ url, port, stop() }`.
 */
async function startHttpServer(options = {}) {
  checkObject(options, 'options')
  const port = own(options, 'port')
  const host = own(options, 'host')
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw invalid('port must be an integer between 0 and 65535.')
  }
  checkOptionalString(host, 'host')
  const nativeOptions = Object.create(null)
  if (port !== undefined) nativeOptions.port = port
  if (host !== undefined) nativeOptions.host = host
  let server
  try {
    server = await native.startHttpServer(nativeOptions)
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
