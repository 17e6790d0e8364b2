//! The `booklet` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use booklet::build::{self, BuildOptions, Format};

/// Compile Chinese articles into a study booklet: an EPUB 3 e-book and a
/// print-ready PDF, with a table of contents and embedded, subset CJK fonts.
#[derive(Parser)]
#[command(name = "booklet", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the booklet's EPUB and/or PDF from a manifest.
    Build {
        /// The manifest [default: ./booklet.toml].
        manifest: Option<PathBuf>,
        /// Output folder [default: `[output] dir` of the manifest, else `out/` beside it].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Which outputs to build.
        #[arg(long, short, value_enum, default_value_t = Format::All)]
        format: Format,
    },
}

/// Exit codes: 0 success (warnings allowed), 1 build failed, 2 usage error.
const FAILED: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            manifest,
            out,
            format,
        } => {
            let opts = BuildOptions {
                manifest: manifest.unwrap_or_else(|| PathBuf::from("booklet.toml")),
                out_dir: out,
                format,
            };
            match build::build(&opts) {
                Ok(report) => {
                    for d in report.diagnostics.iter() {
                        eprintln!("{d}");
                    }
                    for path in &report.written {
                        println!("wrote {}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    for d in diags.iter() {
                        eprintln!("{d}");
                    }
                    let n = diags.errors().count();
                    eprintln!("build failed: {n} error{}", if n == 1 { "" } else { "s" });
                    ExitCode::from(FAILED)
                }
            }
        }
    }
}
