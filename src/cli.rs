//! Command-line entry: flags, `--help`, `--version`, and the choice of what to run. The npm bin and
//! `startStdioServer()` both end here.

use std::ffi::OsString;

use tokio_util::sync::CancellationToken;

use crate::config::http::{HttpConfig, HttpOverrides};
use crate::config::{Config, ConfigError, Env, Overrides};
use crate::{doctor, logging, transport};

const USAGE_TEMPLATE: &str = "\
junglegrid-mcp: the Jungle Grid MCP server (stdio).

Usage:
  junglegrid-mcp [options]          serve MCP on stdio
  junglegrid-mcp --http [options]   serve MCP Streamable HTTP on /mcp with OAuth (hosted mode)
  junglegrid-mcp doctor [options]   check the setup (key, API reachability) and say how to fix it
  junglegrid-mcp config <host>      print the config for claude, claude-code, cursor, vscode or windsurf
                                    (--sandbox and --read-only pass into it)

Starts an MCP server on stdin/stdout for hosts such as Claude Desktop, Cursor and Windsurf.
Every tool call is forwarded to the Jungle Grid API with your API key.

{settings}
Examples:
  JUNGLE_GRID_API_KEY=jg_... npx -y @jungle-grid/mcp
  npx -y @jungle-grid/mcp --sandbox      # try every tool offline, jobs are simulated
";

/// `--help`: the fixed head and examples around the settings table's options and variables.
pub fn usage() -> String {
    USAGE_TEMPLATE.replace(
        "{settings}\n",
        &format!("{}\n", crate::config::settings::help_text()),
    )
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Stdio(Options),
    /// `doctor`: check the setup and say how to fix it.
    Doctor(Options),
    /// `config <host>`: print a host's config snippet (`--sandbox` / `--read-only` pass into it).
    HostConfig(String, Options),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub api_base: Option<String>,
    pub timeout_ms: Option<String>,
    pub log_level: Option<String>,
    pub read_only: bool,
    pub tools: Option<String>,
    pub max_result_chars: Option<String>,
    pub max_wait_seconds: Option<String>,
    pub max_job_cost_usd: Option<String>,
    pub confirm_submit: bool,
    pub allow_dirs: Vec<String>,
    pub allow_overwrite: bool,
    /// `--sandbox`: run against the embedded simulator.
    pub sandbox: bool,
    pub sandbox_dir: Option<String>,
    pub sandbox_time_scale: Option<String>,
    /// `--http`: serve Streamable HTTP (hosted mode) instead of stdio.
    pub http: bool,
    pub port: Option<String>,
    pub host: Option<String>,
}

impl Options {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            api_base: self.api_base.clone(),
            timeout_ms: self.timeout_ms.clone(),
            read_only: self.read_only,
            tools: self.tools.clone(),
            max_result_chars: self.max_result_chars.clone(),
            max_wait_seconds: self.max_wait_seconds.clone(),
            max_job_cost_usd: self.max_job_cost_usd.clone(),
            confirm_submit: self.confirm_submit,
            allow_dirs: self.allow_dirs.clone(),
            allow_overwrite: self.allow_overwrite,
        }
    }
}

pub fn parse<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut options = Options::default();
    let mut subcommand: Option<String> = None;
    let mut host: Option<String> = None;
    let text = |v: OsString| {
        v.into_string()
            .map_err(|_| "arguments must be valid UTF-8".to_string())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("api-base") => {
                options.api_base = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("timeout-ms") => {
                options.timeout_ms = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("log-level") => {
                options.log_level = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("read-only") => options.read_only = true,
            Long("allow-overwrite") => options.allow_overwrite = true,
            Long("allow-dir") => options
                .allow_dirs
                .push(text(parser.value().map_err(|e| e.to_string())?)?),
            Long("sandbox") => options.sandbox = true,
            Long("http") => options.http = true,
            Long("port") => options.port = Some(text(parser.value().map_err(|e| e.to_string())?)?),
            Long("host") => options.host = Some(text(parser.value().map_err(|e| e.to_string())?)?),
            Long("sandbox-dir") => {
                options.sandbox_dir = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("sandbox-time-scale") => {
                options.sandbox_time_scale = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("max-result-chars") => {
                options.max_result_chars = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("max-wait-seconds") => {
                options.max_wait_seconds = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("max-job-cost-usd") => {
                options.max_job_cost_usd = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("confirm-submit") => options.confirm_submit = true,
            Long("tools") => {
                options.tools = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Value(word) if subcommand.is_none() => {
                let word = text(word)?;
                match word.as_str() {
                    "doctor" => subcommand = Some(word),
                    "config" => {
                        let name = parser.value().map_err(|_| {
                            format!("config needs a host: {}", doctor::HOSTS.join(", "))
                        })?;
                        host = Some(text(name)?);
                        subcommand = Some(word);
                    }
                    _ => return Err(format!("unknown command '{word}'")),
                }
            }
            other => return Err(other.unexpected().to_string()),
        }
    }
    Ok(match (subcommand, host) {
        (_, Some(host)) => Command::HostConfig(host, options),
        (Some(_), None) => Command::Doctor(options),
        (None, None) => Command::Stdio(options),
    })
}

/// Runs the command line to completion and returns the process exit code. Everything a person
/// reads goes to stderr, except `--help` and `--version`, which go to stdout.
pub async fn run(args: Vec<String>, env: &dyn Env, shutdown: CancellationToken) -> i32 {
    let command = match parse(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("junglegrid-mcp: {e}\nRun `junglegrid-mcp --help` for usage.");
            return 2;
        }
    };
    match command {
        Command::Help => {
            print!("{}", usage());
            0
        }
        Command::Version => {
            println!("{}", crate::server::VERSION);
            0
        }
        Command::HostConfig(host, options) => {
            match doctor::host_config(&host, options.sandbox, options.read_only) {
                Some(config) => {
                    eprintln!("{}", config.instructions);
                    println!("{}", config.text);
                    0
                }
                None => {
                    eprintln!(
                        "junglegrid-mcp: unknown host '{host}'; choose one of: {}",
                        doctor::HOSTS.join(", ")
                    );
                    2
                }
            }
        }
        Command::Doctor(options) => {
            let checks = if options.sandbox {
                doctor::diagnose_sandbox(env, &options.overrides()).await
            } else {
                doctor::diagnose(env, &options.overrides()).await
            };
            let (report, healthy) = doctor::render(&checks);
            print!("{report}");
            if healthy { 0 } else { 1 }
        }
        Command::Stdio(options) => {
            if let Err(e) = logging::init(options.log_level.as_deref(), env) {
                eprintln!("Fatal: {e}");
                return 1;
            }
            let overrides = options.overrides();
            let http = options.http
                || env
                    .get("MCP_TRANSPORT")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("http"));
            if http {
                if options.sandbox {
                    eprintln!("Fatal: --sandbox works with the stdio server only.");
                    return 1;
                }
                let http_overrides = HttpOverrides {
                    port: options.port.clone(),
                    host: options.host.clone(),
                };
                return match HttpConfig::from_env(env, &overrides, &http_overrides) {
                    Ok(config) => transport::http::serve(config, shutdown).await,
                    Err(e) => {
                        report_config_error(&e);
                        1
                    }
                };
            }
            let sandbox = match sandbox_options(&options, env) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("Fatal: {e}");
                    return 1;
                }
            };
            let Some(sandbox_options) = sandbox else {
                return match Config::for_stdio(env, &overrides) {
                    Ok(config) => {
                        terminal_notice(&config);
                        transport::stdio::serve(config, shutdown).await
                    }
                    Err(e) => {
                        report_config_error(&e);
                        1
                    }
                };
            };
            let sandbox = match crate::sandbox::start(sandbox_options).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("Fatal: the sandbox could not start: {e}");
                    return 1;
                }
            };
            let mut config =
                match Config::for_sandbox(env, &overrides, sandbox.base_url(), sandbox.api_key()) {
                    Ok(c) => c,
                    Err(e) => {
                        report_config_error(&e);
                        sandbox.stop().await;
                        return 1;
                    }
                };
            config.sandbox = true;
            tracing::info!(api = %sandbox.base_url(), "sandbox simulator running");
            terminal_notice(&config);
            let code = transport::stdio::serve(config, shutdown).await;
            sandbox.stop().await;
            code
        }
    }
}

/// `--sandbox` / `JUNGLE_GRID_SANDBOX=1`, with `--sandbox-dir` (`JUNGLE_GRID_SANDBOX_DIR`) and
/// `--sandbox-time-scale` (`JUNGLE_GRID_SANDBOX_TIME_SCALE`).
fn sandbox_options(
    options: &Options,
    env: &dyn Env,
) -> Result<Option<crate::sandbox::SandboxOptions>, String> {
    let flag = |v: Option<String>| {
        matches!(
            v.as_deref()
                .map(str::trim)
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("1" | "true" | "yes" | "on")
        )
    };
    if !(options.sandbox || flag(env.get("JUNGLE_GRID_SANDBOX"))) {
        return Ok(None);
    }
    let dir = options
        .sandbox_dir
        .clone()
        .or_else(|| env.get("JUNGLE_GRID_SANDBOX_DIR"))
        .filter(|d| !d.trim().is_empty())
        .map(std::path::PathBuf::from);
    let time_scale = match options
        .sandbox_time_scale
        .clone()
        .or_else(|| env.get("JUNGLE_GRID_SANDBOX_TIME_SCALE"))
        .filter(|v| !v.trim().is_empty())
    {
        None => 1.0,
        Some(v) => match v.trim().parse::<f64>() {
            Ok(n) if n.is_finite() && n > 0.0 && n <= 10_000.0 => n,
            _ => {
                return Err(format!(
                    "--sandbox-time-scale must be a number above 0 and at most 10000, got \"{v}\"."
                ));
            }
        },
    };
    Ok(Some(crate::sandbox::SandboxOptions {
        dir,
        time_scale,
        ..crate::sandbox::SandboxOptions::default()
    }))
}

/// One line on stderr when a person started the server in a terminal (stdin is a TTY): hosts
/// start it with pipes, so they never see it, and stdout stays protocol-only.
fn terminal_notice(config: &Config) {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprintln!("{}", notice_text(config));
    }
}

fn notice_text(config: &Config) -> String {
    let api = if config.sandbox {
        "the embedded simulator (jobs are simulated, no cost)".to_string()
    } else {
        config.api.base.clone()
    };
    format!(
        "junglegrid-mcp {} serving MCP on stdio against {api}. It waits for an MCP host: print a host's \
config with `npx -y @jungle-grid/mcp config <claude|claude-code|cursor|vscode|windsurf>`. Press Ctrl+C \
(or Ctrl+D) to stop.",
        crate::server::VERSION
    )
}

fn report_config_error(error: &ConfigError) {
    match error {
        ConfigError::MissingApiKey => eprintln!("{error}"),
        other => eprintln!("Fatal: {other}"),
    }
    if let Some(hint) = error.hint() {
        eprintln!("{hint}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!(parse(["--help"]).unwrap(), Command::Help);
        assert_eq!(parse(["-V"]).unwrap(), Command::Version);
        assert_eq!(
            parse(Vec::<String>::new()).unwrap(),
            Command::Stdio(Options::default())
        );
        assert_eq!(
            parse(["--api-base", "http://x", "--timeout-ms=500"]).unwrap(),
            Command::Stdio(Options {
                api_base: Some("http://x".into()),
                timeout_ms: Some("500".into()),
                ..Options::default()
            })
        );
        assert_eq!(
            parse(["--read-only", "--tools", "get_job,list_jobs"]).unwrap(),
            Command::Stdio(Options {
                read_only: true,
                tools: Some("get_job,list_jobs".into()),
                ..Options::default()
            })
        );
        assert!(parse(["--bogus"]).unwrap_err().contains("--bogus"));
        assert_eq!(
            parse(["doctor"]).unwrap(),
            Command::Doctor(Options::default())
        );
        assert_eq!(
            parse(["config", "cursor"]).unwrap(),
            Command::HostConfig("cursor".into(), Options::default())
        );
        assert_eq!(
            parse(["config", "vscode", "--sandbox"]).unwrap(),
            Command::HostConfig(
                "vscode".into(),
                Options {
                    sandbox: true,
                    ..Options::default()
                }
            )
        );
        assert!(
            parse(["config"])
                .unwrap_err()
                .contains("claude, claude-code, cursor, vscode, windsurf")
        );
        assert!(
            parse(["launch"])
                .unwrap_err()
                .contains("unknown command 'launch'")
        );
        assert!(parse(["--api-base"]).unwrap_err().contains("api-base"));
    }

    #[test]
    fn terminal_notice_names_version_api_hosts_and_how_to_stop() {
        let env = [("JUNGLE_GRID_API_KEY", "jg_x")];
        let config = Config::for_stdio(&env, &Overrides::default()).unwrap();
        let text = notice_text(&config);
        assert!(text.contains(crate::server::VERSION));
        assert!(text.contains("https://api.junglegrid.dev"));
        assert!(text.contains("config <claude|claude-code|cursor|vscode|windsurf>"));
        assert!(text.contains("Ctrl+C"));
        assert!(!text.contains("jg_x"));
        let sandbox =
            Config::for_sandbox(&env, &Overrides::default(), "http://127.0.0.1:1", "jg_sb")
                .unwrap();
        assert!(notice_text(&sandbox).contains("jobs are simulated"));
    }
}
