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
    Build {
        #[command(flatten)]
        args: BuildArgs,
        /// Open the PDF (else the EPUB) once built.
        #[arg(long)]
        open: bool,
    },
    /// Check the manifest, sources, images and font coverage; write nothing.
    Check {
        /// The manifest [default: ./booklet.toml].
        manifest: Option<PathBuf>,
    },
    /// Create a new booklet project (manifest, sample article, style,
    /// .gitignore); on a terminal, asks for the title and author.
    Init {
        /// Folder to create it in [default: the current folder].
        dir: Option<PathBuf>,
        /// The book's title (not asked for when given).
        #[arg(long)]
        title: Option<String>,
        /// The book's author (not asked for when given).
        #[arg(long)]
        author: Option<String>,
    },
    /// Remove the outputs, edition record and cache from the output folder.
    Clean {
        /// The manifest [default: ./booklet.toml].
        manifest: Option<PathBuf>,
        /// Output folder [default: `[output] dir` of the manifest, else `out/` beside it].
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script: `booklet completions bash > …`.
    Completions { shell: clap_complete::Shell },
    /// List the usable CJK font families and what the manifest resolves to.
    Fonts {
        /// The manifest [default: ./booklet.toml, if there is one].
        manifest: Option<PathBuf>,
    },
    /// Rebuild whenever the manifest, a source, a style or an image changes.
    Watch(BuildArgs),
    /// Build, serve the booklet on 127.0.0.1 as web pages (and its PDF),
    /// and reload the open page on every rebuild.
    Serve {
        /// The manifest [default: ./booklet.toml].
        manifest: Option<PathBuf>,
        /// Output folder [default: `[output] dir` of the manifest, else `out/` beside it].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Port on 127.0.0.1 (0: any free port).
        #[arg(long, short, default_value_t = 3000)]
        port: u16,
        /// Open the browser on the booklet.
        #[arg(long)]
        open: bool,
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
        /// Number from 01 again, overwriting existing files [default: go
        /// on after the numbered files already in the folder].
        #[arg(long)]
        force: bool,
        /// List the new files in the manifest as [[article]] entries
        /// (`--add=PATH` for a manifest other than ./booklet.toml).
        #[arg(long, value_name = "MANIFEST", num_args = 0..=1, require_equals = true,
              default_missing_value = "booklet.toml")]
        add: Option<PathBuf>,
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

/// The shipped fonts, built in: an installed booklet needs no file beside
/// it and no checkout (`cargo install` copies the binary alone).
static SHIPPED_FONTS: booklet::fonts::BuiltIn = &[
    (
        "NotoSerifCJK-Regular.ttc",
        include_bytes!("../fonts/NotoSerifCJK-Regular.ttc"),
    ),
    (
        "NotoSerifCJK-Bold.ttc",
        include_bytes!("../fonts/NotoSerifCJK-Bold.ttc"),
    ),
];

fn main() -> ExitCode {
    no_huge_pages();
    booklet::fonts::set_built_in(SHIPPED_FONTS);
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
            add,
        } => {
            let opts = import::Options {
                out_dir: out,
                dry_run,
                force,
                add_to: add,
            };
            match import::run(&files, &opts) {
                Ok(outcome) => {
                    if verbosity > Verbosity::Quiet {
                        say!("{}", outcome.plan.report.to_string().trim_end());
                    }
                    let (write, add) = if dry_run {
                        ("would write", "would add")
                    } else {
                        ("wrote", "added")
                    };
                    if verbosity > Verbosity::Quiet || dry_run {
                        let shown = if dry_run {
                            &outcome.files
                        } else {
                            &outcome.written
                        };
                        for (path, d) in shown.iter().zip(&outcome.plan.documents) {
                            say!("{write} {} ({})", path.display(), d.input);
                        }
                        if let Some(manifest) = &opts.add_to {
                            for source in &outcome.added {
                                say!(
                                    "{add} [[article]] source = \"{source}\" to {}",
                                    manifest.display()
                                );
                            }
                        }
                    }
                    if let Some(why) = outcome.refused {
                        tell!("error: {why}");
                        return ExitCode::from(FAILED);
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
        Command::Build { args, open } => {
            let opts = args.options();
            let result = with_progress(verbosity, || build::build(&opts));
            let code = print_result(&result, verbosity, None);
            if let (true, Ok(report)) = (open, &result) {
                if let Some(path) = booklet::serve::preferred_output(&report.written) {
                    open_or_warn(&path.to_string_lossy());
                }
            }
            code
        }
        Command::Serve {
            manifest,
            out,
            port,
            open,
        } => {
            let server = match booklet::serve::Server::bind(port) {
                Ok(s) => s,
                Err(d) => return fail(d),
            };
            let url = server.url().to_string();
            say!("serving {url}; Ctrl-C to stop");
            let mut reporter = WatchReporter { verbosity };
            let first_built: Box<dyn FnOnce()> = if open {
                Box::new(move || open_or_warn(&url))
            } else {
                Box::new(|| {})
            };
            let manifest = manifest.unwrap_or_else(default_manifest);
            match server.run(manifest, out, &mut reporter, first_built) {
                Ok(()) => {
                    if verbosity > Verbosity::Quiet {
                        say!("stopped");
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => fail(d),
            }
        }
        Command::Check { manifest } => {
            let opts = BuildOptions {
                dry_run: true,
                ..BuildOptions::new(manifest.unwrap_or_else(default_manifest))
            };
            let result = build::build(&opts);
            let code = print_result(&result, verbosity, None);
            if let (Ok(report), true) = (&result, verbosity > Verbosity::Quiet) {
                say!(
                    "checked {} articles: {} warnings, no errors",
                    report.articles,
                    report.diagnostics.warnings().count()
                );
            }
            code
        }
        Command::Init { dir, title, author } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from("."));
            let mut answers = booklet::init::Answers { title, author };
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                answers.ask(&mut std::io::stdin().lock(), &mut std::io::stderr());
            }
            match booklet::init::init(&dir, &answers) {
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
        Command::Clean { manifest, out } => {
            let manifest = manifest.unwrap_or_else(default_manifest);
            match booklet::clean::clean(&manifest, out.as_deref()) {
                Ok(removed) => {
                    if verbosity > Verbosity::Quiet {
                        for path in &removed {
                            say!("removed {}", path.display());
                        }
                        if removed.is_empty() {
                            say!("nothing to remove");
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print_diagnostics(&diags, verbosity);
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "booklet", &mut std::io::stdout());
            ExitCode::SUCCESS
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

/// `--open`: a desktop that cannot open it is no reason to fail.
fn open_or_warn(target: &str) {
    if let Err(why) = booklet::serve::open::open(target) {
        tell!("warning: cannot open {target}: {why}");
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

/// A rebuild in `watch` or `serve`: what triggered it and how long it took.
struct Rebuild<'a> {
    trigger: &'a [PathBuf],
    took: Duration,
}

impl Rebuild<'_> {
    /// `[15:04:05] rebuilt in 0.12 s: sources/03.md changed`; `failed`
    /// replaces "built" or "rebuilt".
    fn line(&self, failed: Option<&str>) -> String {
        let what = match failed {
            Some(f) => f,
            None if self.trigger.is_empty() => "built",
            None => "rebuilt",
        };
        let mut line = format!(
            "[{}] {what} in {:.2} s",
            clock_time(),
            self.took.as_secs_f64()
        );
        if !self.trigger.is_empty() {
            let names: Vec<String> = self
                .trigger
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            line.push_str(&format!(": {} changed", names.join(", ")));
        }
        line
    }
}

/// The local time of day, as a terminal log shows it.
fn clock_time() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as libc::time_t;
    // SAFETY: localtime_r only writes the tm it is given.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return "--:--:--".into();
        }
        tm
    };
    format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
}

/// Prints a build's outcome; returns the exit code.
fn print_result(
    result: &Result<BuildReport, Diagnostics>,
    verbosity: Verbosity,
    rebuild: Option<&Rebuild>,
) -> ExitCode {
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
                if let Some(r) = rebuild {
                    say!("{}", r.line(None));
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
            let errors = format!("{n} error{}", if n == 1 { "" } else { "s" });
            match rebuild {
                Some(r) => tell!("{}", r.line(Some(&format!("build failed ({errors})")))),
                None => tell!("build failed: {errors}"),
            }
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
        print_result(result, self.verbosity, Some(&Rebuild { trigger, took }));
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
