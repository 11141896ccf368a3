use clap::Parser;
use screening_server::config::{self, Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screening-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
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
