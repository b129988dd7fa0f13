// What every helper needs to start the server, in a module that imports no other helper (so the
// helpers form no import cycle: mcp.mjs and http-server.mjs both take these from here).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The npm bin, started exactly as a host starts it. */
export const BIN = fileURLToPath(new URL('../../bin/junglegrid-mcp.js', import.meta.url))
export const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
export const PKG = PACKAGE
/** The stateless protocol revision the v2 clients are pinned to. */
export const MODERN_PROTOCOL = '2026-07-28'
