//! The `manyi` binary: parses arguments and hands over to [`manyi::commands`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = manyi::commands::Cli::parse();
    match manyi::commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
