//! Child processes: the Yardstik sandbox and the screening servers, started from the build
//! directory on loopback, each behind a guard that SIGKILLs it on drop (also on panic).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// Kills the child (SIGKILL) and reaps it when dropped.
pub struct ChildGuard {
    pub name: String,
    child: Option<Child>,
}

impl ChildGuard {
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }
    /// SIGKILL now (no graceful shutdown) and reap.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    pub fn exited(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => !matches!(c.try_wait(), Ok(None)),
            None => true,
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> anyhow::Result<ChildGuard> {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("log file {}", log.display()))?;
    cmd.stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out);
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {name}"))?;
    Ok(ChildGuard {
        name: name.to_string(),
        child: Some(child),
    })
}

/// A port that was free a moment ago (the OS picks it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Wait until `url` answers 200 (bounded); fails early when the process exits.
pub async fn wait_ready(
    http: &reqwest::Client,
    url: &str,
    guard: &mut ChildGuard,
    within: Duration,
) -> anyhow::Result<()> {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if let Ok(r) = http.get(url).timeout(Duration::from_secs(2)).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        if guard.exited() {
            bail!("{} exited during start-up", guard.name);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "{} did not answer 200 at {url} within {within:?}",
        guard.name
    )
}

/// Where the binaries are: `--bin-dir`, or next to this executable.
pub fn bin_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."))
    })
}

pub struct SandboxProc {
    pub url: String,
    /// Held so that dropping this kills the sandbox.
    pub _guard: ChildGuard,
}

pub async fn start_sandbox(
    bin: &Path,
    work: &Path,
    http: &reqwest::Client,
) -> anyhow::Result<SandboxProc> {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut cmd = Command::new(bin.join("yardstik-sandbox"));
    cmd.env("SANDBOX_BIND", format!("127.0.0.1:{port}"))
        .env("SANDBOX_APP_ORIGIN", &url)
        .env("SANDBOX_REPORT_DELAY_MS", "300")
        .env("SANDBOX_WEBHOOK_MAX_ATTEMPTS", "8")
        .env("SANDBOX_WEBHOOK_RETRY_BASE_MS", "500")
        .env("RUST_LOG", "yardstik_sandbox=warn");
    let mut guard = spawn("yardstik-sandbox", cmd, &work.join("sandbox.log"))?;
    wait_ready(
        http,
        &format!("{url}/sandbox/health"),
        &mut guard,
        Duration::from_secs(30),
    )
    .await?;
    Ok(SandboxProc { url, _guard: guard })
}

/// One screening-server instance; it can be SIGKILLed and restarted on the same port.
pub struct ServerProc {
    pub port: u16,
    pub url: String,
    pub guard: Option<ChildGuard>,
    pub starts: u32,
    bin: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
}

impl ServerProc {
    pub fn new(bin: &Path, work: &Path, index: usize, env: Vec<(String, String)>) -> Self {
        let port = free_port();
        ServerProc {
            port,
            url: format!("http://127.0.0.1:{port}"),
            guard: None,
            starts: 0,
            bin: bin.join("screening-server"),
            env,
            log: work.join(format!("server-{index}.log")),
        }
    }

    pub async fn start(&mut self, http: &reqwest::Client) -> anyhow::Result<()> {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("serve")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("SCREENING_BIND", format!("127.0.0.1:{}", self.port))
            .env("SCREENING_PUBLIC_URL", &self.url);
        self.starts += 1;
        let name = format!("screening-server :{} (start {})", self.port, self.starts);
        let mut guard = spawn(&name, cmd, &self.log)?;
        wait_ready(
            http,
            &format!("{}/healthz", self.url),
            &mut guard,
            Duration::from_secs(60),
        )
        .await?;
        self.guard = Some(guard);
        Ok(())
    }

    pub fn kill9(&mut self) {
        if let Some(mut g) = self.guard.take() {
            g.kill9();
        }
    }

    pub fn webhook_url(&self) -> String {
        format!("{}/webhooks/yardstik", self.url)
    }
}

/// `screening-server tenant add --from-file …` with the servers' storage settings.
pub fn add_tenant(bin: &Path, env: &[(String, String)], file: &Path) -> anyhow::Result<()> {
    let out = Command::new(bin.join("screening-server"))
        .args(["tenant", "add", "--replace", "--from-file"])
        .arg(file)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .context("cannot run screening-server tenant add")?;
    if !out.status.success() {
        bail!(
            "tenant add failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// A fresh PostgreSQL database `chaos_<suffix>` next to the one `base` names; returns its URL.
pub async fn fresh_postgres(base: &str, suffix: &str) -> anyhow::Result<String> {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(base)
        .await
        .context("connect to the PostgreSQL URL")?;
    let name = format!("chaos_{suffix}");
    pool.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await?;
    pool.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    pool.close().await;
    let (prefix, _) = base
        .rsplit_once('/')
        .context("PostgreSQL URL without a database path")?;
    Ok(format!("{prefix}/{name}"))
}
