//! The `booklet` command line: parses arguments, runs a command, prints its
//! diagnostics. Exit codes: 0 success (warnings allowed), 1 failure, 2 usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use booklet::build::{self, BuildOptions, BuildReport, Format};
use booklet::diag::{self, Diagnostic, Diagnostics};
use booklet::import;

/// `eprintln!` that does not panic when stderr is closed.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that does not panic when stdout is closed (`booklet fonts | head`).
/// With `--message-format json` stdout carries only JSON, so these go to stderr.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if JSON.load(std::sync::atomic::Ordering::Relaxed) {
            let _ = writeln!(std::io::stderr(), $($arg)*);
        } else {
            let _ = writeln!(std::io::stdout(), $($arg)*);
        }
    }};
}

/// Set once, from `--message-format json`.
static JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

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
    /// Colour messages: on a terminal unless NO_COLOR is set (auto), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Messages for people, or one JSON object per line on stdout (for
    /// editors and CI).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    Human,
    Json,
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
        /// The manifest [default: booklet.toml here or in a parent folder].
        manifest: Option<PathBuf>,
        /// Check only this `[[edition]]` [default: every edition].
        #[arg(long)]
        edition: Option<String>,
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
        /// The manifest [default: booklet.toml here or in a parent folder, if any].
        manifest: Option<PathBuf>,
    },
    /// Rebuild whenever the manifest, a source, a style or an image changes.
    Watch(BuildArgs),
    /// Build, serve the booklet on 127.0.0.1 as web pages (and its PDF),
    /// and reload the open page on every rebuild.
    Serve {
        /// The manifest [default: booklet.toml here or in a parent folder].
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
    /// The manifest [default: booklet.toml here or in a parent folder].
    manifest: Option<PathBuf>,
    /// Output folder [default: `[output] dir` of the manifest, else `out/` beside it].
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Which outputs to build.
    #[arg(long, short, value_enum, default_value_t = Format::All)]
    format: Format,
    /// Build only this `[[edition]]` [default: every edition].
    #[arg(long)]
    edition: Option<String>,
    /// Use no network: remote pictures only from earlier downloads.
    #[arg(long)]
    offline: bool,
}

impl BuildArgs {
    fn options(self, verbosity: Verbosity) -> Result<BuildOptions, Diagnostic> {
        Ok(BuildOptions {
            out_dir: self.out,
            format: self.format,
            waiting: if verbosity > Verbosity::Quiet {
                |dir| {
                    tell!(
                        "waiting for another build into {} to finish…",
                        dir.display()
                    )
                }
            } else {
                |_| {}
            },
            edition: self.edition,
            offline: self.offline,
            ..BuildOptions::new(find_manifest(self.manifest)?)
        })
    }
}

/// The manifest named (a folder means its booklet.toml), else the one
/// found here or in a parent folder.
fn find_manifest(given: Option<PathBuf>) -> Result<PathBuf, Diagnostic> {
    match given {
        Some(dir) if dir.is_dir() => {
            let path = dir.join("booklet.toml");
            if path.is_file() {
                Ok(path)
            } else {
                Err(
                    Diagnostic::error(format!("no booklet.toml in `{}`", dir.display()))
                        .with_hint(format!("create one with `booklet init {}`", dir.display())),
                )
            }
        }
        Some(path) => Ok(path),
        None => booklet::manifest::discover(Path::new(".")),
    }
}

/// How diagnostics are printed: set once from the command line.
#[derive(Clone, Copy)]
struct Printer {
    verbosity: Verbosity,
    color: bool,
    json: bool,
}

impl Printer {
    fn new(cli: &Cli, verbosity: Verbosity) -> Printer {
        use std::io::IsTerminal as _;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            || std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal() && !no_color,
        };
        Printer {
            verbosity,
            color,
            json: cli.message_format == MessageFormat::Json,
        }
    }

    fn show(&self, d: &Diagnostic) {
        if self.json {
            use std::io::Write as _;
            let _ = writeln!(std::io::stdout(), "{}", d.to_json());
        } else {
            tell!("{}", d.render(self.color));
        }
    }

    fn diagnostics(&self, diags: &Diagnostics) {
        for d in diags.iter() {
            if d.is_error() || self.verbosity > Verbosity::Quiet {
                self.show(d);
            }
        }
    }

    fn fail(&self, d: Diagnostic) -> ExitCode {
        self.show(&d);
        ExitCode::from(FAILED)
    }

    /// The closing line: how many problems, in words and (for JSON) as an object.
    fn summary(&self, command: &str, diags: &Diagnostics, articles: Option<usize>) {
        let errors = diags.errors().count();
        let warnings = diags.warnings().count();
        if self.json {
            use std::io::Write as _;
            let summary = serde_json::json!({
                "type": "summary",
                "command": command,
                "success": errors == 0,
                "errors": errors,
                "warnings": warnings,
                "articles": articles,
            });
            let _ = writeln!(std::io::stdout(), "{summary}");
            return;
        }
        let (bold, reset) = if self.color {
            ("\x1b[1m", "\x1b[0m")
        } else {
            ("", "")
        };
        if errors > 0 {
            let mut line = format!("{command} failed: {}", diag::count(errors, "error"));
            if warnings > 0 {
                line.push_str(&format!(", {}", diag::count(warnings, "warning")));
            }
            tell!("{bold}{line}{reset}");
        } else if let (Some(n), true) = (articles, self.verbosity > Verbosity::Quiet) {
            if command == "check" {
                say!(
                    "checked {}: {}, no errors",
                    diag::count(n, "article"),
                    diag::count(warnings, "warning")
                );
            }
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

/// mimalloc's `mi_option_purge_delay` (mimalloc.h), which the bindings
/// do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A command that ends the process when its one build is done keeps the
/// memory it frees for what it allocates next: mimalloc otherwise hands
/// freed pages back to the system (a system call each, hundreds a build,
/// as each worker thread ends) only for the next allocation to fault them
/// in again. A large book is the exception (see `booklet::memory`).
/// `watch` and `serve` live on, and give memory back.
fn keep_freed_memory() {
    set_purge_delay(-1);
    booklet::memory::on_large_book(|| set_purge_delay(PURGE_DELAY_MS));
}

/// How long a large book's build keeps freed memory before handing it
/// back, in milliseconds. mimalloc's own default (a second) keeps nearly all
/// of it through the build, mostly the set paragraphs' scratch: a
/// 3,400-page book then peaks a fifth higher.
const PURGE_DELAY_MS: std::ffi::c_long = 20;

fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: sets one of mimalloc's options, a plain integer it reads
    // when it next decides whether to purge.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms);
    }
}

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
    (
        "NotoSansMono-Regular.ttf",
        include_bytes!("../fonts/NotoSansMono-Regular.ttf"),
    ),
    (
        "NotoSansMono-Bold.ttf",
        include_bytes!("../fonts/NotoSansMono-Bold.ttf"),
    ),
    (
        "WenKaiBooklet-Regular.ttf",
        include_bytes!("../fonts/WenKaiBooklet-Regular.ttf"),
    ),
];

fn main() -> ExitCode {
    no_huge_pages();
    booklet::fonts::set_built_in(SHIPPED_FONTS);
    let cli = Cli::parse();
    booklet::crash::install_hook();
    // A bug is reported as one, never as a hang or a bare panic message.
    let printer = Printer::new(&cli, Verbosity::Normal);
    booklet::crash::catch(|| run(cli)).unwrap_or_else(|d| printer.fail(d))
}

fn run(cli: Cli) -> ExitCode {
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let printer = Printer::new(&cli, verbosity);
    JSON.store(printer.json, std::sync::atomic::Ordering::Relaxed);
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
                        return printer.fail(Diagnostic::error(why));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    printer.show(&Diagnostic::error(e));
                    tell!("import failed");
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Build { args, open } => {
            keep_freed_memory();
            let opts = match args.options(verbosity) {
                Ok(o) => BuildOptions { last: true, ..o },
                Err(d) => return printer.fail(d),
            };
            let result = with_progress(verbosity, || build::build(&opts));
            let code = print_result(&result, printer, "build", None);
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
            let manifest = match find_manifest(manifest) {
                Ok(m) => m,
                Err(d) => return printer.fail(d),
            };
            let server = match booklet::serve::Server::bind(port) {
                Ok(s) => s,
                Err(d) => return printer.fail(d),
            };
            let url = server.url().to_string();
            say!("serving {url}; Ctrl-C to stop");
            let mut reporter = WatchReporter { printer };
            let first_built: Box<dyn FnOnce()> = if open {
                Box::new(move || open_or_warn(&url))
            } else {
                Box::new(|| {})
            };
            match server.run(manifest, out, &mut reporter, first_built) {
                Ok(()) => {
                    if verbosity > Verbosity::Quiet {
                        say!("stopped");
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => printer.fail(d),
            }
        }
        Command::Check { manifest, edition } => {
            keep_freed_memory();
            let manifest = match find_manifest(manifest) {
                Ok(m) => m,
                Err(d) => return printer.fail(d),
            };
            let opts = BuildOptions {
                dry_run: true,
                edition,
                last: true,
                ..BuildOptions::new(manifest)
            };
            let result = build::build(&opts);
            print_result(&result, printer, "check", None)
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
                Err(d) => printer.fail(d),
            }
        }
        Command::Clean { manifest, out } => {
            // Deleting is not done on a manifest found in a parent folder.
            let manifest = match manifest {
                Some(m) => m,
                None if Path::new("booklet.toml").is_file() => PathBuf::from("booklet.toml"),
                None => {
                    return printer.fail(
                        Diagnostic::error("no booklet.toml in this folder").with_hint(
                            "run `booklet clean` beside the manifest, or name it: booklet clean path/to/booklet.toml",
                        ),
                    )
                }
            };
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
                    printer.diagnostics(&diags);
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "booklet", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Fonts { manifest } => fonts(manifest, printer),
        Command::Watch(args) => {
            let opts = match args.options(verbosity) {
                Ok(o) => o,
                Err(d) => return printer.fail(d),
            };
            let mut reporter = WatchReporter { printer };
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
                Err(d) => printer.fail(d),
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

/// Shows a spinner when a build runs for more than about a second (and only
/// on a terminal: indicatif draws nothing otherwise).
fn with_progress<T: Send>(verbosity: Verbosity, work: impl FnOnce() -> T + Send) -> T {
    if verbosity == Verbosity::Quiet {
        return work();
    }
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    // `move`: should `work` panic, unwinding drops `done_tx`, which ends the
    // spinner's wait, so that the scope can finish and the panic go on.
    std::thread::scope(move |s| {
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
    printer: Printer,
    command: &str,
    rebuild: Option<&Rebuild>,
) -> ExitCode {
    let verbosity = printer.verbosity;
    match result {
        Ok(report) => {
            printer.diagnostics(&report.diagnostics);
            if verbosity > Verbosity::Quiet {
                print_editions(report);
                if let Some(r) = rebuild {
                    say!("{}", r.line(None));
                }
            }
            if verbosity == Verbosity::Verbose {
                for (phase, t) in &report.timings {
                    say!("  {phase}: {:.1} ms", t.as_secs_f64() * 1e3);
                }
            }
            printer.summary(command, &report.diagnostics, Some(report.articles));
            ExitCode::SUCCESS
        }
        Err(diags) => {
            printer.diagnostics(diags);
            match rebuild {
                Some(r) if !printer.json => {
                    let errors = diag::count(diags.errors().count(), "error");
                    tell!("{}", r.line(Some(&format!("{command} failed ({errors})"))));
                }
                _ => printer.summary(command, diags, None),
            }
            ExitCode::from(FAILED)
        }
    }
}

/// What each edition wrote, changed and converted.
fn print_editions(report: &BuildReport) {
    for e in &report.editions {
        for path in &e.written {
            say!("wrote {}", path.display());
        }
        let label = e
            .name
            .as_deref()
            .map(|n| format!("[{n}] "))
            .unwrap_or_default();
        if !e.written.is_empty() {
            say!("{label}{}", e.changes.summary(report.articles));
        }
        if let Some(c) = &e.conversion {
            say!("{label}{}", c.summary(e.review.as_deref()));
        }
    }
}

struct WatchReporter {
    printer: Printer,
}

impl booklet::watch::Reporter for WatchReporter {
    fn built(
        &mut self,
        trigger: &[PathBuf],
        took: Duration,
        result: &Result<BuildReport, Diagnostics>,
    ) {
        let rebuild = Rebuild { trigger, took };
        print_result(result, self.printer, "build", Some(&rebuild));
        if result.is_err() && self.printer.verbosity > Verbosity::Quiet {
            say!("still watching; fix the problem and save again");
        }
    }
}

fn fonts(given: Option<PathBuf>, printer: Printer) -> ExitCode {
    // A manifest named must load; without one, any found is used.
    let named = given.is_some();
    let path = match find_manifest(given) {
        Ok(p) => Some(p),
        Err(d) if named => return printer.fail(d),
        Err(_) => None,
    };
    let loaded = path.as_deref().map(booklet::manifest::Manifest::load);
    let manifest = match &loaded {
        Some(Ok(m)) => Some(m),
        Some(Err(diags)) if named => {
            printer.diagnostics(diags);
            return ExitCode::from(FAILED);
        }
        _ => None,
    };
    let fallback = booklet::manifest::Manifest::parse(
        "[book]\ntitle = \"x\"\n[[article]]\nsource = \"x\"\n",
        Path::new("booklet.toml"),
    );
    let Some(m) = manifest.or(fallback.as_ref().ok()) else {
        return ExitCode::from(FAILED);
    };
    let book = booklet::fonts::FontBook::load(m);
    for d in &book.skipped {
        printer.show(d);
    }
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
    if let (Some(_), Some(path)) = (manifest, &path) {
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
        let code = booklet::fonts::CODE_FAMILY;
        match book.resolve(Some(code), false, booklet::lang::Script::Hans) {
            Ok(f) => say!("  code     {} ({})", f.family, f.path.display()),
            Err(_) => say!("  code     {code} not found: code is set in the body faces"),
        }
    }
    ExitCode::SUCCESS
}
