// A tiny real HTTP proxy on 127.0.0.1 that refuses everything, for the proxy error messages: it
// answers a CONNECT (https through HTTPS_PROXY) and a forwarded request (http through HTTP_PROXY)
// with `status` (407 Proxy Authentication Required by default, or e.g. 502), and records what it
// was asked (method, target, whether Proxy-Authorization came). Nothing is ever forwarded.
import { createServer } from 'node:http'

const REASONS = { 407: 'Proxy Authentication Required', 403: 'Forbidden', 502: 'Bad Gateway' }

export async function startRefusingProxy({ status = 407 } = {}) {
  const seen = []
  const server = createServer((req, res) => {
    seen.push({ method: req.method, target: req.url, proxyAuthorization: req.headers['proxy-authorization'] !== undefined })
    const headers = status === 407 ? { 'proxy-authenticate': 'Basic realm="test"' } : {}
    res.writeHead(status, headers).end()
  })
  server.on('connect', (req, socket) => {
    seen.push({ method: 'CONNECT', target: req.url, proxyAuthorization: req.headers['proxy-authorization'] !== undefined })
    const extra = status === 407 ? 'Proxy-Authenticate: Basic realm="test"\r\n' : ''
    socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Refused'}\r\n${extra}Content-Length: 0\r\n\r\n`)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    port,
    seen,
    close: () => {
      server.closeAllConnections?.()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}
