#!/usr/bin/env node
'use strict'
// The npm bin: load the native addon and hand control to Rust. Node adds nothing on the protocol
// path; stdin/stdout belong to the Rust server.

let addon
try {
  const platform = require('../lib/platform.js')
  addon = platform.loadNative()
  // `doctor` reports which binary this is and how it was found.
  const loaded = platform.loadedBinary()
  if (loaded) process.env.JUNGLEGRID_MCP_LOADED_BINARY = `${loaded.path} (${loaded.source === 'env' ? 'from NAPI_RS_NATIVE_LIBRARY_PATH' : loaded.source === 'package' ? 'from the platform package' : 'a local build'})`
} catch (error) {
  process.stderr.write(`junglegrid-mcp: ${error && error.message ? error.message : error}\n`)
  process.exit(1)
}

let stopping = false
function stop(signal) {
  if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143)
  stopping = true
  // Hosted, requests in flight get MCP_DRAIN_TIMEOUT_MS to finish and the server exits by itself;
  // shutdown() says how long to give it (10 s otherwise) before leaving anyway.
  const graceMs = addon.shutdown()
  setTimeout(() => process.exit(1), typeof graceMs === 'number' ? graceMs : 10000).unref()
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))

addon.runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`junglegrid-mcp: ${error && error.message ? error.message : error}\n`)
    process.exit(1)
  },
)
