// A small client of the MCP Apps postMessage protocol (io.modelcontextprotocol/ui, 2026-01-26):
// JSON-RPC 2.0 with the host window, the `ui/initialize` handshake, requests with timeouts, and
// handlers for the host's notifications and requests. It is what the ext-apps `App` SDK does for
// this view, in about 2 KB instead of about 650 KB (the SDK bundles zod and the MCP client); the
// reference host bridge (`AppBridge`) checks it in __test__/views-job.test.mjs.

export const PROTOCOL_VERSION = '2026-01-26'

/** Requests the host has not answered in this time fail (a tools/call may hold a while). */
const REQUEST_TIMEOUT_MS = 60_000

export class HostBridge {
  /**
   * @param {Window} host the host window (window.parent)
   * @param {{ name: string, version: string }} appInfo
   */
  constructor(host, appInfo) {
    this.host = host
    this.appInfo = appInfo
    this.nextId = 1
    /** @type {Map<number, { resolve: Function, reject: Function, timer: any }>} */
    this.pending = new Map()
    /** @type {Map<string, Function>} */
    this.notificationHandlers = new Map()
    /** @type {Map<string, Function>} */
    this.requestHandlers = new Map()
    this.hostCapabilities = {}
    this.hostContext = {}
    this.closed = false
    this.onMessage = (event) => this.receive(event)
    window.addEventListener('message', this.onMessage)
  }

  /** Handles a host notification (`ui/notifications/...`). */
  on(method, handler) {
    this.notificationHandlers.set(method, handler)
  }

  /** Answers a host request (e.g. `ui/resource-teardown`); the handler's value is the result. */
  handle(method, handler) {
    this.requestHandlers.set(method, handler)
  }

  /** The handshake: `ui/initialize`, then `ui/notifications/initialized`. */
  async connect(appCapabilities) {
    const result = await this.request('ui/initialize', {
      protocolVersion: PROTOCOL_VERSION,
      appInfo: this.appInfo,
      appCapabilities,
    })
    this.hostCapabilities = (result && result.hostCapabilities) || {}
    this.hostContext = (result && result.hostContext) || {}
    this.notify('ui/notifications/initialized', {})
    return result
  }

  request(method, params) {
    if (this.closed) return Promise.reject(new Error('The view was closed.'))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${method}: no answer from the host.`))
      }, REQUEST_TIMEOUT_MS)
      this.pending.set(id, { resolve, reject, timer })
      this.post({ jsonrpc: '2.0', id, method, params })
    })
  }

  notify(method, params) {
    if (!this.closed) this.post({ jsonrpc: '2.0', method, params })
  }

  /** Calls a tool of this server through the host (`tools/call`). */
  callTool(name, args) {
    return this.request('tools/call', { name, arguments: args })
  }

  /** Stops talking: pending requests fail, later messages are ignored. */
  close() {
    this.closed = true
    window.removeEventListener('message', this.onMessage)
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer)
      reject(new Error('The view was closed.'))
    }
    this.pending.clear()
  }

  post(message) {
    // The view runs in a sandboxed frame with an opaque origin and cannot name the host's origin;
    // it sends only to its own parent and accepts messages only from it (receive).
    this.host.postMessage(message, '*')
  }

  receive(event) {
    if (event.source !== this.host) return
    const message = event.data
    if (!message || typeof message !== 'object' || message.jsonrpc !== '2.0') return
    if (typeof message.method === 'string') {
      if (message.id !== undefined && message.id !== null) this.answer(message)
      else this.dispatch(message)
      return
    }
    const pending = this.pending.get(message.id)
    if (!pending) return
    this.pending.delete(message.id)
    clearTimeout(pending.timer)
    if (message.error) {
      const text = typeof message.error.message === 'string' ? message.error.message : 'Request failed.'
      pending.reject(new Error(text))
    } else {
      pending.resolve(message.result)
    }
  }

  dispatch(message) {
    const handler = this.notificationHandlers.get(message.method)
    if (handler) handler(message.params || {})
  }

  async answer(message) {
    const handler = this.requestHandlers.get(message.method)
    if (message.method === 'ping') {
      this.post({ jsonrpc: '2.0', id: message.id, result: {} })
      return
    }
    if (!handler) {
      this.post({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32601, message: `Method not found: ${message.method}` },
      })
      return
    }
    try {
      const result = await handler(message.params || {})
      this.post({ jsonrpc: '2.0', id: message.id, result: result || {} })
    } catch (error) {
      this.post({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32603, message: String((error && error.message) || error) },
      })
    }
  }
}
