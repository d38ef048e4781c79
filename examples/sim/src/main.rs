//! `vnum-sim`: runs the billing simulation of a TOML scenario and writes its monthly series
//! as CSV.
//!
//! ```text
//! vnum-sim <scenario.toml> [--seed <n>] [--customers <customers.csv>]
//! ```
//!
//! The series go to standard output, one row per month and currency; `--customers` also
//! writes every customer's end balance and state. The same file and seed give the same
//! output on every machine.

mod file;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use vnum_sim::{Outcome, Simulation};

const USAGE: &str = "usage: vnum-sim <scenario.toml> [--seed <n>] [--customers <customers.csv>]";

struct Args {
    scenario: PathBuf,
    seed: u64,
    customers: Option<PathBuf>,
}

fn args() -> anyhow::Result<Args> {
    let mut scenario = None;
    let mut seed = 0;
    let mut customers = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--seed") => {
                let value = args.next().context("--seed needs a number")?;
                let text = value.to_string_lossy();
                seed = text.parse().with_context(|| {
                    format!(
                        "--seed {text:?}: expected a whole number from 0 to {}",
                        u64::MAX
                    )
                })?;
            }
            Some("--customers") => {
                customers = Some(args.next().context("--customers needs a file name")?.into());
            }
            Some("-h" | "--help") => bail!("{USAGE}"),
            Some(flag) if flag.starts_with("--") => bail!("unknown option {flag}\n{USAGE}"),
            _ if scenario.is_none() => scenario = Some(arg.into()),
            _ => bail!("one scenario file only\n{USAGE}"),
        }
    }
    Ok(Args {
        scenario: scenario.context(USAGE)?,
        seed,
        customers,
    })
}

fn write_series(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    writeln!(
        out,
        "month,currency,revenue,discounts,new_debt,debt_outstanding,suspended,resumed,\
         numbers_connected,orders_refused,numbers_lost,numbers,numbers_active"
    )?;
    for row in &outcome.series {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            row.month.format("%Y-%m"),
            row.currency,
            row.revenue.amount(),
            row.discounts.amount(),
            row.new_debt.amount(),
            row.debt_outstanding.amount(),
            row.suspended,
            row.resumed,
            row.numbers_connected,
            row.orders_refused,
            row.numbers_lost,
            row.numbers,
            row.numbers_active
        )?;
    }
    Ok(())
}

fn write_customers(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    writeln!(out, "customer,currency,balance,state,numbers")?;
    for (index, end) in outcome.customers.iter().enumerate() {
        let state = if end.state.receives_traffic() {
            "active"
        } else {
            "suspended"
        };
        writeln!(
            out,
            "{index},{},{},{state},{}",
            end.balance.currency(),
            end.balance.amount(),
            end.numbers
        )?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("reading {}", args.scenario.display()))?;
    let file: file::ScenarioFile = toml::from_str(&text)
        .with_context(|| format!("{} is not a scenario", args.scenario.display()))?;
    let scenario = file
        .scenario()
        .with_context(|| format!("{} is not a scenario", args.scenario.display()))?;
    let simulation = Simulation::new(scenario)
        .with_context(|| format!("{} cannot run", args.scenario.display()))?;
    let outcome = simulation.run(args.seed)?;

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_series(&mut out, &outcome)?;
    out.flush()?;
    if let Some(path) = args.customers {
        let file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        write_customers(&mut out, &outcome)?;
        out.flush()?;
    }
    Ok(())
}
