// Pure formatting helpers of the job view (no DOM): numbers, money, sizes, times, job shapes.

export const TERMINAL = new Set(['completed', 'failed', 'rejected', 'cancelled', 'canceled'])

export function isTerminal(status) {
  return typeof status === 'string' && TERMINAL.has(status.toLowerCase())
}

function finite(value) {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : null
}

/** `$0.12` (at least two decimals, more for small amounts), or null. */
export function usd(value) {
  const n = finite(value)
  if (n === null) return null
  const digits = n !== 0 && Math.abs(n) < 0.01 ? 4 : 2
  return `$${n.toFixed(digits)}`
}

/** An estimate as the API gives it: a number, `{min, max}`, or `{estimated_cost_usd}`. */
export function usdRange(value) {
  if (value && typeof value === 'object') {
    const low = usd(value.min ?? value.low)
    const high = usd(value.max ?? value.high)
    if (low && high) return low === high ? low : `${low}–${high}`
    return low || high || usd(value.estimated_cost_usd ?? value.usd)
  }
  return usd(value)
}

/** `1.5 MB` from a byte count, or null. */
export function bytes(value) {
  let n = finite(value)
  if (n === null || n < 0) return null
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let unit = 0
  while (n >= 1000 && unit < units.length - 1) {
    n /= 1000
    unit++
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[unit]}`
}

/** A clock time in the host's locale and time zone, or the raw text when it does not parse. */
export function clock(iso, locale, timeZone) {
  if (typeof iso !== 'string') return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  try {
    return new Intl.DateTimeFormat(locale || undefined, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZone: timeZone || undefined,
    }).format(date)
  } catch {
    return date.toISOString().slice(11, 19)
  }
}

export function text(value) {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

/**
 * What a tool result says about a job: `{ job, logs }` from `submit_job` and `get_job` (the job
 * itself) and `wait_for_job` (`{ job, logs }`), read from `structuredContent.data`, or from the
 * text form (the summary line, then the data as JSON) for hosts that pass only `content`.
 */
export function jobFromResult(result) {
  let data = result && result.structuredContent && result.structuredContent.data
  if (!data && result && Array.isArray(result.content)) {
    const block = result.content.find((c) => c && c.type === 'text' && typeof c.text === 'string')
    const newline = block ? block.text.indexOf('\n') : -1
    if (newline >= 0) {
      try {
        data = JSON.parse(block.text.slice(newline + 1))
      } catch {
        data = null
      }
    }
  }
  if (!data || typeof data !== 'object') return null
  if (data.job && typeof data.job === 'object') {
    return { job: data.job, logs: Array.isArray(data.logs) ? data.logs : null }
  }
  return { job: data, logs: null }
}

export function jobId(job) {
  return text(job && (job.job_id || job.id))
}

/** The first text block of a result (errors: `<tool> failed: ...`). */
export function resultText(result) {
  const block = result && Array.isArray(result.content) && result.content.find((c) => c && c.type === 'text')
  return block ? text(block.text) : ''
}

/** True for a sandbox job or result: the data says so, or the summary carries the notice. */
export function isSimulated(job, result) {
  if (job && (job.sandbox === true || job.simulated === true)) return true
  return /^\[sandbox[:\]]/.test(resultText(result))
}
