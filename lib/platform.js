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

/** The package.json version of this (root) package, which its binary package must match. */
function rootVersion() {
  try {
    return require('../package.json').version
  } catch {
    return 'unknown'
  }
}

/** What the resolver finds for the binary package: its folder and version, or why not. */
function probePackage(pkg) {
  let manifest
  try {
    manifest = require.resolve(`${pkg}/package.json`)
  } catch {
    return { installed: false }
  }
  const found = { installed: true, dir: require('node:path').dirname(manifest) }
  try {
    found.version = require(manifest).version
    require(pkg)
  } catch (error) {
    found.error = error && error.message ? String(error.message).split('\n')[0] : String(error)
  }
  return found
}

/**
 * An Error that says which binary was looked for (platform triple, package and version), the two
 * likely causes, the fixes, and the escape hatch (NAPI_RS_NATIVE_LIBRARY_PATH).
 */
function explainLoadError(cause) {
  const key = platformKey()
  const version = rootVersion()
  const pkg = `@jungle-grid/mcp-${key}`
  const spec = `${pkg}@${version}`
  const file = `junglegrid-mcp.${key}.node`
  const triple = SUPPORTED[key]
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH
  let lines
  if (override) {
    let reason = ''
    try {
      require(override)
    } catch (error) {
      reason = error && error.message ? String(error.message).split('\n')[0] : String(error)
    }
    lines = [
      `The native binary named by NAPI_RS_NATIVE_LIBRARY_PATH (${override}) could not be loaded${reason ? `: ${reason}` : ''}.`,
      `It must be an absolute path to a ${file} built for ${triple || key} and @jungle-grid/mcp ${version}.`,
      'Fix: correct the path, or unset NAPI_RS_NATIVE_LIBRARY_PATH to use the installed package.',
    ]
  } else if (triple) {
    const probe = probePackage(pkg)
    let found
    if (!probe.installed) found = 'it is not installed'
    else if (probe.version !== version) found = `found version ${probe.version} in ${probe.dir}, which does not match`
    else found = `found in ${probe.dir}, but it failed to load${probe.error ? `: ${probe.error}` : ''}`
    lines = [
      `The native binary for this machine could not be loaded (platform ${key}, target ${triple}, Node ${process.version}).`,
      `@jungle-grid/mcp ${version} looked for the package ${spec}: ${found}.`,
      'Likely causes:',
      '  1. npm skipped optional dependencies (`npm ci --omit=optional`, `--no-optional`, a lockfile made on another',
      '     platform, or npm/cli#4828 under `npx`).',
      `  2. ${spec} is not published for this platform (yet): check with \`npm view ${spec} version\`.`,
      'Fixes:',
      '  - reinstall with optional dependencies: `npm install --include=optional @jungle-grid/mcp`',
      '    (npx users: `rm -rf ~/.npm/_npx`, then `npx -y @jungle-grid/mcp` again);',
      `  - or install the binary package itself: \`npm install ${spec}\`;`,
      '  - or run a version that is published for this platform: `npx -y @jungle-grid/mcp@<version>`;',
      `  - or set NAPI_RS_NATIVE_LIBRARY_PATH to the absolute path of a ${file} (from the ${pkg} tarball).`,
    ]
  } else {
    lines = [
      `No prebuilt binary exists for this machine (platform ${key}, Node ${process.version}; looked for ${spec}).`,
      `Supported: ${Object.keys(SUPPORTED).join(', ')}.`,
      'To build from source: clone the repository and run `npm ci && npm run build` (needs Rust), then set',
      'NAPI_RS_NATIVE_LIBRARY_PATH to the absolute path of the .node file it writes.',
    ]
  }
  const error = new Error(lines.join('\n'))
  error.code = 'NATIVE_BINDING_NOT_FOUND'
  error.cause = cause
  return error
}

/**
 * Which binary file was loaded and how it was found: `env` (NAPI_RS_NATIVE_LIBRARY_PATH),
 * `package` (the @jungle-grid/mcp-<platform> package) or `local` (a build beside index.js).
 */
function loadedBinary() {
  const path = Object.keys(require.cache).find((k) => /junglegrid-mcp\.[\w-]+\.node$/.test(k))
  if (!path) return null
  let source = 'local'
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) source = 'env'
  else if (/[\\/]node_modules[\\/]@jungle-grid[\\/]mcp-[\w-]+[\\/]/.test(path)) source = 'package'
  return { path, source }
}

/** `require('../index.js')` with a helpful error. */
function loadNative() {
  try {
    return require('../index.js')
  } catch (cause) {
    throw explainLoadError(cause)
  }
}

module.exports = { platformKey, libcFamily, explainLoadError, loadNative, loadedBinary, SUPPORTED }
