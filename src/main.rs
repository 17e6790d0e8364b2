//! The `booklet` command line: parses arguments, runs a command, prints its
//! diagnostics. Exit codes: 0 success (warnings allowed), 1 failure, 2 usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use booklet::build::{self, BuildOptions, BuildReport, Format};
use booklet::diag::{Diagnostic, Diagnostics};
use booklet::import;

/// `eprintln!` that does not panic when stderr is closed.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that does not panic when stdout is closed (`booklet fonts | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Compile Chinese articles into a study booklet: an EPUB 3 e-book and a
/// print-ready PDF, with a table of contents and embedded, subset CJK fonts.
#[derive(Parser)]
#[command(name = "booklet", version, about, long_about = None)]
struct Cli {
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print how long each phase took and what was reused.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the booklet's EPUB and/or PDF from a manifest.
    Build(BuildArgs),
    /// Check the manifest, sources, images and font coverage; write nothing.
    Check {
        /// The manifest [default: ./booklet.toml].
        manifest: Option<PathBuf>,
    },
    /// Create a new booklet project (manifest, sample article, style).
    Init {
        /// Folder to create it in [default: the current folder].
        dir: Option<PathBuf>,
    },
    /// List the usable CJK font families and what the manifest resolves to.
    Fonts {
        /// The manifest [default: ./booklet.toml, if there is one].
        manifest: Option<PathBuf>,
    },
    /// Rebuild whenever the manifest, a source, a style or an image changes.
    Watch(BuildArgs),
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

#[derive(clap::Args)]
struct BuildArgs {
    /// The manifest [default: ./booklet.toml].
    manifest: Option<PathBuf>,
    /// Output folder [default: `[output] dir` of the manifest, else `out/` beside it].
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Which outputs to build.
    #[arg(long, short, value_enum, default_value_t = Format::All)]
    format: Format,
}

impl BuildArgs {
    fn options(self) -> BuildOptions {
        BuildOptions {
            out_dir: self.out,
            format: self.format,
            ..BuildOptions::new(
                self.manifest
                    .unwrap_or_else(|| PathBuf::from("booklet.toml")),
            )
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

const FAILED: u8 = 1;

/// mimalloc asks for transparent huge pages, and every first touch of one
/// zeroes 2 MB: for a process that lives 30 ms and touches a few MB here
/// and there, that zeroing was almost half of a rebuild's time.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag
    // of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let default_manifest = || PathBuf::from("booklet.toml");
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
                    if verbosity > Verbosity::Quiet {
                        say!("{}", plan.report.to_string().trim_end());
                    }
                    if dry_run {
                        for d in &plan.documents {
                            let path = opts.out_dir.join(&d.file_name);
                            say!("would write {} ({})", path.display(), d.input);
                        }
                    }
                    if verbosity > Verbosity::Quiet {
                        for path in &written {
                            say!("wrote {}", path.display());
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    tell!("error: {e}");
                    tell!("import failed");
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Build(args) => {
            let opts = args.options();
            let result = with_progress(verbosity, || build::build(&opts));
            print_result(&result, verbosity, &[], None)
        }
        Command::Check { manifest } => {
            let opts = BuildOptions {
                dry_run: true,
                ..BuildOptions::new(manifest.unwrap_or_else(default_manifest))
            };
            let result = build::build(&opts);
            let code = print_result(&result, verbosity, &[], None);
            if let (Ok(report), true) = (&result, verbosity > Verbosity::Quiet) {
                say!(
                    "checked {} articles: {} warnings, no errors",
                    report.articles,
                    report.diagnostics.warnings().count()
                );
            }
            code
        }
        Command::Init { dir } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from("."));
            match booklet::init::init(&dir) {
                Ok(files) => {
                    if verbosity > Verbosity::Quiet {
                        for f in files {
                            say!("created {}", f.display());
                        }
                        say!("now: cd {} && booklet build", dir.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => fail(d),
            }
        }
        Command::Fonts { manifest } => fonts(manifest.as_deref()),
        Command::Watch(args) => {
            let opts = args.options();
            let mut reporter = WatchReporter { verbosity };
            if verbosity > Verbosity::Quiet {
                say!("watching {}; Ctrl-C to stop", opts.manifest.display());
            }
            match booklet::watch::watch(opts, &mut reporter) {
                Ok(()) => {
                    if verbosity > Verbosity::Quiet {
                        say!("stopped");
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => fail(d),
            }
        }
    }
}

fn fail(d: Diagnostic) -> ExitCode {
    tell!("{d}");
    ExitCode::from(FAILED)
}

/// Shows a spinner when a build runs for more than about a second (and only
/// on a terminal: indicatif draws nothing otherwise).
fn with_progress<T: Send>(verbosity: Verbosity, work: impl FnOnce() -> T + Send) -> T {
    if verbosity == Verbosity::Quiet {
        return work();
    }
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|s| {
        s.spawn(move || {
            if done_rx.recv_timeout(Duration::from_secs(1)).is_ok() {
                return;
            }
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message("building…");
            bar.enable_steady_tick(Duration::from_millis(100));
            let _ = done_rx.recv();
            bar.finish_and_clear();
        });
        let result = work();
        let _ = done_tx.send(());
        result
    })
}

fn print_diagnostics(diags: &Diagnostics, verbosity: Verbosity) {
    for d in diags.iter() {
        if d.is_error() || verbosity > Verbosity::Quiet {
            tell!("{d}");
        }
    }
}

/// Prints a build's outcome; returns the exit code.
fn print_result(
    result: &Result<BuildReport, Diagnostics>,
    verbosity: Verbosity,
    trigger: &[PathBuf],
    took: Option<Duration>,
) -> ExitCode {
    if !trigger.is_empty() && verbosity > Verbosity::Quiet {
        let names: Vec<String> = trigger.iter().map(|p| p.display().to_string()).collect();
        say!("changed: {}", names.join(", "));
    }
    match result {
        Ok(report) => {
            print_diagnostics(&report.diagnostics, verbosity);
            if verbosity > Verbosity::Quiet {
                for path in &report.written {
                    say!("wrote {}", path.display());
                }
                if !report.written.is_empty() {
                    say!("{}", report.edition.summary(report.articles));
                }
                if let Some(t) = took {
                    say!("rebuilt in {:.0} ms", t.as_secs_f64() * 1e3);
                }
            }
            if verbosity == Verbosity::Verbose {
                for (phase, t) in &report.timings {
                    say!("  {phase}: {:.1} ms", t.as_secs_f64() * 1e3);
                }
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print_diagnostics(diags, verbosity);
            let n = diags.errors().count();
            tell!("build failed: {n} error{}", if n == 1 { "" } else { "s" });
            ExitCode::from(FAILED)
        }
    }
}

struct WatchReporter {
    verbosity: Verbosity,
}

impl booklet::watch::Reporter for WatchReporter {
    fn built(
        &mut self,
        trigger: &[PathBuf],
        took: Duration,
        result: &Result<BuildReport, Diagnostics>,
    ) {
        print_result(result, self.verbosity, trigger, Some(took));
        if result.is_err() && self.verbosity > Verbosity::Quiet {
            say!("still watching; fix the problem and save again");
        }
    }
}

fn fonts(manifest: Option<&Path>) -> ExitCode {
    let path = manifest.unwrap_or(Path::new("booklet.toml"));
    let loaded = booklet::manifest::Manifest::load(path);
    let manifest = match (&loaded, manifest) {
        (Ok(m), _) => Some(m),
        // An explicitly named manifest must load; the default is optional.
        (Err(diags), Some(_)) => {
            for d in diags.iter() {
                tell!("{d}");
            }
            return ExitCode::from(FAILED);
        }
        (Err(_), None) => None,
    };
    let fallback = booklet::manifest::Manifest::parse(
        "[book]\ntitle = \"x\"\n[[article]]\nsource = \"x\"\n",
        Path::new("booklet.toml"),
    );
    let Some(m) = manifest.or(fallback.as_ref().ok()) else {
        return ExitCode::from(FAILED);
    };
    let book = booklet::fonts::FontBook::load(m);
    let families = booklet::fonts::list::cjk_families(&book, &m.root.join("fonts"));
    say!("CJK font families:");
    for (name, info) in &families {
        say!(
            "  {name}  [{}; weights {}; covers {}]\n      {}",
            info.origin,
            info.weights
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("/"),
            info.covers.join(", "),
            info.path.display()
        );
    }
    if manifest.is_some() {
        say!("{} resolves to:", path.display());
        let body = m.fonts.body.as_deref();
        let heading = m.fonts.heading.as_deref().or(body);
        for script in [booklet::lang::Script::Hans, booklet::lang::Script::Hant] {
            for (role, family, bold) in [("body", body, false), ("heading", heading, true)] {
                match book.resolve(family, bold, script) {
                    Ok(f) => say!(
                        "  {role:<8} {script:?}: {} (face {} of {})",
                        f.family,
                        f.index,
                        f.path.display()
                    ),
                    Err(d) => say!("  {role:<8} {script:?}: {}", d.message),
                }
            }
        }
    }
    ExitCode::SUCCESS
}
