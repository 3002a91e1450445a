//! The `pinne` command: parse arguments, build settings, call into the library.

use anyhow::Context;
use clap::{Parser, Subcommand};
use pinne::config::{DEFAULT_DATA_DIR, DEFAULT_LISTEN, ServeSettings};
use pinne::domain::account::{Role, check_account_name, check_password};
use pinne::store::{self, Store, audit::Action};
use pinne::web::auth::{AuthSettings, now_utc};
use pinne::{AppState, Clock, demo};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "pinne", version, about = "Anonym pinnstatistik för samordningsförbund (Finsam)")]
struct Cli {
    /// Directory for the SQLite database (created on first start).
    #[arg(long, global = true, env = "PINNE_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PINNE_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Fill an empty database with demo data and demo accounts first (never touches one that
        /// holds tallies or accounts).
        #[arg(long)]
        demo: bool,
        /// Development mode: plain http on loopback only (no `Secure` cookie, no HSTS, TOTP optional).
        #[arg(long, env = "PINNE_DEV", value_parser = clap::builder::BoolishValueParser::new())]
        dev: bool,
        /// Take client addresses from X-Forwarded-For (only behind a reverse proxy you control).
        #[arg(long, env = "PINNE_TRUST_PROXY", value_parser = clap::builder::BoolishValueParser::new())]
        trust_proxy: bool,
        /// Let a förbundschef sign in without TOTP. A risk: see docs/SECURITY.md.
        #[arg(long, env = "PINNE_TOTP_OPTIONAL", value_parser = clap::builder::BoolishValueParser::new())]
        totp_optional: bool,
        /// Sign-in with the municipality's account: an OpenID Connect settings file (docs/OIDC.md).
        /// The client secret comes from PINNE_OIDC_CLIENT_SECRET or the file it names.
        #[arg(long, env = "PINNE_OIDC")]
        oidc: Option<std::path::PathBuf>,
    },
    /// Create the database with an association's configuration: a built-in preset
    /// (degerfors-karlskoga, sydnarke, ornskoldsvik) or a TOML file of your own.
    Init {
        /// A built-in preset by name.
        #[arg(long, conflicts_with = "file")]
        preset: Option<String>,
        /// A preset file (same format as schema/presets/*.toml).
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
    /// Fill an empty database with demo data and demo accounts and exit.
    Demo,
    /// Print how much of each published report is kept by small-number protection: count cells
    /// shown per insats and year, and any headline figure hidden.
    Skydd {
        /// Measure the demo data of every built-in preset (in temporary databases) instead of the
        /// database in the data directory.
        #[arg(long)]
        demo: bool,
    },
    /// Print the Cell Key Method's perturbation table in the format of the ONS
    /// `cell-key-perturbation` package (`pcv,ckey,pvalue`, cell keys 0..range), or with `--apply`
    /// perturb `count,cell_key` lines read from standard input (see scripts/ckm_compare.py).
    Ptable {
        #[arg(long, default_value_t = 3)]
        threshold: i64,
        #[arg(long, default_value_t = 2)]
        max_deviation: i64,
        #[arg(long, default_value_t = 1.0)]
        variance: f64,
        /// The number of cell keys (the service uses 2^20).
        #[arg(long, default_value_t = 256)]
        range: i64,
        #[arg(long)]
        apply: bool,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Measure tally writes and yearly reports at national scale; prints a Markdown table.
    Bench(pinne::bench::Options),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input (first line), or, with
    /// --federated, the account signs in with the municipality's account (OpenID Connect).
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// Read the password from standard input (passwords never go on the command line).
        #[arg(long, required_unless_present = "federated", conflicts_with = "federated")]
        password_stdin: bool,
        /// No password: the account signs in at the identity provider and is linked to the person
        /// at the first sign-in by this name (`accounts = "linked"` in the OIDC settings).
        #[arg(long)]
        federated: bool,
        /// An insats the account works with (coach, huvudman); repeat for more.
        #[arg(long = "insats")]
        insatser: Vec<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it, alone, on standard output.
    Create {
        /// The account's name.
        name: String,
        /// What the token is for.
        #[arg(long, default_value = "kommandorad")]
        label: String,
        /// The token may only read.
        #[arg(long)]
        read_only: bool,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PINNE_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { listen, demo, dev, trust_proxy, totp_optional, oidc } => {
            serve(ServeSettings { listen, data_dir: cli.data_dir, demo, dev, trust_proxy, totp_optional, oidc })
        }
        Command::Init { preset, file } => init(&cli.data_dir, preset.as_deref(), file.as_deref()),
        Command::Demo => {
            let store = open(&cli.data_dir)?;
            run_demo(&store)
        }
        Command::Skydd { demo } => {
            use pinne::report::coverage;
            let now = pinne::Clock::System.now();
            let results = if demo {
                coverage::demo_presets(now, &coverage::both_rules)?
            } else {
                let store = open(&cli.data_dir)?;
                let config = store.config();
                let mut kept = Vec::new();
                for rule in coverage::both_rules(&config) {
                    kept.extend(coverage::measure(&store, &config, &rule, now)?);
                }
                vec![("databasen".to_string(), kept)]
            };
            for (preset, kept) in results {
                print!("{}", coverage::print(&preset, &kept));
            }
            Ok(())
        }
        Command::Ptable { threshold, max_deviation, variance, range, apply } => {
            let privacy = pinne::domain::Privacy {
                threshold,
                max_deviation,
                variance,
                method: pinne::domain::PrivacyMethod::CellKey,
                form: None,
            };
            if let Some((_, why)) = privacy.problems().first() {
                anyhow::bail!("{why}");
            }
            anyhow::ensure!((1..=1 << 20).contains(&range), "--range is 1 to 2^20");
            let table = pinne::report::protect::ckm::PTable::new(threshold, max_deviation, variance);
            if !apply {
                print!("{}", table.ons_csv(range));
                return Ok(());
            }
            use std::io::BufRead;
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let (n, key) =
                    line.trim().split_once(',').ok_or_else(|| anyhow::anyhow!("expected count,cell_key: {line}"))?;
                let (n, key): (i64, i64) = (n.trim().parse()?, key.trim().parse()?);
                println!("{}", table.perturb(n, key, range));
            }
            Ok(())
        }
        Command::User { command: UserCommand::Add { name, role, federated: true, insatser, .. } } => {
            let store = open(&cli.data_dir)?;
            add_user(&store, &name, &role, None, &insatser)
        }
        Command::User { command: UserCommand::Add { name, role, insatser, .. } } => {
            let store = open(&cli.data_dir)?;
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("could not read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            add_user(&store, &name, &role, Some(&password), &insatser)
        }
        Command::Token { command: TokenCommand::Create { name, label, read_only } } => {
            let store = open(&cli.data_dir)?;
            let token = create_token(&store, &name, &label, read_only)?;
            println!("{token}");
            Ok(())
        }
        Command::Bench(opts) => pinne::bench::run(&opts),
    }
}

/// `pinne init`: a new database with the chosen configuration. Refuses a database that already
/// has one (a configuration is never replaced under stored tallies).
fn init(dir: &std::path::Path, preset: Option<&str>, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    use pinne::domain::preset::{BUILTIN, Preset};
    let preset = match (preset, file) {
        (Some(name), _) => Preset::builtin(name).with_context(|| {
            let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            format!("no preset called {name:?}; the built-in presets are {}", names.join(", "))
        })?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
            Preset::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        (None, None) => anyhow::bail!("give --preset NAME or --file PATH"),
    };
    let refuse_existing = || -> anyhow::Result<()> {
        if dir.join(pinne::store::DB_FILE).exists() {
            let existing = open(dir)?;
            anyhow::bail!(
                "{} already holds a database, configured for {:?}; nothing was changed",
                dir.display(),
                existing.config().association
            );
        }
        Ok(())
    };
    // Checked before the lock (a running server holds it, and the database is the better reason)
    // and again under it: no server may create the database while `init` does.
    refuse_existing()?;
    let _lock = lock_data_dir(dir)?;
    refuse_existing()?;
    let store = match Store::open_with_preset(dir, &preset) {
        Ok(store) => store,
        Err(e) => {
            // Leave no half-made database behind for a later `init` or `serve` to pick up.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("{}{suffix}", pinne::store::DB_FILE)));
            }
            return Err(anyhow::Error::new(e).context(format!("could not create the database in {}", dir.display())));
        }
    };
    let cfg = store.config();
    println!(
        "Created {} for {} ({} insatser).",
        dir.join(pinne::store::DB_FILE).display(),
        cfg.association,
        cfg.insatser.len()
    );
    Ok(())
}

/// The lock file a running server holds in its data directory.
const LOCK_FILE: &str = "pinne.lock";

/// Takes the data directory's exclusive lock, or says which server holds it. Two servers on one
/// database would each keep their own copy of the configuration; the CLI commands (`user add`,
/// `token create`, `demo`, `init`) do not take it: they only add rows through SQLite's own locking,
/// which a running server reads at its next request.
fn lock_data_dir(dir: &std::path::Path) -> anyhow::Result<std::fs::File> {
    use std::io::{Read, Seek, Write};
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("could not open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{}", std::process::id())?;
            file.flush()?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            anyhow::bail!(
                "another Pinne server (process {}) already uses the data directory {}; stop it first, or give this one its own --data-dir",
                pid.trim(),
                dir.display()
            )
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(anyhow::Error::new(e).context(format!("could not lock {}", path.display())))
        }
    }
}

fn open(dir: &std::path::Path) -> anyhow::Result<Store> {
    Store::open(dir).with_context(|| format!("could not open the database in {}", dir.display()))
}

/// Demo data and demo accounts, only into a database that has neither tallies nor accounts: the
/// demo passwords are public, so they must never land next to real data.
fn run_demo(store: &Store) -> anyhow::Result<()> {
    if store.read_blocking(store::account::count)? > 0 {
        anyhow::bail!("the database in {} already has accounts; demo data was not added", store.path().display());
    }
    match demo::fill(store, Clock::System.now())? {
        demo::Outcome::Filled { tallies, insats, from, to } => {
            tracing::info!(tallies, %insats, from, to = %to, "demo data added");
            if demo::accounts(store)? {
                tracing::info!("demo accounts added: {}", demo::ACCOUNTS.map(|a| a.0).join(", "));
            }
            Ok(())
        }
        demo::Outcome::AlreadyHasData => {
            anyhow::bail!("the database in {} already holds tallies; demo data was not added", store.path().display())
        }
    }
}

/// A local account with a password, or (`None`) a federated one.
fn add_user(store: &Store, name: &str, role: &str, password: Option<&str>, insatser: &[String]) -> anyhow::Result<()> {
    check_account_name(name).map_err(anyhow::Error::msg)?;
    let role = Role::parse(role)
        .with_context(|| format!("unknown role {role:?}: use coach, huvudman, forbundschef or lasare"))?;
    if let Some(password) = password {
        check_password(password, name).map_err(anyhow::Error::msg)?;
    }
    let cfg = store.config();
    let ids = insatser
        .iter()
        .map(|k| cfg.insats(k).map(|i| i.id).with_context(|| format!("unknown insats {k:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let hash = password.map_or_else(|| store::account::NO_PASSWORD.to_string(), pinne::auth::hash_password);
    let name = name.to_string();
    store.write_blocking(|tx| {
        let now = now_utc();
        let id = store::account::create(tx, &name, role, &hash, &ids, &now)?;
        if password.is_none() {
            store::account::set_federated(tx, id, true)?;
        }
        let how = if password.is_none() { ", kommunens konto" } else { "" };
        store::audit::append(
            tx,
            &now,
            None,
            Action::AccountCreated,
            &format!("{name} ({}){how}", role.as_str()),
            Some("kommandorad"),
        )
    })?;
    let how = if password.is_none() { ", signs in with the municipality's account" } else { "" };
    eprintln!("account {name} ({}) created{how}", role.as_str());
    Ok(())
}

fn create_token(store: &Store, name: &str, label: &str, read_only: bool) -> anyhow::Result<String> {
    let c = store
        .read_blocking(|c| store::account::by_name(c, name))?
        .with_context(|| format!("no account named {name:?}"))?;
    anyhow::ensure!(c.account.active, "the account {name:?} is deactivated");
    pinne::domain::account::check_token_label(label).map_err(anyhow::Error::msg)?;
    let (token, hash) = pinne::auth::new_token();
    let (id, account) = (c.account.id, c.account.name.clone());
    let label = label.to_string();
    store.write_blocking(|tx| {
        let now = now_utc();
        let token_id = store::account::create_token(tx, id, &label, &hash, read_only, &now)?;
        let scope = if read_only { "läsa" } else { "som kontot" };
        store::audit::append(
            tx,
            &now,
            Some((id, &account)),
            Action::TokenCreated,
            &format!("nyckel {token_id} ”{label}” ({scope})"),
            Some("kommandorad"),
        )
    })?;
    eprintln!("API token for {name} created; it is shown only now");
    Ok(token)
}

/// `pinne serve`: takes the data directory's lock, then runs the server. The lock is released only
/// after the runtime has stopped, blocking work included, so no second server can start beside
/// writes still under way.
fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    settings.check().map_err(anyhow::Error::msg)?;
    let lock = lock_data_dir(&settings.data_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let done = runtime.block_on(run(settings));
    // Blocking work (a protection step, a write) gets a moment more; then the process ends.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    drop(lock);
    done
}

async fn run(settings: ServeSettings) -> anyhow::Result<()> {
    let store = open(&settings.data_dir)?;
    if settings.demo {
        let s = store.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || run_demo(&s)).await? {
            tracing::warn!("{e:#}");
        }
    }
    if store.read_blocking(store::account::count)? == 0 {
        tracing::warn!(
            "there are no accounts: create the first förbundschef with `pinne user add NAME --role forbundschef --password-stdin`"
        );
    }
    let auth = AuthSettings {
        dev: settings.dev,
        require_totp_for_chef: !settings.totp_optional,
        trust_proxy: settings.trust_proxy,
    };
    if settings.dev {
        tracing::warn!("development mode: plain http on loopback, TOTP optional; never use it for real data");
    }
    let mut state = AppState::with_auth(store.clone(), Clock::System, auth);
    if let Some(path) = &settings.oidc {
        let oidc = pinne::oidc::Settings::load(path, std::env::var(pinne::oidc::SECRET_ENV).ok())?;
        let cfg = store.config();
        oidc.check_insatser(|key| cfg.insats(key).is_some())?;
        tracing::info!(
            issuer = %oidc.issuer.as_str(),
            local_login = oidc.local_login,
            "sign-in with the municipality's account (OpenID Connect) is on"
        );
        state = state.with_oidc(pinne::oidc::Oidc::new(oidc)?);
    }
    // The first reader after a start should not wait for the protection of the running year.
    tokio::spawn(pinne::web::report::warm(state.clone()));
    let cache = state.published.clone();
    let app = pinne::app(state);
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("could not listen on {}", settings.listen))?;
    tracing::info!(data = %store.path().display(), "Pinne listens on http://{}", settings.listen);
    let (signalled, mut stopping) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(
        async move {
            shutdown().await;
            tracing::info!("stopping: finishing the requests under way");
            // Protection under way stops at its next year; its requests are answered 503.
            cache.stop();
            let _ = signalled.send(true);
        },
    );
    // Requests under way get a few seconds; a stored tally is committed before it is acknowledged,
    // so stopping then loses nothing that was acknowledged.
    let deadline = async move {
        let _ = stopping.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        done = server => done?,
        _ = deadline => tracing::warn!(seconds = SHUTDOWN_GRACE.as_secs(), "requests still under way at shutdown were cut off"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// How long a shutdown waits for the requests under way.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
