//! `booklet serve`: builds as `watch` does and serves the result on
//! 127.0.0.1 as a web edition ([`site`]): the EPUB's pages with their fonts
//! and styles, the PDF for the browser's viewer, and an index. Every page
//! served listens for the next build (Server-Sent Events) and reloads
//! itself, or shows the build's errors over the page.

mod http;
pub mod open;
mod site;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::build::{BuildOptions, BuildReport, Format};
use crate::diag::{Diagnostic, Diagnostics};
use crate::watch::Reporter;
use http::Response;
use site::Edition;

/// How long an idle event stream waits before checking that its page is
/// still there.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What the pages see: the last good build, and whether the latest failed.
#[derive(Default)]
struct State {
    /// Counts finished builds, good or bad.
    generation: u64,
    edition: Option<Arc<Edition>>,
    /// The latest build's errors, while it is the latest.
    failure: Option<String>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    built: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A listening server, not yet building.
pub struct Server {
    listener: TcpListener,
    url: String,
}

impl Server {
    /// Listens on 127.0.0.1:`port` (0: any free port).
    pub fn bind(port: u16) -> Result<Server, Diagnostic> {
        let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
            Diagnostic::error(format!("cannot listen on 127.0.0.1:{port}: {e}"))
                .with_hint("choose another port: booklet serve --port 8123")
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Diagnostic::error(format!("cannot listen: {e}")))?
            .port();
        Ok(Server {
            listener,
            url: format!("http://127.0.0.1:{port}/"),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Builds, serves, and rebuilds on every change until Ctrl-C.
    /// `reporter` hears of each build as in `watch`; `first_built` runs once,
    /// after the first build (to open a browser on something to see).
    pub fn run(
        self,
        manifest: PathBuf,
        out_dir: Option<PathBuf>,
        reporter: &mut dyn Reporter,
        first_built: Box<dyn FnOnce()>,
    ) -> Result<(), Diagnostic> {
        let shared = Arc::new(Shared::default());
        {
            let shared = shared.clone();
            let listener = self.listener;
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let shared = shared.clone();
                    std::thread::spawn(move || answer(&stream, &shared));
                }
            });
        }
        let opts = BuildOptions {
            out_dir,
            format: Format::All,
            ..BuildOptions::new(manifest)
        };
        let mut live = LiveReporter {
            shared,
            inner: reporter,
            first_built: Some(first_built),
        };
        crate::watch::watch(opts, &mut live)
    }
}

/// Passes each build on to the pages, then to the terminal's reporter.
struct LiveReporter<'a> {
    shared: Arc<Shared>,
    inner: &'a mut dyn Reporter,
    first_built: Option<Box<dyn FnOnce()>>,
}

impl Reporter for LiveReporter<'_> {
    fn built(
        &mut self,
        trigger: &[PathBuf],
        took: Duration,
        result: &Result<BuildReport, Diagnostics>,
    ) {
        let outcome = match result {
            Ok(report) => {
                let of_kind = |ext: &str| {
                    report
                        .written
                        .iter()
                        .find(|p| p.extension().is_some_and(|e| e == ext))
                        .map(PathBuf::as_path)
                };
                match of_kind("epub") {
                    Some(epub) => Edition::read(epub, of_kind("pdf")),
                    None => Err("the build wrote no EPUB".to_string()),
                }
            }
            Err(diags) => Err(failure_text(diags)),
        };
        {
            let mut state = self.shared.lock();
            state.generation += 1;
            match outcome {
                Ok(edition) => {
                    state.edition = Some(Arc::new(edition));
                    state.failure = None;
                }
                Err(text) => state.failure = Some(text),
            }
        }
        self.shared.built.notify_all();
        // Told after the pages are: what the terminal says built is served.
        self.inner.built(trigger, took, result);
        if let Some(first) = self.first_built.take() {
            first();
        }
    }
}

/// A failed build's messages as the terminal shows them, without colours.
fn failure_text(diags: &Diagnostics) -> String {
    let text: Vec<String> = diags.iter().map(|d| strip_ansi(&d.to_string())).collect();
    text.join("\n")
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Answers one connection.
fn answer(stream: &TcpStream, shared: &Shared) {
    let request = match http::read_request(stream) {
        Ok(r) => r,
        Err(response) => {
            let _ = http::send(stream, &response, false);
            return;
        }
    };
    let (generation, edition) = {
        let state = shared.lock();
        (state.generation, state.edition.clone())
    };
    let response = match request.path.as_str() {
        site::LIVE_SCRIPT => Response::ok(
            "text/javascript; charset=utf-8",
            include_str!("live.js").as_bytes(),
        ),
        "/_booklet/events" => {
            let since = request
                .param("since")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let _ = events(stream, shared, since);
            return;
        }
        path => match &edition {
            Some(edition) => edition.respond(path, generation),
            None if path == "/" || path == "/index.html" => Response::ok(
                "text/html; charset=utf-8",
                site::page("booklet", "<p>Building…</p>\n", generation),
            ),
            None => Response::not_found(path),
        },
    };
    let _ = http::send(stream, &response, request.head_only);
}

/// The event stream of a page showing build `since`: `failed` (with the
/// errors) while the latest build failed, `reload` once a newer build
/// succeeded, after which the stream ends.
fn events(stream: &TcpStream, shared: &Shared, since: u64) -> std::io::Result<()> {
    http::start_events(stream)?;
    let mut seen = since;
    let mut state = shared.lock();
    if let Some(failure) = &state.failure {
        let text = failure.clone();
        drop(state);
        http::send_event(stream, "failed", &text)?;
        state = shared.lock();
    }
    loop {
        if state.generation != seen {
            seen = state.generation;
            match &state.failure {
                Some(failure) => {
                    let text = failure.clone();
                    drop(state);
                    http::send_event(stream, "failed", &text)?;
                }
                None => {
                    drop(state);
                    return http::send_event(stream, "reload", "");
                }
            }
        } else {
            let (guard, timeout) = shared
                .built
                .wait_timeout(state, KEEP_ALIVE)
                .unwrap_or_else(|e| e.into_inner());
            if timeout.timed_out() && guard.generation == seen {
                drop(guard);
                http::keep_alive(stream)?;
            } else {
                state = guard;
                continue;
            }
        }
        state = shared.lock();
    }
}

/// The file a finished `build --open` shows: the PDF, else the EPUB.
pub fn preferred_output(written: &[PathBuf]) -> Option<&Path> {
    let of = |ext: &str| {
        written
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == ext))
    };
    of("pdf").or_else(|| of("epub")).map(PathBuf::as_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_stripped_from_errors() {
        assert_eq!(
            strip_ansi("\u{1b}[1;31merror\u{1b}[0m: x.md:3: bad"),
            "error: x.md:3: bad"
        );
    }
}
