'use strict'
// Which prebuilt binary package fits this machine, and a clear message when none could be loaded.

/** `musl` or `glibc` on Linux (as the generated loader decides), `null` elsewhere. */
function libcFamily() {
  if (process.platform !== 'linux') return null
  try {
    const report = process.report && process.report.getReport()
    if (report && report.header && report.header.glibcVersionRuntime) return 'glibc'
    if (report && Array.isArray(report.sharedObjects) && report.sharedObjects.some((f) => f.includes('musl'))) {
      return 'musl'
    }
  } catch {
    // fall through to the filesystem check
  }
  try {
    return require('node:fs').readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'glibc'
  } catch {
    return 'glibc'
  }
}

const SUPPORTED = {
  'linux-x64-gnu': 'x86_64-unknown-linux-gnu',
  'linux-arm64-gnu': 'aarch64-unknown-linux-gnu',
  'linux-x64-musl': 'x86_64-unknown-linux-musl',
  'linux-arm64-musl': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64-msvc': 'x86_64-pc-windows-msvc',
  'win32-arm64-msvc': 'aarch64-pc-windows-msvc',
}

/** The platform suffix of the binary package for this machine, e.g. `linux-x64-gnu`. */
function platformKey() {
  const { platform, arch } = process
  if (platform === 'linux') return `linux-${arch}-${libcFamily() === 'musl' ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/** An Error that says which package was looked for and how to fix the install. */
function explainLoadError(cause) {
  const key = platformKey()
  const pkg = `@jungle-grid/mcp-${key}`
  const supported = Object.prototype.hasOwnProperty.call(SUPPORTED, key)
  const lines = supported
    ? [
        `The native binary for this machine (${key}) could not be loaded: the package ${pkg} is missing or broken.`,
        'Fix: reinstall with optional dependencies enabled, e.g. `npm install --include=optional @jungle-grid/mcp`',
        '(npx users: clear the cache with `rm -rf ~/.npm/_npx` and run `npx -y @jungle-grid/mcp` again).',
      ]
    : [
        `No prebuilt binary exists for this machine (${key}; looked for ${pkg}).`,
        `Supported: ${Object.keys(SUPPORTED).join(', ')}. To build from source: clone the repository and run \`npm ci && npm run build\` (needs Rust).`,
      ]
  const error = new Error(lines.join('\n'))
  error.code = 'NATIVE_BINDING_NOT_FOUND'
  error.cause = cause
  return error
}

/** `require('../index.js')` with a helpful error. */
function loadNative() {
  try {
    return require('../index.js')
  } catch (cause) {
    throw explainLoadError(cause)
  }
}

module.exports = { platformKey, libcFamily, explainLoadError, loadNative, SUPPORTED }
