//! Load bench of the SIP engine: calls a second through Kamailio with vnum's configuration
//! (for every call a route query to the server and, when it ends, a call record) against
//! the real server, beside the same Kamailio with a static route to the same phone, in
//! the same run, and their ratio.
//!
//! ```sh
//! cargo bench -p vnum-server --bench sip_load
//! CALLS=5000 ROUNDS=3 RATE=2000 CHILDREN=8 cargo bench -p vnum-server --bench sip_load
//! ROUTE_CACHE=0 cargo bench -p vnum-server --bench sip_load   # a route query every call
//! ```
//!
//! sipp plays the callers (short calls: INVITE, 200, ACK, BYE) and the customer's phone on
//! loopback; the server runs in this process on an in-memory SQLite database. Needs
//! `kamailio` and `sipp`.

// A bench reports on stdout and stops on the first thing that goes wrong.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use vnum_calls::{ForwardingPlan, ForwardingTarget};
use vnum_core::{CustomerId, Period};
use vnum_kamailio::{EngineSettings, Kamailio};
use vnum_lifecycle::NumberKind;
use vnum_server::Settings;

#[path = "../tests/sipp/mod.rs"]
mod sipp;
#[path = "../tests/support/mod.rs"]
mod support;

use sipp::{ANSWERS, Sipp, call_totals, caller, free_port, free_tcp_port};
use support::Server;

/// The number called.
const RENTED: &str = "+4915112345678";

/// Kamailio relaying every INVITE to one address, `VNUM_GATEWAY`: the baseline.
const STATIC_ROUTE: &str = r#"#!KAMAILIO
#!defenvs VNUM_GATEWAY
log_stderror=yes
debug=1
auto_aliases=no
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
modparam("rr", "enable_full_lr", 1)
request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK") && t_check_trans()) {
			t_relay();
		}
		exit;
	}
	t_check_trans();
	remove_hf("Route");
	record_route();
	$du = "sip:" + VNUM_GATEWAY;
	t_relay();
}
"#;

fn setting(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if Kamailio::binary().is_none() || !sipp::installed() {
        eprintln!(
            "skipped: the SIP load bench needs kamailio and sipp (apt-get install kamailio \
             kamailio-utils-modules kamailio-extra-modules sip-tester)"
        );
        return;
    }
    // `cargo bench` passes `--bench`; this bench has no filters.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

/// One measured run: calls that completed, calls that failed, and the time they took.
struct Measured {
    completed: u64,
    failed: u64,
    elapsed: Duration,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64()
    }
}

async fn run() {
    let calls = setting("CALLS", 5000);
    let rounds = setting("ROUNDS", 3);
    let rate = setting("RATE", 400);
    let children = setting("CHILDREN", 8);
    let dir = std::env::temp_dir().join(format!("vnum-sip-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // vnum empties the engine's route table over its JSON-RPC after each change, so the
    // engine keeps routing decisions (ROUTE_CACHE=0: it asks for every call).
    let rpc = SocketAddr::from(([127, 0, 0, 1], free_tcp_port()));
    let server = Server::start_with(Settings {
        seed_catalogue: false,
        // The customer's server is a sipp on loopback.
        private_forwarding: true,
        sip_engine_rpc: Some(format!("http://{rpc}/RPC")),
        route_cache_seconds: setting("ROUTE_CACHE", 300),
        // The bench measures the engine's traffic, not the limit on it.
        engine_rate_limit_per_minute: 0,
        ..Settings::default()
    })
    .await;
    let anna = server.customer("anna@example.com", "person").await;
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let number = server.rent(&anna, &offer, RENTED).await;
    let phone = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let target = ForwardingTarget::parse(&phone.to_string()).unwrap();
    server
        .vnum()
        .set_forwarding(
            CustomerId(anna.id),
            number,
            Some(ForwardingPlan::single(target)),
        )
        .await
        .unwrap();

    let engine = |gateway: SocketAddr| {
        let mut settings = EngineSettings::new(
            SocketAddr::from(([127, 0, 0, 1], free_port())),
            &server.base,
            server.engine(),
        );
        settings.rpc = SocketAddr::from(([127, 0, 0, 1], free_tcp_port()));
        // sipp plays a carrier: every call from one address, far above the flood limit.
        settings.flood_requests = 1_000_000;
        settings.gateway = gateway.to_string();
        settings.children = u16::try_from(children).unwrap_or(8);
        settings.shared_memory_mib = 1024;
        settings
    };
    let vnum = Kamailio::start(&EngineSettings {
        rpc,
        ..engine(phone)
    })
    .unwrap();
    let fixed = Kamailio::start_with_config(&engine(phone), STATIC_ROUTE).unwrap();

    println!(
        "{calls} short calls a run at up to {rate}/s, {rounds} interleaved rounds, {children} \
         SIP workers, {} cores shared by Kamailio, sipp and the server",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    let mut results: [Vec<Measured>; 2] = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for (slot, (name, engine)) in [("static", &fixed), ("vnum", &vnum)]
            .into_iter()
            .enumerate()
        {
            let label = format!("{name}-{round}");
            let measured = measure(&dir, &label, engine.listen(), phone, calls, rate);
            results[slot].push(measured);
        }
    }

    let static_median = median(&results[0]);
    let vnum_median = median(&results[1]);
    for (name, runs, median) in [
        ("static route (Kamailio alone)", &results[0], static_median),
        ("vnum (route query + call record)", &results[1], vnum_median),
    ] {
        let failed: u64 = runs.iter().map(|m| m.failed).sum();
        let completed: u64 = runs.iter().map(|m| m.completed).sum();
        let each: Vec<String> = runs
            .iter()
            .map(|m| format!("{:.0}", m.per_second()))
            .collect();
        println!(
            "{name:<34} median {median:>7.0} calls/s  (runs: {}; {failed} of {} failed)",
            each.join(", "),
            completed + failed
        );
    }
    println!(
        "vnum / static = {:.2}",
        if static_median > 0.0 {
            vnum_median / static_median
        } else {
            0.0
        }
    );

    // Every completed call through vnum is recorded (R4.6), once the queue has drained.
    let today = server.today();
    let days = Period::new(today.pred_opt().unwrap(), today.succ_opt().unwrap()).unwrap();
    let completed: u64 = results[1].iter().map(|m| m.completed).sum();
    let drained = Instant::now();
    let mut recorded = 0;
    while drained.elapsed() < Duration::from_secs(30) {
        let stats = server
            .vnum()
            .call_stats(CustomerId(anna.id), days)
            .await
            .unwrap();
        recorded = stats
            .numbers
            .iter()
            .map(|n| u64::from(n.stats.answered))
            .sum();
        if recorded >= completed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "call records: {recorded} answered calls recorded for {completed} completed through \
         vnum, {:.1} s after the last run",
        drained.elapsed().as_secs_f64()
    );

    let log = vnum.log();
    let refused: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("call record") || line.contains("runaway"))
        .collect();
    if let Some(first) = refused.first() {
        println!(
            "{} call record problems in the engine's log; the first: {first}",
            refused.len()
        );
    }
    let total: u64 = {
        let stats = server
            .vnum()
            .call_stats(CustomerId(anna.id), days)
            .await
            .unwrap();
        stats.numbers.iter().map(|n| u64::from(n.stats.calls)).sum()
    };
    println!("calls recorded in all: {total}");

    vnum.stop();
    fixed.stop();
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `calls` short calls at up to `rate` a second through the engine at `engine` to the
/// phone at `phone`.
fn measure(
    dir: &Path,
    label: &str,
    engine: SocketAddr,
    phone: SocketAddr,
    calls: u32,
    rate: u32,
) -> Measured {
    let count = calls.to_string();
    let answering = Sipp::new(dir, &format!("{label}-phone"), ANSWERS, phone.port())
        .args(&["-timeout", "0"])
        .start();
    let stats = dir.join(format!("{label}-caller.csv"));
    let started = Instant::now();
    // 100 ms of talk keeps the ACK ahead of the BYE through parallel workers; a call that
    // waits 4 s for an answer has failed.
    let calling = Sipp::new(
        dir,
        &format!("{label}-caller"),
        &caller(200, 100),
        free_port(),
    )
    .to(engine)
    .args(&["-s", RENTED, "-m", &count, "-r", &rate.to_string()])
    .args(&["-l", "2000", "-timeout", "0", "-recv_timeout", "4000"])
    .args(&["-trace_stat", "-fd", "1", "-stf", stats.to_str().unwrap()])
    .start()
    .finish();
    let elapsed = started.elapsed();
    answering.stop();
    let (completed, failed) = call_totals(&stats);
    if !calling.passed() {
        let errors =
            std::fs::read_to_string(dir.join(format!("{label}-caller.errors"))).unwrap_or_default();
        let first: Vec<&str> = errors
            .lines()
            .filter(|l| l.contains("Aborting") || l.contains("imeout") || l.contains("nexpected"))
            .take(5)
            .collect();
        eprintln!(
            "{label}: {completed} completed, {failed} failed; first errors:\n{}",
            first.join("\n")
        );
    }
    Measured {
        completed,
        failed,
        elapsed,
    }
}

fn median(runs: &[Measured]) -> f64 {
    let mut rates: Vec<f64> = runs.iter().map(Measured::per_second).collect();
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}
