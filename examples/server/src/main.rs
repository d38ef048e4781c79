//! `cargo run --release -p vnum-server`: the vnum HTTP API on 127.0.0.1:8080.
//! `vnum-server create-operator-key --name NAME`: a new operator key, printed once.

use tracing_subscriber::EnvFilter;
use vnum_server::{Running, Settings};

/// A request allocates many small short-lived values (records, bodies, futures); mimalloc
/// serves those from per-thread pages instead of glibc's shared arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if let Some(command) = args.first() {
        // A command prints its answer on stdout alone: the log goes to stderr.
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
        let settings = Settings::from_env()?;
        return run_command(command, &args[1..], &settings).await;
    }
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let settings = Settings::from_env()?;
    let running = vnum_server::start(&settings).await?;
    print_welcome(&running, &settings);
    shutdown_signal().await?;
    tracing::info!("shutting down");
    running.stop().await
}

/// What the binary does besides serving: `create-operator-key --name NAME` prints a new
/// operator key's token, for an operator who lost theirs.
// The token is for the person at the terminal, not for the log.
#[allow(clippy::print_stdout)]
async fn run_command(command: &str, args: &[String], settings: &Settings) -> anyhow::Result<()> {
    match (command, args) {
        ("create-operator-key", [flag, name]) if flag == "--name" => {
            let token = vnum_server::create_operator_key(settings, name).await?;
            println!("{token}");
            Ok(())
        }
        ("create-operator-key", _) => {
            anyhow::bail!("usage: vnum-server create-operator-key --name NAME")
        }
        (other, _) => anyhow::bail!(
            "unknown command {other:?}: run vnum-server without arguments to serve, or \
             `vnum-server create-operator-key --name NAME` to print a new operator key"
        ),
    }
}

/// Ctrl-C, or SIGTERM from a service manager or container runtime.
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

// The keys are for the person at the terminal, not for the log.
#[allow(clippy::print_stdout)]
fn print_welcome(running: &Running, settings: &Settings) {
    let base = format!("http://{}", running.addr);
    println!("vnum listening on {base}");
    println!("  API docs:  {base}/docs");
    println!("  OpenAPI:   {base}/openapi.json");
    match &running.demo {
        Some(demo) => {
            println!("  operator key:      {}", demo.operator_key);
            println!(
                "  SIP engine key:    {} (Kamailio's vnum-http.cfg)",
                demo.engine_key
            );
            println!("  demo customer {}: {}", demo.customer, demo.customer_key);
            println!(
                "  try: curl -H 'Authorization: Bearer {}' {base}/v1/me",
                demo.customer_key
            );
            println!(
                "  the catalogue: curl -H 'Authorization: Bearer {}' {base}/v1/offers",
                demo.customer_key
            );
        }
        None if settings.seed_demo => {
            println!("  demo data exists: its keys were printed when it was seeded");
        }
        None => {}
    }
}
