// The Jungle Grid job view (MCP Apps). It shows the job a tool result names (submit_job, get_job,
// wait_for_job), then follows it through tools/call until the job ends or the host tears the view
// down. Everything it shows is written with textContent: job names, events and logs are text an
// attacker may control. Signed artifact URLs are fetched on a click, handed to ui/open-link, and
// never shown, stored or sent to the model.

import { HostBridge } from './bridge.js'
import {
  bytes,
  clock,
  isSimulated,
  isTerminal,
  jobFromResult,
  jobId,
  resultText,
  text,
  usd,
  usdRange,
} from './format.js'

const VERSION = '1.0.0'
/** Polling starts fast and slows down while nothing changes, up to MAX. */
const POLL_FIRST_MS = 1500
const POLL_MAX_MS = 10_000
const LOG_LINES = 40
const LOG_PAGE = 200
const MAX_EVENTS = 50

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id))

const state = {
  jobId: '',
  job: /** @type {any} */ (null),
  simulated: false,
  events: /** @type {any[]} */ ([]),
  logs: /** @type {any[]} */ ([]),
  logCursor: /** @type {string | null} */ (null),
  artifacts: /** @type {any[] | null} */ (null),
  unavailable: new Set(),
  timer: /** @type {any} */ (0),
  delay: POLL_FIRST_MS,
  stopped: false,
  polling: false,
  lastStatus: '',
  lastContext: '',
}

const bridge = new HostBridge(window.parent, { name: 'junglegrid-job-view', version: VERSION })

// ---- host context: theme, styles, size ---------------------------------------------------------

function applyHostContext(context) {
  if (!context || typeof context !== 'object') return
  Object.assign(bridge.hostContext, context)
  const root = document.documentElement
  if (context.theme === 'light' || context.theme === 'dark') {
    root.dataset.theme = context.theme
    root.style.colorScheme = context.theme
  }
  const variables = context.styles && context.styles.variables
  if (variables && typeof variables === 'object') {
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith('--') && typeof value === 'string') root.style.setProperty(name, value)
    }
  }
  const dims = context.containerDimensions
  if (dims && typeof dims === 'object') {
    root.classList.toggle('fixed-height', typeof dims.height === 'number')
    if (typeof dims.maxHeight === 'number') root.style.maxHeight = `${dims.maxHeight}px`
  }
}

let lastSize = ''
function reportSize() {
  const root = document.documentElement
  const width = Math.ceil(root.getBoundingClientRect().width)
  const height = Math.ceil($('app').getBoundingClientRect().height)
  const size = `${width}x${height}`
  if (size === lastSize || height === 0) return
  lastSize = size
  bridge.notify('ui/notifications/size-changed', { width, height })
}

// ---- rendering -----------------------------------------------------------------------------

function setText(id, value) {
  const node = $(id)
  node.textContent = value
  node.hidden = !value
}

function showError(message) {
  setText('error', message)
}

function render() {
  const job = state.job || {}
  const status = text(job.status)
  const phase = text(job.execution_phase || job.phase)
  $('job-name').textContent = text(job.name) || (state.jobId ? 'Jungle Grid job' : 'Waiting for the job…')
  setText('job-id', state.jobId)
  const badge = $('status')
  badge.textContent = status ? (phase && phase !== status ? `${status} · ${phase.replaceAll('_', ' ')}` : status) : ''
  badge.hidden = !status
  badge.dataset.status = status.toLowerCase()
  $('simulated').hidden = !state.simulated
  setText('status-message', text(job.status_message || (job.failure && job.failure.message)))
  renderCost(job)
  renderTimeline()
  renderLogs()
  renderArtifacts()
  const ended = isTerminal(status)
  $('cancel').hidden = !state.jobId || ended || !status
  if (ended) hideConfirm(false)
  $('following').textContent = state.stopped
    ? ended
      ? `Job ${status}. No longer following.`
      : 'Stopped following.'
    : state.jobId
      ? 'Following the job…'
      : ''
  $('app').setAttribute('aria-busy', String(!state.job && !state.stopped))
}

function renderCost(job) {
  const list = $('cost')
  list.replaceChildren()
  const add = (label, value) => {
    if (!value) return
    const dt = document.createElement('dt')
    dt.textContent = label
    const dd = document.createElement('dd')
    dd.textContent = value
    list.append(dt, dd)
  }
  const billing = job.billing && typeof job.billing === 'object' ? job.billing : {}
  add('Estimate', usdRange(job.estimated_cost_usd))
  add('Billed', usd(job.actual_cost_usd ?? billing.actual_cost_usd))
  add('Billing', text(billing.status || billing.state).replaceAll('_', ' '))
  if (state.simulated && list.childElementCount) add('Charged', 'nothing (simulated)')
  $('cost-section').hidden = list.childElementCount === 0
}

function renderTimeline() {
  const list = $('timeline')
  list.replaceChildren()
  const { locale, timeZone } = bridge.hostContext
  for (const event of state.events.slice(-MAX_EVENTS)) {
    const item = document.createElement('li')
    const time = document.createElement('time')
    time.dateTime = text(event.created_at)
    time.textContent = clock(event.created_at, locale, timeZone)
    const title = document.createElement('span')
    title.className = 'event-title'
    title.textContent = text(event.title) || text(event.type).replaceAll('_', ' ')
    item.append(time, title)
    const message = text(event.message)
    if (message && message !== title.textContent) {
      const detail = document.createElement('span')
      detail.className = 'event-message'
      detail.textContent = message
      item.append(detail)
    }
    if (event.level === 'error' || event.level === 'warning') item.dataset.level = event.level
    list.append(item)
  }
  $('timeline-empty').hidden = state.events.length > 0
  $('timeline-empty').textContent = state.unavailable.has('get_job_events')
    ? 'Events are not available to this connection.'
    : 'No events yet.'
}

function renderLogs() {
  const pre = $('logs')
  const lines = state.logs.slice(-LOG_LINES).map((entry) => {
    const stream = text(entry.stream || entry.category)
    const prefix = stream === 'stderr' || stream === 'workload_stderr' ? '! ' : ''
    return prefix + text(entry.message ?? entry.line ?? entry.text)
  })
  // Stay at the newest line unless the reader scrolled up.
  const atEnd = pre.hidden || pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4
  pre.textContent = lines.join('\n')
  pre.hidden = lines.length === 0
  if (atEnd) pre.scrollTop = pre.scrollHeight
  $('logs-empty').hidden = lines.length > 0
  $('logs-empty').textContent = state.unavailable.has('get_job_logs')
    ? 'Logs are not available to this connection.'
    : 'No log lines yet.'
}

function renderArtifacts() {
  const list = $('artifacts')
  list.replaceChildren()
  for (const artifact of state.artifacts || []) {
    const id = text(artifact.artifact_id || artifact.id)
    const name = text(artifact.name || artifact.filename) || id
    const item = document.createElement('li')
    const label = document.createElement('span')
    label.className = 'artifact-name'
    label.textContent = name
    const size = document.createElement('span')
    size.className = 'muted'
    size.textContent = bytes(artifact.size_bytes) || ''
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = 'Download'
    button.setAttribute('aria-label', `Download ${name}`)
    const ready = artifact.ready !== false && artifact.status !== 'pending'
    button.disabled = !ready || !id
    button.addEventListener('click', () => download(id, name, button))
    item.append(label, size, button)
    list.append(item)
  }
  const empty = $('artifacts-empty')
  empty.hidden = !!(state.artifacts && state.artifacts.length)
  empty.textContent = state.unavailable.has('list_artifacts')
    ? 'Artifacts are not available to this connection.'
    : state.artifacts
      ? 'This job wrote no artifacts.'
      : 'Artifacts appear when the job completes.'
}

// ---- following the job ---------------------------------------------------------------------

/** One tools/call; a result with isError, or a refused call, throws with the server's text. */
async function call(name, args) {
  let result
  try {
    result = await bridge.callTool(name, args)
  } catch (error) {
    // -32602: the tool is not offered to this connection (filters, scopes): stop asking.
    if (/unknown tool|not offered|-32602/i.test(String(error.message))) state.unavailable.add(name)
    throw error
  }
  if (result && result.isError) {
    const message = resultText(result) || `${name} failed.`
    if (/FORBIDDEN/.test(message)) state.unavailable.add(name)
    throw new Error(message)
  }
  return result
}

function takeJob(job, result) {
  if (!job || typeof job !== 'object') return
  const id = jobId(job)
  if (id && !state.jobId) state.jobId = id
  if (id && id !== state.jobId) return
  state.job = { ...(state.job || {}), ...job }
  if (isSimulated(job, result)) state.simulated = true
}

function mergeLogs(entries) {
  if (!Array.isArray(entries)) return
  const seen = new Set(state.logs.map((e) => e.entry_id).filter(Boolean))
  for (const entry of entries) {
    if (!entry || typeof entry !== 'object') continue
    if (entry.entry_id && seen.has(entry.entry_id)) continue
    if (entry.entry_id) seen.add(entry.entry_id)
    state.logs.push(entry)
  }
  if (state.logs.length > LOG_LINES * 4) state.logs = state.logs.slice(-LOG_LINES * 2)
}

async function readLogs() {
  // Page forward from the last page read; the last page is read again next time (new lines
  // land there), and entry ids keep lines from repeating.
  for (let page = 0; page < 5; page++) {
    const args = { job_id: state.jobId, limit: LOG_PAGE }
    if (state.logCursor) args.cursor = state.logCursor
    const data = (await call('get_job_logs', args)).structuredContent?.data || {}
    mergeLogs(data.items)
    if (!data.has_more || data.next_cursor == null) return
    state.logCursor = String(data.next_cursor)
  }
}

async function readArtifacts() {
  const data = (await call('list_artifacts', { job_id: state.jobId })).structuredContent?.data || {}
  state.artifacts = Array.isArray(data.artifacts) ? data.artifacts : []
}

async function poll() {
  if (state.stopped || state.polling || !state.jobId) return
  state.polling = true
  const before = text(state.job && state.job.status)
  const tasks = [
    call('get_job', { job_id: state.jobId }).then((r) => takeJob(r.structuredContent?.data, r)),
  ]
  if (!state.unavailable.has('get_job_events')) {
    tasks.push(
      call('get_job_events', { job_id: state.jobId }).then((r) => {
        const items = r.structuredContent?.data?.items
        if (Array.isArray(items)) state.events = items
      }),
    )
  }
  if (!state.unavailable.has('get_job_logs')) tasks.push(readLogs())
  const outcomes = await Promise.allSettled(tasks)
  const failed = outcomes.find((o) => o.status === 'rejected')
  showError(outcomes[0].status === 'rejected' ? String(outcomes[0].reason.message) : '')
  if (state.stopped) return
  const status = text(state.job && state.job.status)
  const ended = isTerminal(status)
  if ((ended || (state.job && state.job.artifacts_ready)) && !state.unavailable.has('list_artifacts')) {
    await readArtifacts().catch(() => {})
  }
  state.polling = false
  if (state.stopped) return
  state.delay = status !== before ? POLL_FIRST_MS : Math.min(POLL_MAX_MS, state.delay * 1.5)
  if (failed) state.delay = Math.min(POLL_MAX_MS, state.delay * 2)
  if (ended) stop()
  render()
  updateModelContext()
  if (!state.stopped) schedule()
}

function schedule(delay = state.delay) {
  clearTimeout(state.timer)
  if (!state.stopped) state.timer = setTimeout(poll, delay)
}

function stop() {
  state.stopped = true
  clearTimeout(state.timer)
}

function follow(job, result, logs) {
  takeJob(job, result)
  if (logs) mergeLogs(logs)
  render()
  if (!state.jobId) return
  if (isTerminal(state.job && state.job.status)) {
    // One read for what a finished job has: events, the last lines, artifacts. Then stop.
    poll()
  } else {
    schedule(0)
  }
}

// ---- actions -------------------------------------------------------------------------------

function showConfirm() {
  const name = text(state.job && state.job.name)
  $('confirm-text').textContent = `Cancel ${name ? `"${name}" (${state.jobId})` : state.jobId}? The run stops and cannot be resumed.`
  $('confirm').hidden = false
  $('cancel').setAttribute('aria-expanded', 'true')
  $('confirm-no').focus()
  reportSize()
}

function hideConfirm(refocus = true) {
  if ($('confirm').hidden) return
  $('confirm').hidden = true
  $('cancel').setAttribute('aria-expanded', 'false')
  if (refocus && !$('cancel').hidden) $('cancel').focus()
}

async function cancelJob() {
  const yes = /** @type {HTMLButtonElement} */ ($('confirm-yes'))
  yes.disabled = true
  try {
    const result = await call('cancel_job', { job_id: state.jobId })
    const data = result.structuredContent?.data || {}
    setText('notice', text(data.message) || resultText(result).split('\n')[0])
    showError('')
    hideConfirm()
    if (state.stopped) return
    state.delay = POLL_FIRST_MS
    clearTimeout(state.timer)
    poll()
  } catch (error) {
    showError(String(error.message))
  } finally {
    yes.disabled = false
  }
}

async function download(artifactId, name, button) {
  if (!bridge.hostCapabilities.openLinks) {
    showError('This host cannot open links; ask the agent for the artifact instead.')
    return
  }
  button.disabled = true
  try {
    const result = await call('get_artifact', { job_id: state.jobId, artifact_id: artifactId })
    const url = result.structuredContent?.data?.download_url
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw new Error(`No download link for ${name}.`)
    await bridge.request('ui/open-link', { url })
    showError('')
  } catch (error) {
    showError(String(error.message))
  } finally {
    button.disabled = false
  }
}

/** A short line for the model (never logs, never URLs), sent when the status changes. */
function updateModelContext() {
  if (!bridge.hostCapabilities.updateModelContext || !state.job) return
  const job = state.job
  const status = text(job.status)
  if (!status || status === state.lastStatus) return
  state.lastStatus = status
  const name = text(job.name)
  const parts = [`The job view shows ${state.jobId}${name ? ` (${name.slice(0, 80)})` : ''}: ${status}`]
  const cost = usd(job.actual_cost_usd) || usdRange(job.estimated_cost_usd)
  if (cost) parts.push(`${job.actual_cost_usd != null ? 'billed' : 'estimated'} ${cost}`)
  if (state.artifacts) parts.push(`${state.artifacts.length} artifact(s)`)
  if (state.simulated) parts.push('simulated (sandbox)')
  const line = `${parts.join('; ')}.`
  if (line === state.lastContext) return
  state.lastContext = line
  bridge.request('ui/update-model-context', { content: [{ type: 'text', text: line }] }).catch(() => {})
}

// ---- wiring --------------------------------------------------------------------------------

bridge.on('ui/notifications/tool-input', (params) => {
  const args = (params && params.arguments) || {}
  const id = text(args.job_id || args.jobId).trim()
  if (id && !state.jobId) state.jobId = id
  if (!state.job && typeof args.name === 'string') state.job = { name: args.name }
  render()
})
bridge.on('ui/notifications/tool-result', (result) => {
  if (result && result.isError) {
    showError(resultText(result) || 'The tool call failed.')
    state.stopped = true
    render()
    return
  }
  const found = jobFromResult(result)
  if (!found) {
    showError('This result names no job.')
    return
  }
  follow(found.job, result, found.logs)
})
bridge.on('ui/notifications/tool-cancelled', (params) => {
  showError(`The tool call was cancelled${params && params.reason ? `: ${params.reason}` : '.'}`)
  stop()
  render()
})
bridge.on('ui/notifications/host-context-changed', (context) => {
  applyHostContext(context)
  render()
})
bridge.handle('ui/resource-teardown', () => {
  stop()
  render()
  bridge.close()
  return {}
})

$('cancel').addEventListener('click', showConfirm)
$('confirm-no').addEventListener('click', () => hideConfirm())
$('confirm-yes').addEventListener('click', cancelJob)
$('confirm').addEventListener('keydown', (event) => {
  if (event.key === 'Escape') hideConfirm()
})
document.addEventListener('visibilitychange', () => {
  // A hidden view does not poll; it catches up when shown again.
  if (document.hidden) clearTimeout(state.timer)
  else if (!state.stopped && state.jobId && !state.polling) schedule(0)
})

new ResizeObserver(() => reportSize()).observe($('app'))

bridge
  .connect({ availableDisplayModes: ['inline'] })
  .then((result) => {
    applyHostContext(result && result.hostContext)
    render()
    reportSize()
  })
  .catch((error) => showError(`Could not connect to the host: ${error.message}`))
