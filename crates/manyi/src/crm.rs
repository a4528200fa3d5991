//! `manyi crm`: the CRM figures of the domain brief (retention rate, churn rate, customer
//! lifetime value), computed by [`manyi_core::crm`] from figures given on the command line.
//!
//! Where the core finds no meaningful answer it returns `None`; the command then says what the
//! figure needs and exits 1, as other commands do for input with problems. Text rounds for
//! display, half away from zero (percentages and money to two places, survival shares to four);
//! `--json` gives the unrounded values.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Subcommand;
use manyi_core::crm::{self, ClvSchedule};
use manyi_core::display::format_fixed;
use serde_json::json;

use crate::commands::print_json;

#[derive(Debug, Subcommand)]
pub enum CrmFigure {
    /// Retention rate over a period: (customers at the end − new customers) / customers at the
    /// start.
    Retention {
        /// Customers at the start of the period.
        #[arg(long)]
        start: u64,
        /// Customers at the end of the period, new ones included.
        #[arg(long)]
        end: u64,
        /// Customers acquired during the period.
        #[arg(long)]
        new: u64,
    },
    /// Churn rate over a period: customers lost / customers at the start.
    Churn {
        /// Customers at the start of the period.
        #[arg(long)]
        start: u64,
        /// Customers lost during the period.
        #[arg(long)]
        lost: u64,
    },
    /// Customer lifetime value: by the simple retention model m·r / (1 + d − r) over an
    /// unlimited horizon, or by discounted cash flow when --periods or a list of margins or
    /// retention rates gives a schedule.
    Clv(ClvArgs),
}

#[derive(Debug, clap::Args)]
pub struct ClvArgs {
    /// The margin per period after acquisition, or a comma-separated list of one per period.
    #[arg(
        long,
        required = true,
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub margin: Vec<f64>,
    /// The share of customers who renew from one period to the next (0–1), or a
    /// comma-separated list of one per period.
    #[arg(
        long,
        required = true,
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub retention: Vec<f64>,
    /// The discount rate per period, such as 0.1 for 10 %.
    #[arg(long, allow_negative_numbers = true)]
    pub discount: f64,
    /// Periods after acquisition, for discounted cash flow with the same margin and retention
    /// in each.
    #[arg(long)]
    pub periods: Option<usize>,
    /// The margin of the acquisition period (period 0, not discounted); discounted cash flow
    /// only. Default 0.
    #[arg(long, allow_negative_numbers = true)]
    pub initial_margin: Option<f64>,
}

pub fn run(figure: CrmFigure, json: bool) -> Result<ExitCode> {
    match figure {
        CrmFigure::Retention { start, end, new } => rate(
            "retention rate",
            "retention_rate",
            crm::retention_rate(start, end, new),
            "it needs customers at the start (--start above 0) and no more new customers than \
             customers at the end (--new at most --end)",
            json,
        ),
        CrmFigure::Churn { start, lost } => rate(
            "churn rate",
            "churn_rate",
            crm::churn_rate(start, lost),
            "it needs customers at the start (--start above 0) and no more customers lost than \
             there were (--lost at most --start)",
            json,
        ),
        CrmFigure::Clv(args) => clv(args, json),
    }
}

/// Prints a rate as `name: value (percent %)`, or as `{"key": value}`.
fn rate(name: &str, key: &str, value: Option<f64>, needs: &str, json: bool) -> Result<ExitCode> {
    let Some(value) = value else {
        eprintln!("no {name}: {needs}");
        return Ok(ExitCode::from(1));
    };
    if json {
        print_json(&json!({ key: value }))?;
    } else {
        println!("{name}: {value} ({} %)", format_fixed(value * 100.0, 2));
    }
    Ok(ExitCode::SUCCESS)
}

fn clv(args: ClvArgs, json: bool) -> Result<ExitCode> {
    // A list of more than one value fixes the horizon as surely as --periods does.
    let periods = args.periods.or_else(|| {
        [args.margin.len(), args.retention.len()]
            .into_iter()
            .filter(|&n| n > 1)
            .max()
    });
    let Some(periods) = periods else {
        if args.initial_margin.is_some() {
            bail!(
                "--initial-margin needs a schedule: give --periods, or one --retention per period"
            );
        }
        let (margin, retention) = (args.margin[0], args.retention[0]);
        let Some(clv) = crm::clv_simple(margin, retention, args.discount) else {
            eprintln!(
                "no CLV: the simple retention model needs a finite margin, a retention rate of at \
                 least 0 and below 1 (a customer who always renews is worth an unlimited sum) and \
                 a discount rate of 0 or more"
            );
            return Ok(ExitCode::from(1));
        };
        if json {
            print_json(&json!({ "model": "simple", "clv": clv }))?;
        } else {
            println!(
                "CLV: {} (simple retention model, m·r / (1 + d − r))",
                format_fixed(clv, 2)
            );
        }
        return Ok(ExitCode::SUCCESS);
    };
    let margins = per_period("margin", &args.margin, periods)?;
    let retention = per_period("retention", &args.retention, periods)?;
    let initial = args.initial_margin.unwrap_or(0.0);
    let Some(schedule) = crm::clv_dcf(initial, &margins, &retention, args.discount) else {
        eprintln!(
            "no CLV: discounted cash flow needs finite margins, retention rates from 0 to 1 and a \
             discount rate of 0 or more"
        );
        return Ok(ExitCode::from(1));
    };
    if json {
        let ClvSchedule { periods, clv } = schedule;
        print_json(&json!({ "model": "discounted_cash_flow", "clv": clv, "periods": periods }))?;
    } else {
        print_schedule(&schedule);
    }
    Ok(ExitCode::SUCCESS)
}

/// One value per period: a single value repeated, or a list as long as the schedule.
fn per_period(name: &str, values: &[f64], periods: usize) -> Result<Vec<f64>> {
    match values {
        [one] => Ok(vec![*one; periods]),
        list if list.len() == periods => Ok(list.to_vec()),
        list => bail!(
            "--{name} has {} values; give one, or one for each of the {periods} periods",
            list.len()
        ),
    }
}

fn print_schedule(schedule: &ClvSchedule) {
    println!(
        "{:>6}  {:>8}  {:>10}  {:>10}  {:>13}",
        "period", "survival", "margin", "expected", "present value"
    );
    for p in &schedule.periods {
        println!(
            "{:>6}  {:>8}  {:>10}  {:>10}  {:>13}",
            p.period,
            format_fixed(p.survival, 4),
            format_fixed(p.margin, 2),
            format_fixed(p.expected, 2),
            format_fixed(p.present_value, 2)
        );
    }
    println!(
        "CLV: {} (discounted cash flow over {} periods after acquisition)",
        format_fixed(schedule.clv, 2),
        schedule.periods.len() - 1
    );
}
