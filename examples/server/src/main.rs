//! `cargo run --release -p vnum-server`: the vnum HTTP API on 127.0.0.1:8080.

use tracing_subscriber::EnvFilter;
use vnum_server::{Running, Settings};

/// A request allocates many small short-lived values (records, bodies, futures); mimalloc
/// serves those from per-thread pages instead of glibc's shared arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let settings = Settings::from_env()?;
    let running = vnum_server::start(&settings).await?;
    print_welcome(&running, &settings);
    shutdown_signal().await?;
    tracing::info!("shutting down");
    running.stop().await
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
