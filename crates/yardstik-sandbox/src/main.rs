use clap::Parser;
use yardstik_sandbox::config::Cli;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "yardstik_sandbox=info".into()),
        )
        .init();
    let config = match Cli::parse().into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("yardstik-sandbox: {e}");
            std::process::exit(2);
        }
    };
    let handle = match yardstik_sandbox::spawn(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("yardstik-sandbox: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    println!("yardstik-sandbox listening on {}", handle.base_url());
    println!("yardstik-sandbox app origin {}", handle.app_origin());
    if handle.profile_origin() != handle.app_origin() {
        println!(
            "yardstik-sandbox profile origin {}",
            handle.profile_origin()
        );
    }
    if handle.state().reference_only {
        println!("yardstik-sandbox serves only what the reference shows (reference-only mode)");
    }
    shutdown_signal().await;
    handle.shutdown().await;
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
