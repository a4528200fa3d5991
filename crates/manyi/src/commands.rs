//! The subcommands. Exit codes: 0 success, 1 the input has problems (listed on stderr), 2 the
//! command could not run (bad arguments, unreadable files).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use manyi_api::{AuditAction, ReportQuery, Role};
use manyi_core::report::BucketUnit;
use manyi_core::score::Plan;
use manyi_core::validate::parse_survey;
use manyi_server::db::AuditRecord;
use manyi_server::token::Staff;

use crate::input::{format_definition_error, load_responses, load_survey};

#[derive(Debug, Parser)]
#[command(
    name = "manyi",
    version,
    about = "Customer-satisfaction surveys: validate, score, report"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a survey definition; lists every problem with its JSON path.
    Validate { file: PathBuf },
    /// The built-in templates.
    Template {
        #[command(subcommand)]
        action: TemplateAction,
    },
    /// Compute the report for a set of responses, as JSON on stdout.
    Score(ScoreArgs),
    /// Print the JSON Schema of the survey definition format.
    Schema,
    /// Parse a condition and evaluate it on given answers: prints the parse tree, the value
    /// and whether it holds as a condition, or the syntax error with its position.
    CheckExpr(CheckExprArgs),
    /// Convert a definition from another format into manyi's.
    Import {
        #[command(subcommand)]
        format: ImportFormat,
    },
    /// Convert a manyi definition into another format.
    Export {
        #[command(subcommand)]
        format: ExportFormat,
    },
    /// CRM figures: retention and churn rates, customer lifetime value.
    Crm {
        #[command(subcommand)]
        figure: crate::crm::CrmFigure,
        /// Print the unrounded figures as JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Run the server: the REST API and the built browser app.
    Serve(ServeArgs),
    /// Staff tokens for the server's staff endpoints.
    Token {
        #[command(subcommand)]
        action: TokenAction,
        /// `sqlite:PATH` or `postgres://…` (the server's database).
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
        database: String,
    },
    /// The audit log: who published, changed origins or targets, exported, deleted, and the
    /// token changes, newest first.
    Audit {
        /// Only entries about this survey.
        #[arg(long)]
        survey: Option<String>,
        /// How many entries (1–500).
        #[arg(long, default_value_t = manyi_api::DEFAULT_AUDIT_PAGE)]
        limit: u32,
        /// Entries older than this entry id (the last id of the previous page).
        #[arg(long)]
        before: Option<String>,
        /// `sqlite:PATH` or `postgres://…` (the server's database).
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// The stored rollups that reports add up (see the README's "Reports at scale").
    Rollup {
        #[command(subcommand)]
        action: RollupAction,
        /// `sqlite:PATH` or `postgres://…` (the server's database).
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
        database: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RollupAction {
    /// Recomputes a survey's rollups (or every survey's) from its stored responses, for its
    /// latest version. A running server goes on storing meanwhile; its reports read the
    /// responses until the rebuild is done.
    Rebuild {
        /// Only this survey.
        #[arg(long)]
        survey: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportFormat {
    /// A SurveyJS JSON definition. Prints the manyi definition, and on stderr everything that
    /// was not imported as it was (exit 1 with --strict when there is any).
    Surveyjs(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The SurveyJS JSON file.
    pub file: PathBuf,
    /// Write the definition here instead of to stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Fail (exit 1, nothing written) when anything is reported.
    #[arg(long)]
    pub strict: bool,
    /// The survey id (default: made from the title).
    #[arg(long)]
    pub id: Option<String>,
    /// The survey version (default: 1).
    #[arg(long)]
    pub version: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// SurveyJS JSON, for SurveyJS Creator; manyi-only settings go into `manyi` properties.
    Surveyjs {
        /// A definition file, or template:NAME.
        definition: String,
        /// Write the SurveyJS JSON here instead of to stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckExprArgs {
    /// The expression, such as `{nps} <= 6 and {channel} = 'web'`.
    pub expr: String,
    /// The answers as a JSON object of question id → value.
    #[arg(long, default_value = "{}")]
    pub values: String,
    /// The condition language: SurveyJS expressions or manyi's own `visible_if` language.
    #[arg(long, value_enum, default_value_t = Syntax::Surveyjs)]
    pub syntax: Syntax,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Syntax {
    Surveyjs,
    Manyi,
}

/// The embedded database `manyi serve` uses unless told otherwise.
pub const DEFAULT_DATABASE: &str = "sqlite://data/manyi.db?mode=rwc";

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it once; only its hash is stored.
    Create {
        #[arg(long)]
        name: String,
        /// What the token may do: `admin` everything (deleting responses, the audit log);
        /// `editor` publish, set origins and targets, read reports; `analyst` read reports,
        /// open-text answers, exports and follow-up cases; `case_handler` read and handle
        /// follow-up cases.
        #[arg(long, value_parser = ["admin", "editor", "analyst", "case_handler"])]
        role: String,
        /// Limit the token to this survey (repeat for several); without it, every survey.
        #[arg(long = "survey", value_name = "ID")]
        surveys: Vec<String>,
    },
    /// List tokens (never the tokens themselves).
    List,
    /// Revoke a token by its id.
    Revoke { id: String },
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// `sqlite:PATH` (created if missing) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/manyi.db?mode=rwc"
    )]
    pub database: String,
    /// The built app to serve at `/` (`trunk build --release` writes it to dist/).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// Response submissions allowed per second from one client address, with bursts of five
    /// times as many; 0 turns the limit off (for load tests behind a trusted proxy).
    #[arg(long, default_value_t = manyi_server::limit::RateLimit::DEFAULT.per_second)]
    pub rate_limit: f64,
    /// Request body bytes accepted per second from one client address, with bursts of eight
    /// times as many; 0 turns the budget off.
    #[arg(long, value_name = "BYTES", default_value_t = manyi_server::limit::RateLimit::DEFAULT_BYTES.per_second)]
    pub byte_rate: f64,
    /// A reverse proxy (an IP address or a CIDR block such as 10.0.0.0/8) whose
    /// `X-Forwarded-For` names the client for the rate limits; repeat for several. Without it
    /// the header is ignored.
    #[arg(long = "trusted-proxy", value_name = "IP_OR_CIDR")]
    pub trusted_proxies: Vec<manyi_server::limit::IpRange>,
    /// Send `Strict-Transport-Security: max-age=31536000`, for a server reached only over HTTPS
    /// (through a reverse proxy that terminates TLS).
    #[arg(long)]
    pub hsts: bool,
    /// Seconds a client has to send a request's headers, after connecting and between requests
    /// on a kept-alive connection; slower or idle connections are closed.
    #[arg(long, value_name = "SECONDS", default_value_t = manyi_server::ConnectionLimits::DEFAULT.header_timeout.as_secs_f64(), value_parser = positive_seconds)]
    pub header_timeout: f64,
    /// Connections served at once; beyond it the server accepts no more until one closes.
    #[arg(long, value_name = "N", default_value_t = manyi_server::ConnectionLimits::DEFAULT.max_connections as u32, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Let webhook endpoints be at loopback, private or link-local addresses (a receiver on
    /// this machine or inside the same private network). Without it such endpoints are
    /// refused when sent to, so a webhook URL cannot reach services behind the firewall.
    #[arg(long)]
    pub webhook_allow_private: bool,
    /// Seconds a webhook endpoint has to answer one delivery before the attempt counts as
    /// failed.
    #[arg(long, value_name = "SECONDS", default_value_t = manyi_server::webhooks::WebhookConfig::DEFAULT.timeout.as_secs_f64(), value_parser = positive_seconds)]
    pub webhook_timeout: f64,
    /// Seconds before a failed webhook delivery's second attempt; each later wait doubles (up
    /// to six hours, less a random part of up to half), for three days after the event.
    #[arg(long, value_name = "SECONDS", default_value_t = manyi_server::webhooks::WebhookConfig::DEFAULT.retry_base.as_secs_f64(), value_parser = positive_seconds)]
    pub webhook_retry_base: f64,
}

/// A duration in seconds, above zero and finite.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds.is_finite() && seconds < 1e9 => Ok(seconds),
        _ => Err(format!("{text:?} is not a number of seconds above 0")),
    }
}

#[derive(Debug, Subcommand)]
pub enum TemplateAction {
    /// List the template names.
    List,
    /// Print a template's definition JSON.
    Show { name: String },
}

#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// A definition file, or template:NAME.
    #[arg(long)]
    pub survey: String,
    /// Responses as a JSON array (.json) or a CSV export (.csv).
    #[arg(long)]
    pub responses: PathBuf,
    /// Break the headline figures down by this meta key.
    #[arg(long)]
    pub segment: Option<String>,
    /// Group the headline figures by day, week (ISO) or month.
    #[arg(long)]
    pub bucket: Option<BucketUnit>,
    /// The UTC offset that days, weeks and months are taken in, such as +08:00.
    #[arg(long, default_value = "+00:00", allow_hyphen_values = true)]
    pub utc_offset: String,
    /// Only responses submitted at or after this time (RFC 3339, or a date taken at midnight
    /// in --utc-offset). With --to, the report also compares with the period just before.
    #[arg(long)]
    pub from: Option<String>,
    /// Only responses submitted before this time (RFC 3339 or a date).
    #[arg(long)]
    pub to: Option<String>,
    /// Only responses with this meta value, written key:value (split at the first colon), such
    /// as channel:web.
    #[arg(long)]
    pub filter: Option<String>,
    /// Treat any bad row as an error (exit 1) instead of skipping it.
    #[arg(long)]
    pub strict: bool,
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Validate { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            match parse_survey(&text) {
                Ok(survey) => {
                    println!(
                        "{}: valid ({} v{}, {} questions)",
                        file.display(),
                        survey.id,
                        survey.version,
                        survey.questions().count()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!(
                        "{}",
                        format_definition_error(&file.display().to_string(), &e)
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Template { action } => match action {
            TemplateAction::List => {
                for name in manyi_core::templates::names() {
                    let survey = manyi_core::templates::get(name)
                        .expect("listed templates exist")
                        .map_err(|e| anyhow::anyhow!(format_definition_error(name, &e)))?;
                    println!("{name}\t{}", survey.title.get("en", &survey.default_locale));
                }
                Ok(ExitCode::SUCCESS)
            }
            TemplateAction::Show { name } => match manyi_core::templates::json(&name) {
                Some(json) => {
                    print!("{json}");
                    Ok(ExitCode::SUCCESS)
                }
                None => bail!(
                    "unknown template {name:?}; available: {}",
                    manyi_core::templates::names()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        },
        Command::Score(args) => score(args),
        Command::Schema => {
            print_json(&definition_schema())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckExpr(args) => check_expr(args),
        Command::Import {
            format: ImportFormat::Surveyjs(args),
        } => import_surveyjs(args),
        Command::Export {
            format: ExportFormat::Surveyjs { definition, output },
        } => {
            let survey = load_survey(&definition)?;
            write_json(output.as_deref(), &manyi_core::surveyjs::export(&survey))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Crm { figure, json } => crate::crm::run(figure, json),
        Command::Serve(args) => serve(args),
        Command::Token { action, database } => token(action, &database),
        Command::Audit {
            survey,
            limit,
            before,
            database,
        } => audit(survey, limit, before, &database),
        Command::Rollup { action, database } => rollup(action, &database),
    }
}

fn rollup(action: RollupAction, database: &str) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let db = manyi_server::Db::connect(database)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match action {
            RollupAction::Rebuild { survey } => {
                let surveys = match survey {
                    Some(id) => vec![id],
                    None => db
                        .surveys()
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                        .into_iter()
                        .map(|s| s.id)
                        .collect(),
                };
                for id in surveys {
                    let started = std::time::Instant::now();
                    let version = db
                        .rebuild_rollups(&id)
                        .await
                        .map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
                    println!(
                        "{id}\tversion {version}\trebuilt in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn token(action: TokenAction, database: &str) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let db = manyi_server::Db::connect(database)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match action {
            TokenAction::Create {
                name,
                role,
                surveys,
            } => {
                let (id, token) =
                    manyi_server::token::new_token().map_err(|e| anyhow::anyhow!("{e}"))?;
                let staff = Staff {
                    id,
                    name,
                    role: Role::from(role),
                    surveys: (!surveys.is_empty()).then_some(surveys),
                };
                let scope = scope_text(staff.surveys.as_deref());
                let record = AuditRecord::cli(
                    AuditAction::CreateToken,
                    None,
                    format!(
                        "token {} ({}), {}, {scope}",
                        staff.id, staff.name, staff.role
                    ),
                );
                db.add_token(&staff, &manyi_server::token::hash_token(&token), &record)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                eprintln!(
                    "token {} ({}) created with the role {}, for {scope}; it is shown only now:",
                    staff.id, staff.name, staff.role
                );
                println!("{token}");
                Ok(ExitCode::SUCCESS)
            }
            TokenAction::List => {
                for t in db.tokens().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                    let state = t
                        .revoked_at
                        .map_or("active".to_owned(), |at| format!("revoked {at}"));
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{state}",
                        t.id,
                        t.name,
                        t.role,
                        scope_text(t.surveys.as_deref()),
                        t.created_at
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            TokenAction::Revoke { id } => {
                let record =
                    AuditRecord::cli(AuditAction::RevokeToken, None, format!("token {id}"));
                if db
                    .revoke_token(&id, &record)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                {
                    println!("token {id} revoked");
                    Ok(ExitCode::SUCCESS)
                } else {
                    eprintln!("no active token {id}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    })
}

/// A token's survey scope in words.
fn scope_text(surveys: Option<&[String]>) -> String {
    match surveys {
        None => "every survey".to_owned(),
        Some(list) => format!("the surveys {}", list.join(", ")),
    }
}

fn audit(
    survey: Option<String>,
    limit: u32,
    before: Option<String>,
    database: &str,
) -> Result<ExitCode> {
    let query = manyi_api::AuditQuery {
        before,
        survey,
        limit: Some(limit),
    };
    let limit = query
        .page_size()
        .map_err(|e| anyhow::anyhow!("--limit: {e}"))?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let db = manyi_server::Db::connect(database)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let surveys = query.survey.clone().map(|s| vec![s]);
        let page = db
            .audit_page(query.before.as_deref(), surveys.as_deref(), limit)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for entry in &page.entries {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                entry.id,
                entry.at,
                entry.actor,
                entry.action,
                entry.survey_id.as_deref().unwrap_or("-"),
                entry.detail
            );
        }
        if let Some(next) = page.next {
            eprintln!("older entries: --before {next}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn serve(args: ServeArgs) -> Result<ExitCode> {
    // Logs go to stderr, so stdout carries only the URL line that scripts and tests read.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let db = manyi_server::Db::connect(&args.database)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        manyi_server::publish_templates(&db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let dist = args
            .dist
            .join("index.html")
            .exists()
            .then_some(args.dist.clone());
        if dist.is_none() {
            eprintln!(
                "note: {} has no built app (run `trunk build --release`); serving the API only",
                args.dist.display()
            );
        }
        let mut state = manyi_server::AppState::new(db, dist);
        let per_second = |rate: f64, burst: f64| {
            (rate > 0.0).then_some(manyi_server::limit::RateLimit {
                per_second: rate,
                burst: rate * burst,
            })
        };
        state.limiter = manyi_server::limit::Limiter::new(per_second(args.rate_limit, 5.0))
            .with_bytes(per_second(args.byte_rate, 8.0))
            .with_trusted_proxies(args.trusted_proxies.clone());
        state.hsts = args.hsts;
        state.webhooks = manyi_server::webhooks::WebhookConfig {
            allow_private: args.webhook_allow_private,
            timeout: std::time::Duration::from_secs_f64(args.webhook_timeout),
            retry_base: std::time::Duration::from_secs_f64(args.webhook_retry_base),
        };
        let limits = manyi_server::ConnectionLimits {
            header_timeout: std::time::Duration::from_secs_f64(args.header_timeout),
            max_connections: args.max_connections as usize,
        };
        manyi_server::serve(args.addr, state, limits)
            .await
            .with_context(|| format!("cannot serve on {}", args.addr))
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The JSON Schema of the definition format, generated from the Rust types.
pub fn definition_schema() -> schemars::Schema {
    schemars::schema_for!(manyi_core::Survey)
}

fn score(args: ScoreArgs) -> Result<ExitCode> {
    // The flags read exactly as the server's report query does.
    let options = ReportQuery {
        from: args.from,
        to: args.to,
        segment: args.segment,
        bucket: args.bucket.map(|unit| unit.as_str().to_owned()),
        utc_offset: Some(args.utc_offset),
        filter: args.filter,
    }
    .options()?;
    let survey = load_survey(&args.survey)?;
    let plan = Plan::new(&survey);
    let loaded = load_responses(&args.responses, &plan, &options)?;
    for bad in &loaded.bad {
        eprintln!(
            "{}: {}: {}",
            args.responses.display(),
            bad.location,
            bad.reason
        );
    }
    if args.strict && !loaded.bad.is_empty() {
        eprintln!("{} bad row(s); --strict stops here", loaded.bad.len());
        return Ok(ExitCode::from(1));
    }
    if !loaded.bad.is_empty() {
        eprintln!(
            "skipped {} bad row(s); scored {}",
            loaded.bad.len(),
            loaded.scored
        );
    }
    if loaded.report.segments_overflowed() {
        let key = options.segment.as_deref().unwrap_or_default();
        eprintln!("{}", manyi_api::too_many_segments(key));
        return Ok(ExitCode::from(1));
    }
    let report = loaded.finish();
    print_json(&report)?;
    Ok(ExitCode::SUCCESS)
}

/// Pretty JSON to a file, or to stdout.
fn write_json(path: Option<&std::path::Path>, value: &impl serde::Serialize) -> Result<()> {
    match path {
        Some(path) => {
            let mut text = serde_json::to_string_pretty(value)?;
            text.push('\n');
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => print_json(value),
    }
}

fn import_surveyjs(args: ImportArgs) -> Result<ExitCode> {
    let source = args.file.display().to_string();
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {source}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{source} is not JSON"))?;
    let options = manyi_core::surveyjs::Options {
        id: args.id,
        version: args.version,
    };
    let print_reports = |reports: &[manyi_core::surveyjs::Report]| {
        for r in reports {
            eprintln!("{source}: {r}");
        }
    };
    match manyi_core::surveyjs::import_with(&json, &options) {
        Ok(import) => {
            print_reports(&import.reports);
            if args.strict && !import.reports.is_empty() {
                eprintln!(
                    "{source}: {} report(s); --strict writes nothing",
                    import.reports.len()
                );
                return Ok(ExitCode::from(1));
            }
            write_json(args.output.as_deref(), &import.survey)?;
            let s = &import.survey;
            eprintln!(
                "{source}: imported as {} v{} ({} questions, {} report(s))",
                s.id,
                s.version,
                s.questions().count(),
                import.reports.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            print_reports(error.reports());
            eprintln!("{source}: {error}");
            if let manyi_core::surveyjs::ImportError::Invalid { problems, .. } = &error {
                for p in problems {
                    eprintln!("  {p}");
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn check_expr(args: CheckExprArgs) -> Result<ExitCode> {
    let values: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&args.values)
        .with_context(|| format!("--values must be a JSON object, not {:?}", args.values))?;
    let show_error = |e: manyi_core::condition::ParseError| {
        // The expression, then a caret under the character the error is at.
        let indent: String = args
            .expr
            .chars()
            .take(e.position)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        eprintln!("{}\n{indent}^ syntax error: {e}", args.expr);
        Ok(ExitCode::from(1))
    };
    match args.syntax {
        Syntax::Surveyjs => {
            let expr = match manyi_core::condition::surveyjs::Expr::parse(&args.expr) {
                Ok(expr) => expr,
                Err(e) => return show_error(e),
            };
            println!("parsed:    {expr}");
            println!("tree:");
            print_tree(&expr, 1);
            let value = expr.evaluate(&values);
            println!("value:     {}", show_value(&value));
            println!("condition: {}", expr.holds(&values));
            let unknown: Vec<&str> = expr
                .functions()
                .into_iter()
                .filter(|f| !manyi_core::condition::surveyjs::FUNCTIONS.contains(f))
                .collect();
            if !unknown.is_empty() {
                eprintln!(
                    "note: manyi does not implement {}; an unknown function gives null",
                    unknown.join(", ")
                );
            }
        }
        Syntax::Manyi => {
            let condition = match manyi_core::condition::Condition::parse(&args.expr) {
                Ok(condition) => condition,
                Err(e) => return show_error(e),
            };
            let answers: std::collections::BTreeMap<String, manyi_core::Answer> =
                serde_json::from_value(serde_json::Value::Object(values))
                    .context("--values must map question ids to answers")?;
            println!("parsed:    {condition}");
            println!("tree:      {condition:?}");
            println!("condition: {}", condition.eval(&answers));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A value as JavaScript would write it (`undefined` and `NaN` have no JSON form).
fn show_value(value: &manyi_core::condition::surveyjs::Value) -> String {
    match value.to_json() {
        Some(json) => json.to_string(),
        None if *value == manyi_core::condition::surveyjs::Value::Undefined => "undefined".into(),
        None => format!("{value:?}"),
    }
}

/// One node per line, children indented under their operator.
fn print_tree(expr: &manyi_core::condition::surveyjs::Expr, depth: usize) {
    use manyi_core::condition::surveyjs::Expr;
    let pad = "  ".repeat(depth);
    match expr {
        Expr::Binary { op, left, right } => {
            println!("{pad}{}", op.symbol());
            print_tree(left, depth + 1);
            print_tree(right, depth + 1);
        }
        Expr::Not(inner) => {
            println!("{pad}!");
            print_tree(inner, depth + 1);
        }
        Expr::Empty { operand, negated } => {
            println!("{pad}{}", if *negated { "notempty" } else { "empty" });
            print_tree(operand, depth + 1);
        }
        Expr::Call { name, args } => {
            println!("{pad}{name}()");
            args.iter().for_each(|a| print_tree(a, depth + 1));
        }
        Expr::Array(items) => {
            println!("{pad}[]");
            items.iter().for_each(|a| print_tree(a, depth + 1));
        }
        leaf => println!("{pad}{leaf}"),
    }
}
