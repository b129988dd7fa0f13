//! Command-line entry: flags, `--help`, `--version`, and the choice of what to run. The npm bin and
//! `startStdioServer()` both end here.

use std::ffi::OsString;

use tokio_util::sync::CancellationToken;

use crate::config::http::HttpConfig;
use crate::config::settings::{self, resolve};
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

/// What the command line asks for. The options are the settings given as flags, keyed by their
/// row in the settings table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Stdio(Overrides),
    /// `doctor`: check the setup and say how to fix it.
    Doctor(Overrides),
    /// `config <host>`: print a host's config snippet (`--sandbox` / `--read-only` pass into it).
    HostConfig(String, Overrides),
}

/// Parses the command line. Every option is a row of the settings table (`settings::by_flag`):
/// its spelling, whether it takes a value and whether it repeats come from there, so a new setting
/// needs no arm here.
pub fn parse<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut options = Overrides::default();
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
            Long(name) => {
                let Some(setting) = settings::by_flag(name) else {
                    return Err(Long(name).unexpected().to_string());
                };
                let value = match setting.takes_value() {
                    true => text(parser.value().map_err(|e| e.to_string())?)?,
                    false => String::new(),
                };
                options.set(setting, value);
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
            let sandbox = options.is_set(&settings::SANDBOX);
            match doctor::host_config(&host, sandbox, options.is_set(&settings::READ_ONLY)) {
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
            let checks = if options.is_set(&settings::SANDBOX) {
                doctor::diagnose_sandbox(env, &options).await
            } else {
                doctor::diagnose(env, &options).await
            };
            let (report, healthy) = doctor::render(&checks);
            print!("{report}");
            if healthy { 0 } else { 1 }
        }
        Command::Stdio(overrides) => {
            if let Err(e) = logging::init(env, &overrides) {
                eprintln!("Fatal: {e}");
                return 1;
            }
            // `--http`, or `MCP_TRANSPORT=http` (any other value is stdio).
            let transport = resolve(env, &overrides, &settings::TRANSPORT);
            let http = transport.from_flag()
                || transport
                    .value
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("http"));
            if http {
                if overrides.is_set(&settings::SANDBOX) {
                    eprintln!("Fatal: --sandbox works with the stdio server only.");
                    return 1;
                }
                return match HttpConfig::from_env(env, &overrides) {
                    Ok(config) => transport::http::serve(config, shutdown).await,
                    Err(e) => {
                        report_config_error(&e);
                        1
                    }
                };
            }
            let sandbox = match sandbox_options(&overrides, env) {
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
    overrides: &Overrides,
    env: &dyn Env,
) -> Result<Option<crate::sandbox::SandboxOptions>, String> {
    // Only a clear yes turns it on; any other value of the variable leaves it off.
    let on = resolve(env, overrides, &settings::SANDBOX);
    let yes = matches!(
        on.value
            .as_deref()
            .map(str::trim)
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("1" | "true" | "yes" | "on")
    );
    if !(on.from_flag() || yes) {
        return Ok(None);
    }
    let dir = match resolve(env, overrides, &settings::SANDBOX_DIR)
        .value
        .filter(|d| !d.trim().is_empty())
    {
        Some(d) if d.trim() == crate::config::SANDBOX_IN_MEMORY => None,
        Some(d) => Some(std::path::PathBuf::from(d)),
        None => crate::config::default_sandbox_dir(env),
    };
    let time_scale = match resolve(env, overrides, &settings::SANDBOX_TIME_SCALE)
        .value
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

    fn given(pairs: &[(&'static settings::Setting, &str)]) -> Overrides {
        pairs
            .iter()
            .fold(Overrides::default(), |o, (s, v)| o.with(s, *v))
    }

    #[test]
    fn sandbox_state_is_shared_on_disk_by_default() {
        let on = Overrides::default().with(&settings::SANDBOX, "");
        let home = [("HOME", "/home/ada")];
        let dir = |env: &dyn Env, o: &Overrides| sandbox_options(o, env).unwrap().unwrap().dir;
        assert_eq!(
            dir(&home, &on),
            Some(std::path::PathBuf::from("/home/ada/.jungle-grid/sandbox"))
        );
        let memory = on.clone().with(&settings::SANDBOX_DIR, ":memory:");
        assert_eq!(dir(&home, &memory), None);
        let given = on.clone().with(&settings::SANDBOX_DIR, "/tmp/sb");
        assert_eq!(
            dir(&home, &given),
            Some(std::path::PathBuf::from("/tmp/sb"))
        );
        // No home folder: in memory.
        let nobody: [(&str, &str); 0] = [];
        assert_eq!(dir(&nobody, &on), None);
    }

    #[test]
    fn flags() {
        assert_eq!(parse(["--help"]).unwrap(), Command::Help);
        assert_eq!(parse(["-V"]).unwrap(), Command::Version);
        assert_eq!(
            parse(Vec::<String>::new()).unwrap(),
            Command::Stdio(Overrides::default())
        );
        assert_eq!(
            parse(["--api-base", "http://x", "--timeout-ms=500"]).unwrap(),
            Command::Stdio(given(&[
                (&settings::API_BASE, "http://x"),
                (&settings::TIMEOUT_MS, "500")
            ]))
        );
        assert_eq!(
            parse(["--read-only", "--tools", "get_job,list_jobs"]).unwrap(),
            Command::Stdio(given(&[
                (&settings::READ_ONLY, ""),
                (&settings::TOOLS, "get_job,list_jobs")
            ]))
        );
        assert!(parse(["--bogus"]).unwrap_err().contains("--bogus"));
        assert_eq!(
            parse(["doctor"]).unwrap(),
            Command::Doctor(Overrides::default())
        );
        assert_eq!(
            parse(["config", "cursor"]).unwrap(),
            Command::HostConfig("cursor".into(), Overrides::default())
        );
        assert_eq!(
            parse(["config", "vscode", "--sandbox"]).unwrap(),
            Command::HostConfig("vscode".into(), given(&[(&settings::SANDBOX, "")]))
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

    /// The one-place rule: every row with a flag is parsed by the generic path (no arm of its
    /// own), lands in the overrides under its row, appears in `--help`, and reaches configuration
    /// through `settings::resolve` as the winning source.
    #[test]
    fn every_flag_in_the_table_parses_and_is_documented() {
        let help = usage();
        let mut seen = Vec::new();
        for setting in settings::SETTINGS.iter().copied() {
            let Some(flag) = setting.flag() else {
                continue;
            };
            assert!(!seen.contains(&flag), "{flag} is in two rows");
            seen.push(flag);
            assert!(!["--help", "--version"].contains(&flag), "{flag} is taken");
            assert!(help.contains(setting.flags[0]), "--help misses {flag}");
            let args: Vec<&str> = match setting.takes_value() {
                true => vec![flag, "v1", flag, "v2"],
                false => vec![flag],
            };
            let Ok(Command::Stdio(overrides)) = parse(&args) else {
                panic!("{flag} does not parse");
            };
            let expected: Vec<&str> = match (setting.takes_value(), setting.repeats) {
                (false, _) => vec![""],
                (true, true) => vec!["v1", "v2"],
                (true, false) => vec!["v2"],
            };
            assert_eq!(overrides.all(setting), expected, "{flag}");
            // The flag wins over every variable of its row.
            let env = setting
                .env
                .iter()
                .map(|v| (*v, "from-env"))
                .collect::<Vec<_>>();
            let env = crate::config::http::tests_support::VecEnv(env);
            let found = resolve(&env, &overrides, setting);
            assert_eq!(found.source, settings::Source::Flag, "{flag}");
            assert_eq!(found.name, flag);
            if setting.takes_value() {
                // `--flag=value` is the same as `--flag value`.
                let joined = format!("{flag}=v3");
                let Ok(Command::Stdio(o)) = parse([joined.as_str()]) else {
                    panic!("{joined} does not parse");
                };
                assert_eq!(o.get(setting), Some("v3"));
                // A value-taking flag without its value names the flag.
                let err = parse([flag]).unwrap_err();
                assert!(err.contains(flag), "{err}");
            } else {
                // A switch takes no value.
                let err = parse([format!("{flag}=x")]).unwrap_err();
                assert!(err.contains(flag), "{err}");
            }
        }
        assert!(seen.len() >= 14, "only {} flags in the table", seen.len());
        // Unknown flags give lexopt's message, as before the table drove parsing.
        assert_eq!(parse(["--bogus"]).unwrap_err(), "invalid option '--bogus'");
        assert_eq!(parse(["-x"]).unwrap_err(), "invalid option '-x'");
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
