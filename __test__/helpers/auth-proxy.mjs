// A reverse proxy that adds `Authorization: Bearer <token>` to every request, for clients that
// cannot send one (the MCP conformance suite).
import { createServer, request as httpRequest } from 'node:http'

export async function authProxy(target, token) {
  const upstream = new URL(target)
  const server = createServer((req, res) => {
    // Host passes through unchanged, so the server's Host (DNS-rebinding) checks still apply.
    const headers = { ...req.headers, authorization: `Bearer ${token}` }
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode, up.headers)
      up.pipe(res)
    })
    out.on('error', () => res.writeHead(502).end())
    req.pipe(out)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }
}
