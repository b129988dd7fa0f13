// Types of the public JS API of @jungle-grid/mcp (lib/index.js). Argument objects use the same
// snake_case keys as the MCP tools; results are the `data` objects the tools return in
// `structuredContent`. The API adds fields over time, so result types stay open.

export type WorkloadType = 'inference' | 'training' | 'fine_tuning' | 'batch'
export type RoutingMode = 'cost' | 'speed' | 'balanced'
export type JobStatus =
  | 'pending' | 'queued' | 'assigned' | 'starting' | 'running'
  | 'completed' | 'failed' | 'rejected' | 'cancelled'
export type TerminalJobStatus = 'completed' | 'failed' | 'rejected' | 'cancelled'

export interface ClientOptions {
  /** Jungle Grid API key (jg_...). Default: JUNGLE_GRID_API_KEY. */
  apiKey?: string
  /** API base URL. Default: JUNGLEGRID_API_BASE, JUNGLE_GRID_API_URL or https://api.junglegrid.dev. */
  apiBase?: string
  /** Timeout of one API request in milliseconds. Default: JUNGLE_GRID_TIMEOUT_MS or 30000. */
  timeoutMs?: number
  /**
   * Per-job cost cap in USD. A submit whose estimate may cost more is refused with
   * `APPROVAL_REQUIRED` (the library has nobody to ask). Default: JUNGLE_GRID_MAX_JOB_COST_USD, no cap.
   */
  maxJobCostUsd?: number
  /** Refuse every submit with `APPROVAL_REQUIRED`. Default: JUNGLE_GRID_CONFIRM_SUBMIT, off. */
  confirmSubmit?: boolean
}

/** Options of the creating calls (submitJob, uploadJobInput, uploadFile). */
export interface IdempotencyOptions {
  /**
   * 1-255 printable ASCII characters, sent as `Idempotency-Key`. Reuse it to retry a call whose
   * answer was lost (nothing is created twice); use a new one to create another. Default: derived
   * from the arguments, so the same call repeated within 10 minutes returns the first result.
   */
  idempotencyKey?: string
}

export interface InputRef { input_id: string }

export interface EstimateJobArgs {
  workload_type: WorkloadType
  /** Model size in GB. */
  model_size?: number
  image?: string
  /** argv array (preferred) or a single command string. */
  command?: string[] | string
  args?: string[]
  routing_mode?: RoutingMode
  template?: string
  notes?: string
}

export interface SubmitJobArgs {
  name: string
  workload_type: WorkloadType
  image: string
  command?: string[] | string
  args?: string[]
  env?: Record<string, string>
  /** Uploaded inputs, mounted at /workspace/inputs/<filename>. Bare id strings are accepted too. */
  input_files?: Array<InputRef | string>
  /** Uploaded scripts, mounted at /workspace/scripts/<filename>. */
  script_files?: Array<InputRef | string>
  /** Legacy single script input_id; prefer script_files. */
  script_file?: string
  /** Output files under /workspace/artifacts. */
  expected_artifacts?: string[]
  routing_mode?: RoutingMode
  template?: string
  model_size?: number
  metadata?: Record<string, unknown>
  /** Same as `IdempotencyOptions.idempotencyKey`. */
  idempotency_key?: string
}

export interface UploadJobInputArgs {
  filename: string
  content_type?: string
  kind?: 'input' | 'script' | (string & {})
  /** Same as `IdempotencyOptions.idempotencyKey`. */
  idempotency_key?: string
  /** Aborting stops the upload in flight (rejects with ABORTED). */
  signal?: AbortSignal
}

/** Options of a single API call. */
export interface CallOptions {
  /** Aborting stops the request in flight (rejects with ABORTED). */
  signal?: AbortSignal
}

export interface ListJobsArgs {
  /** 1-100, default 10. */
  limit?: number
  cursor?: string
  status?: JobStatus | (string & {})
}

export interface JobIdArgs { job_id: string }

export interface GetJobLogsArgs {
  job_id: string
  /** 1-1000, default 100. */
  limit?: number
  cursor?: string | number
}

export interface CancelJobArgs {
  job_id: string
  /** Default "Cancelled via MCP". */
  reason?: string
}

export interface GetArtifactArgs {
  job_id: string
  artifact_id: string
}

type Open = { [key: string]: unknown }

export interface CostRange { min?: number; max?: number }

export interface Estimate extends Open {
  available?: boolean
  can_submit?: boolean
  estimated_cost_usd?: CostRange | number
  likely_gpu_type?: string
  routed_gpu_tier?: string
  classification?: Open
  routing?: Open
  capacity?: Open
  screening?: Open
}

export interface SubmittedJob extends Open {
  job_id?: string
  id?: string
  status?: JobStatus | (string & {})
  status_message?: string
  submitted_at?: string
  estimated_cost_usd?: CostRange | number
  /** True when this answer repeats an earlier submit with the same idempotency key. */
  idempotent_replay?: boolean
}

export interface UploadSlot extends Open {
  upload?: {
    input_id?: string
    filename?: string
    method?: string
    /** Signed URL: a secret. */
    upload_url?: string
    /** Upload token: a secret. */
    token?: string
    expires_at?: string
    complete_url?: string
    [key: string]: unknown
  }
}

export interface JobInput extends Open {
  input_id?: string
  filename?: string
  content_type?: string
  size_bytes?: number | null
  kind?: string
  status?: string
  ready?: boolean
  mount_path?: string
}

export interface JobInputList extends Open { inputs?: JobInput[] }

export interface JobSummary extends Open {
  job_id?: string
  id?: string
  name?: string
  status?: JobStatus | (string & {})
  workload_type?: string
  created_at?: string
  updated_at?: string
}

export interface JobList extends Open {
  jobs?: JobSummary[]
  limit?: number
  next_cursor?: string | null
  has_more?: boolean
}

export interface Job extends JobSummary {
  phase?: string
  execution_phase?: string
  status_message?: string
  phase_started_at?: string
  phase_last_updated_at?: string
  delayed_start?: boolean
  delay_reason?: { code?: string; message?: string } | null
  failure?: Open | null
  artifacts_ready?: boolean
  estimated_cost_usd?: CostRange | number
  /** This job's cost in USD once known. */
  actual_cost_usd: number | null
  billing?: Open
  account_billing?: { lifetime_total_spent_usd?: number; [key: string]: unknown }
}

export interface JobEvent extends Open {
  id?: string
  type?: string
  phase?: string
  title?: string
  message?: string
  source?: string
  level?: string
  created_at?: string
  sequence?: number
}

export interface JobEvents extends Open {
  job_id?: string
  status?: string
  phase?: string
  items?: JobEvent[]
}

export interface LogEntry extends Open {
  entry_id?: string
  source?: string
  category?: 'workload_stdout' | 'workload_stderr' | 'platform' | 'runtime' | (string & {})
  stream?: string
  message?: string
  truncated?: boolean
  created_at?: string
}

export interface LogPage extends Open {
  job_id?: string
  items?: LogEntry[]
  next_cursor?: string | number | null
  has_more?: boolean
  usage_hint?: string
}

export interface Cancellation extends Open {
  job_id?: string
  status?: string
  cancelled?: boolean
  message?: string
}

export interface Artifact extends Open {
  artifact_id?: string
  id?: string
  name?: string
  filename?: string
  content_type?: string
  mime_type?: string
  size_bytes?: number | null
  status?: string
  ready?: boolean
  created_at?: string
}

export interface ArtifactList extends Open { job_id?: string; artifacts?: Artifact[] }

export interface ArtifactDownload extends Open {
  job_id?: string
  artifact_id?: string
  artifact_name?: string
  ready?: boolean
  size_bytes?: number | null
  mime_type?: string
  /** Temporary signed URL: a secret. */
  download_url?: string
  expires_at?: string
  artifact?: Artifact
}

export interface UploadFileOptions {
  /** Required for a Buffer; defaults to the file's name for a path. */
  filename?: string
  /** Default: guessed from the file name. */
  contentType?: string
  /** 'input' (default, /workspace/inputs) or 'script' (/workspace/scripts). */
  kind?: 'input' | 'script' | (string & {})
  /** Sent with the slot creation; a replay returns `{ input_id, idempotent_replay: true }`. */
  idempotencyKey?: string
}

export interface WaitForJobOptions {
  /** Default 30 minutes. */
  timeoutMs?: number
  /** First poll interval; grows gently up to 30 s. Default 5000. */
  pollIntervalMs?: number
  /** Aborting stops the wait and the request in flight (rejects with ABORTED). */
  signal?: AbortSignal
  /** Called with the job whenever its status, phase or status message changes. */
  onUpdate?: (job: Job) => void
}

export interface DownloadResult {
  path: string
  bytes: number
  artifact: ArtifactDownload
}

/** Error codes raised locally; API errors carry the API's own code (FORBIDDEN, CONFLICT, ...). */
export type LocalErrorCode =
  | 'INVALID_ARGUMENT' | 'MISSING_API_KEY' | 'TIMEOUT' | 'NETWORK' | 'ABORTED'
  | 'INVALID_API_RESPONSE' | 'UPLOAD_FAILED' | 'DOWNLOAD_FAILED' | 'ARTIFACT_NOT_READY'
  | 'UNEXPECTED_REDIRECT' | 'UNSAFE_TRANSFER_URL' | 'SANDBOX_START_FAILED' | 'INTERNAL'

export declare class JungleGridError extends Error {
  readonly name: 'JungleGridError'
  /** The API's error code, or a local one. */
  readonly code: LocalErrorCode | (string & {})
  /** The HTTP status, when the API answered. */
  readonly status?: number
}

export declare class JungleGridClient {
  /** @throws JungleGridError with code MISSING_API_KEY when no key is given or set. */
  constructor(options?: ClientOptions)
  readonly apiBase: string
  estimateJob(args: EstimateJobArgs, options?: CallOptions): Promise<Estimate>
  submitJob(args: SubmitJobArgs, options?: CallOptions & IdempotencyOptions): Promise<SubmittedJob>
  uploadJobInput(args: UploadJobInputArgs, options?: CallOptions & IdempotencyOptions): Promise<UploadSlot>
  listJobInputs(args?: Record<string, never>, options?: CallOptions): Promise<JobInputList>
  listJobs(args?: ListJobsArgs, options?: CallOptions): Promise<JobList>
  getJob(args: JobIdArgs, options?: CallOptions): Promise<Job>
  getJobEvents(args: JobIdArgs, options?: CallOptions): Promise<JobEvents>
  getJobLogs(args: GetJobLogsArgs, options?: CallOptions): Promise<LogPage>
  cancelJob(args: CancelJobArgs, options?: CallOptions): Promise<Cancellation>
  listArtifacts(args: JobIdArgs, options?: CallOptions): Promise<ArtifactList>
  getArtifact(args: GetArtifactArgs, options?: CallOptions): Promise<ArtifactDownload>
  uploadFile(source: string | Uint8Array, options?: UploadFileOptions): Promise<JobInput>
  waitForJob(jobId: string, options?: WaitForJobOptions): Promise<Job>
  iterateLogs(jobId: string, options?: { limit?: number; signal?: AbortSignal }): AsyncGenerator<LogPage, void, undefined>
  /** Never replaces an existing file unless `overwrite` is true. */
  downloadArtifact(jobId: string, artifactId: string, destPath: string, options?: CallOptions & { overwrite?: boolean }): Promise<DownloadResult>
}

export declare const TERMINAL_STATUSES: readonly TerminalJobStatus[]
/** Runs the stdio MCP server (what the junglegrid-mcp bin does); resolves to the exit code. */
export declare function startStdioServer(): Promise<number>
/** Runs the junglegrid-mcp command line with the given arguments; resolves to the exit code. */
export declare function runCli(argv: string[]): Promise<number>
export interface SandboxOptions {
  /** Keep state in this directory, shared with every process using it and kept across restarts; in memory by default. */
  dir?: string
  /** Run simulated time this many times faster (default 1). */
  timeScale?: number
}

export interface RunningSandbox {
  /** http://127.0.0.1:<port> */
  baseUrl: string
  /** The API key the simulator accepts: random for each start. */
  apiKey: string
  stop(): Promise<void>
}

/** Starts the embedded Jungle Grid simulator (offline, no account, no cost). */
export declare function startSandbox(options?: SandboxOptions): Promise<RunningSandbox>
export interface HttpServerOptions {
  /** Default: PORT or 3000; 0 picks a free port. */
  port?: number
  /** Address to listen on. Default: HOST or 0.0.0.0. */
  host?: string
}

export interface RunningHttpServer {
  url: string
  port: number
  /** Stops accepting connections; resolves when requests in flight have finished. */
  stop(): Promise<void>
}

/**
 * Starts the hosted MCP server (Streamable HTTP on /mcp with OAuth). The rest of the hosted
 * configuration comes from the environment; JUNGLEGRID_INTERNAL_SERVICE_TOKEN is required.
 */
export declare function startHttpServer(options?: HttpServerOptions): Promise<RunningHttpServer>
/** Stops a running server started by startStdioServer() or runCli(). */
export declare function shutdown(): void
/** The package version. */
export declare const version: string
