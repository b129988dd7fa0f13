// Tests that need a setup step (`npm ci`, `npm run test:setup`) skip with a hint when it has not been
// run on a developer's machine. Under CI (`CI` set, as `.ci/run` does) the setup always runs, so a
// missing piece is a broken install, not a reason to skip: the test file fails at once, naming it.
export function needsSetup(reason) {
  if (!reason) return false
  if (process.env.CI) throw new Error(`${reason}. CI runs every setup step, so this test cannot be skipped under CI.`)
  return reason
}
