//! The reference for the webhook-ingest benchmark: the most trivial axum handler that takes
//! the same request (`POST /webhooks/yardstik`, reading the whole body) and answers 200 with
//! a small JSON body, on the same runtime flavour as the server. Anything the server does
//! beyond this (parse, find the tenant, verify the HMAC, de-duplicate, persist) shows up as
//! the ratio between the two in `pkg-scripts/bench`.
//!
//!   bench-reference [--bind 127.0.0.1:0]
//!
//! Prints `bench-reference listening on http://ADDR` once bound; stops on SIGTERM / Ctrl-C.

use axum::body::Bytes;
use axum::routing::{get, post};
use axum::Router;

pub fn app() -> Router {
    Router::new()
        .route(
            "/webhooks/yardstik",
            post(|body: Bytes| async move {
                let _ = body.len();
                (
                    [("content-type", "application/json")],
                    r#"{"status":"accepted"}"#,
                )
            }),
        )
        .route("/healthz", get(|| async { "ok" }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut bind = "127.0.0.1:0".to_string();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bind" => bind = args.next().expect("--bind needs an address"),
            other => {
                eprintln!("bench-reference: unknown argument {other} (usage: bench-reference [--bind ADDR])");
                std::process::exit(2);
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!(
        "bench-reference listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app())
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term.recv() => {} }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_200() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app()).await.unwrap() });
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        s.write_all(b"POST /webhooks/yardstik HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}").await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(out.ends_with(r#"{"status":"accepted"}"#), "{out}");
    }
}
