//! The `pinne` command: parse arguments, build settings, call into the library.

use anyhow::Context;
use clap::{Parser, Subcommand};
use pinne::config::{DEFAULT_DATA_DIR, DEFAULT_LISTEN, ServeSettings};
use pinne::store::Store;
use pinne::{AppState, Clock, demo};
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
        /// Address to listen on (loopback only until accounts exist).
        #[arg(long, env = "PINNE_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Fill an empty database with demo data first (never touches one that holds tallies).
        #[arg(long)]
        demo: bool,
    },
    /// Fill an empty database with demo data for the default association and exit.
    Demo,
    /// Measure tally writes and yearly reports at national scale; prints a Markdown table.
    Bench(pinne::bench::Options),
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PINNE_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { listen, demo } => serve(ServeSettings { listen, data_dir: cli.data_dir, demo }),
        Command::Demo => {
            let store = open(&cli.data_dir)?;
            run_demo(&store)
        }
        Command::Bench(opts) => pinne::bench::run(&opts),
    }
}

fn open(dir: &std::path::Path) -> anyhow::Result<Store> {
    Store::open(dir).with_context(|| format!("could not open the database in {}", dir.display()))
}

fn run_demo(store: &Store) -> anyhow::Result<()> {
    match demo::fill(store, Clock::System.now())? {
        demo::Outcome::Filled { tallies, insats, from, to } => {
            tracing::info!(tallies, %insats, from, to = %to, "demo data added");
            Ok(())
        }
        demo::Outcome::AlreadyHasData => {
            anyhow::bail!("the database in {} already holds tallies; demo data was not added", store.path().display())
        }
    }
}

#[tokio::main]
async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    settings.check().map_err(anyhow::Error::msg)?;
    let store = open(&settings.data_dir)?;
    if settings.demo {
        let s = store.clone();
        match tokio::task::spawn_blocking(move || run_demo(&s)).await? {
            Ok(()) => {}
            Err(e) => tracing::warn!("{e:#}"),
        }
    }
    let app = pinne::app(AppState::new(store.clone(), Clock::System));
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("could not listen on {}", settings.listen))?;
    tracing::info!(data = %store.path().display(), "Pinne listens on http://{}", settings.listen);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    tracing::info!("stopped");
    Ok(())
}

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
