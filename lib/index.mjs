// ESM entry: the same objects as the CommonJS entry.
import cjs from './index.js'

export const {
  JungleGridClient,
  JungleGridError,
  TERMINAL_STATUSES,
  startStdioServer,
  startSandbox,
  startHttpServer,
  runCli,
  shutdown,
  version,
} = cjs
export default cjs
