use clap::{CommandFactory, FromArgMatches};
use screening_server::config::{self, Cli, Command, KeySource};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    return_large_frees();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screening-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let matches = Cli::command().get_matches();
    config::refuse_secret_flags(&matches)?;
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Init => {
            let (store, _, created) =
                config::resolve_store_with(&cli.store, KeySource::CreateIfMissing)?;
            screening_server::cli::init(&store, created, &mut std::io::stdout()).await
        }
        Command::Serve(args) => {
            let cfg = config::resolve(&cli.store, *args)?;
            screening_server::telemetry::init(cfg.log_format);
            let handle = screening_server::start(cfg).await?;
            let token = handle.shutdown_token();
            tokio::spawn(async move {
                shutdown_signal().await;
                tracing::info!("shutting down: finishing in-flight requests and deliveries");
                token.cancel();
            });
            handle.wait().await;
            Ok(())
        }
        Command::Tenant(cmd) => {
            let (store, _) = config::resolve_store(&cli.store)?;
            screening_server::cli::tenant(&store, cmd, &mut std::io::stdout()).await
        }
        Command::Deliveries(cmd) => {
            let (store, _) = config::resolve_store(&cli.store)?;
            screening_server::cli::deliveries(&store, cmd, &mut std::io::stdout()).await
        }
        Command::Healthcheck { url } => screening_server::cli::healthcheck(&url).await,
        Command::Backup { to } => {
            let (store, _) = config::resolve_store(&cli.store)?;
            screening_server::cli::backup(&store, &to, &mut std::io::stdout()).await
        }
        Command::Restore { from, replace } => {
            let (store, _) = config::resolve_store(&cli.store)?;
            screening_server::cli::restore(&store, &from, replace, &mut std::io::stdout()).await
        }
        Command::Events(cmd) => {
            let (store, _) = config::resolve_store(&cli.store)?;
            screening_server::cli::events(&store, cmd, &mut std::io::stdout()).await
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// Password checks hash with Argon2, whose default parameters take a 19 MiB buffer per check.
/// glibc serves such a buffer with `mmap` and returns it on free, but each such free also
/// raises its mmap threshold (up to 32 MiB), after which the next buffers come from the
/// arenas, which keep freed memory: after a login flood the process would stay at its
/// peak. A fixed threshold (setting it turns the raising off) keeps every allocation of
/// 1 MiB or more mapped on its own and unmapped when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_frees() {
    // SAFETY: mallopt only changes allocator parameters and takes glibc's own locks; it is
    // called first, before any password check allocates.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_frees() {}
