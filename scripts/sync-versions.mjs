#!/usr/bin/env node
// Keeps every version in step with package.json: Cargo.toml (the core reports it as serverInfo
// version), each npm/<target>/package.json (with the root's repository, homepage, bugs, license and
// engines, which `npm publish --provenance` and the registry pages need) and server.json (the MCP
// Registry listing: its version, the npm package's version, and its name = package.json mcpName).
// Usage: node scripts/sync-versions.mjs [--check] [--optional] [--print-optional]
//   --check           exit 1 if anything is out of step, change nothing
//   --optional        also write the root optionalDependencies on the eight platform packages.
//                     Done at publish time only (as `napi pre-publish` does): until the platform
//                     packages exist on the registry, npm cannot record them in package-lock.json,
//                     and `npm ci` would refuse the lockfile.
//   --print-optional  print those optionalDependencies as JSON, change nothing
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const check = process.argv.includes('--check')
const withOptional = process.argv.includes('--optional')
const printOptional = process.argv.includes('--print-optional')
const rootPkgPath = join(root, 'package.json')
const rootPkg = JSON.parse(readFileSync(rootPkgPath, 'utf8'))
const version = rootPkg.version
const drift = []

function write(path, before, after) {
  if (before === after) return
  drift.push(path)
  if (!check) writeFileSync(path, after)
}

const cargoPath = join(root, 'Cargo.toml')
const cargo = readFileSync(cargoPath, 'utf8')
write(cargoPath, cargo, cargo.replace(/^version = "[^"]*"/m, `version = "${version}"`))

const optional = {}
for (const dir of readdirSync(join(root, 'npm')).sort()) {
  const path = join(root, 'npm', dir, 'package.json')
  const before = readFileSync(path, 'utf8')
  const pkg = JSON.parse(before)
  pkg.version = version
  for (const field of ['repository', 'homepage', 'bugs', 'license', 'engines']) {
    if (rootPkg[field] === undefined) delete pkg[field]
    else pkg[field] = field === 'repository' ? { ...rootPkg.repository, directory: `npm/${dir}` } : rootPkg[field]
  }
  optional[pkg.name] = version
  write(path, before, JSON.stringify(pkg, null, 2) + '\n')
}

const serverPath = join(root, 'server.json')
const serverBefore = readFileSync(serverPath, 'utf8')
const server = JSON.parse(serverBefore)
server.version = version
for (const p of server.packages || []) if (p.registryType === 'npm' && p.identifier === rootPkg.name) p.version = version
write(serverPath, serverBefore, JSON.stringify(server, null, 2) + '\n')
if (rootPkg.mcpName !== server.name) {
  console.error(`package.json mcpName (${rootPkg.mcpName}) must equal server.json name (${server.name}).`)
  process.exit(1)
}

if (printOptional) {
  console.log(JSON.stringify(optional))
  process.exit(0)
}
if (withOptional) {
  const beforeRoot = readFileSync(rootPkgPath, 'utf8')
  rootPkg.optionalDependencies = optional
  write(rootPkgPath, beforeRoot, JSON.stringify(rootPkg, null, 2) + '\n')
}

if (check && drift.length > 0) {
  console.error(`Versions out of step with package.json (${version}): ${drift.join(', ')}`)
  console.error('Run: node scripts/sync-versions.mjs')
  process.exit(1)
}
console.log(check ? `All versions are ${version}.` : `Versions set to ${version}${drift.length ? `: ${drift.join(', ')}` : ' (no change)'}.`)
