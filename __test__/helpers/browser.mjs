// The browser side of the view tests: a real headless Chromium (the npm package @sparticuz/chromium,
// a Chromium build that ships inside the package and needs no download of its own, driven by
// playwright-core), and a loopback web server playing the host: the host page with the reference
// host bridge of MCP Apps (__test__/browser/host.mjs) on http://127.0.0.1:<port>, the view on
// http://localhost:<port> (another origin, in a sandboxed iframe) under the Content-Security-Policy
// the MCP Apps spec has hosts build from the resource's `_meta.ui.csp`.
import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { needsSetup } from './setup.mjs'

const BROWSER_DIR = fileURLToPath(new URL('../browser/', import.meta.url))
const HOST_ENTRY = fileURLToPath(new URL('../browser/host.mjs', import.meta.url))

/** A package of __test__/browser (installed by npm run test:setup). */
export function importPeer(name) {
  const require = createRequire(`${BROWSER_DIR}package.json`)
  return import(pathToFileURL(require.resolve(name)).href)
}

/** Why the browser tests cannot run here (the setup step is missing), or false. */
export function browserSetupMissing() {
  return needsSetup(
    !existsSync(`${BROWSER_DIR}node_modules/@sparticuz/chromium`) &&
      'the browser test peers are not installed (run npm run test:setup)',
  )
}

/**
 * Headless Chromium from @sparticuz/chromium. Its default flags suit serverless functions; the
 * ones that would weaken what the tests check (web security, site isolation, insecure content),
 * and the single process a test suite cannot use, are dropped, and background networking is off (this machine reaches no network).
 */
export async function launchBrowser() {
  const { default: chromium } = await importPeer('@sparticuz/chromium')
  const driver = await importPeer('playwright-core')
  const playwright = driver.chromium ?? driver.default.chromium
  // --single-process (for serverless functions) ends the browser with its first closed page.
  const weakening = ['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--single-process']
  const args = chromium.args.filter((a) => !weakening.some((w) => a.startsWith(w)) && !a.startsWith('--disable-features='))
  args.push('--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync')
  return playwright.launch({ executablePath: await chromium.executablePath(), args, headless: true })
}

/** The CSP a host builds from `_meta.ui.csp` (the MCP Apps spec's construction; empty = its default). */
export function viewCsp(csp = {}) {
  const list = (v) => (Array.isArray(v) ? v.join(' ') : '')
  const res = list(csp.resourceDomains)
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${res}`,
    `style-src 'self' 'unsafe-inline' ${res}`,
    `connect-src 'self' ${list(csp.connectDomains)}`,
    `img-src 'self' data: ${res}`,
    `font-src 'self' ${res}`,
    `media-src 'self' data: ${res}`,
    `frame-src ${list(csp.frameDomains) || "'none'"}`,
    "object-src 'none'",
    `base-uri ${list(csp.baseUriDomains) || "'self'"}`,
  ].join('; ')
}

/**
 * Serves the host page and the views. `views` maps a path (`/view.html`) to `{ html, csp }`.
 * Returns { hostUrl, viewUrl(path), setView(path, view), stop() }.
 */
export async function startViewHost(views = {}) {
  const esbuild = await import('esbuild')
  const built = await esbuild.build({
    entryPoints: [HOST_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  })
  const hostScript = built.outputFiles[0].text
  const hostPage = `<!doctype html><html><head><meta charset="utf-8"><title>test host</title></head><body style="margin:0;background:#888"><script>${hostScript.replaceAll('</script', '<\\/script')}</script></body></html>`
  const table = new Map(Object.entries(views))
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    if (path === '/host.html' && req.headers.host?.startsWith('127.0.0.1:')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(hostPage)
      return
    }
    const view = table.get(path)
    if (view && req.headers.host?.startsWith('localhost:')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': viewCsp(view.csp) })
      res.end(view.html)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  return {
    hostUrl: `http://127.0.0.1:${port}/host.html`,
    viewUrl: (path) => `http://localhost:${port}${path}`,
    setView: (path, view) => table.set(path, view),
    stop: () => new Promise((resolve) => server.close(resolve)),
  }
}
