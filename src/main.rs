//! The `booklet` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use booklet::build::{self, BuildOptions, Format};
use booklet::import;

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
    /// Turn raw article text (web pages, WeChat posts, PDF extracts) into
    /// Markdown sources with front matter, and report every change.
    Import {
        /// Text files to import (UTF-8, GBK/GB18030 or Big5).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder for the Markdown files: 01.md, 02.md, … numbered across all
        /// inputs in the order given (a file holding several articles gives several).
        #[arg(long, short, default_value = "sources")]
        out: PathBuf,
        /// Report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite existing files in the output folder.
        #[arg(long)]
        force: bool,
    },
}

/// Exit codes: 0 success (warnings allowed), 1 build or import failed, 2 usage error.
const FAILED: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Import {
            files,
            out,
            dry_run,
            force,
        } => {
            let opts = import::Options {
                out_dir: out,
                dry_run,
                force,
            };
            match import::run(&files, &opts) {
                Ok((plan, written)) => {
                    print!("{}", plan.report);
                    if dry_run {
                        for d in &plan.documents {
                            let path = opts.out_dir.join(&d.file_name);
                            println!("would write {} ({})", path.display(), d.input);
                        }
                    }
                    for path in &written {
                        println!("wrote {}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    eprintln!("import failed");
                    ExitCode::from(FAILED)
                }
            }
        }
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
