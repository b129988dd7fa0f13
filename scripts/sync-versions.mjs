#!/usr/bin/env node
// Keeps every version in step with package.json: Cargo.toml (the core reports it as serverInfo
// version), each npm/<target>/package.json, and the root optionalDependencies on them.
// Usage: node scripts/sync-versions.mjs [--check]   (--check: exit 1 if anything is out of step)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const check = process.argv.includes('--check')
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
  optional[pkg.name] = version
  write(path, before, JSON.stringify(pkg, null, 2) + '\n')
}

const beforeRoot = readFileSync(rootPkgPath, 'utf8')
rootPkg.optionalDependencies = optional
write(rootPkgPath, beforeRoot, JSON.stringify(rootPkg, null, 2) + '\n')

if (check && drift.length > 0) {
  console.error(`Versions out of step with package.json (${version}): ${drift.join(', ')}`)
  console.error('Run: node scripts/sync-versions.mjs')
  process.exit(1)
}
console.log(check ? `All versions are ${version}.` : `Versions set to ${version}${drift.length ? `: ${drift.join(', ')}` : ' (no change)'}.`)
