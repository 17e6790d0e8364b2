//! Pictures named by an `http(s)://` address: downloaded once (time and
//! size limited, few redirects) and kept beside the build cache under a
//! hash of the address, so that rebuilds and `--offline` builds need no
//! network. A picture that cannot be had is the caller's warning, never a
//! failed build.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// No picture in a book needs more; a larger answer is refused.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;
const MAX_REDIRECTS: u32 = 5;
/// Seconds for one download, whole; `BOOKLET_DOWNLOAD_TIMEOUT` overrides it.
const TIMEOUT_S: u64 = 30;
/// Downloads at a time: the work is waiting, not computing.
const WORKERS: usize = 8;

/// Whether `src`, as a Markdown source wrote it, names a remote picture.
pub fn is_remote(src: &str) -> bool {
    let lower = src.get(..8).unwrap_or(src).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A picture's bytes, or why they could not be had.
pub type Download = Result<Vec<u8>, String>;

pub struct Fetcher {
    /// Where downloads are kept.
    folder: PathBuf,
    /// False when nothing may be written (`booklet check`).
    keep: bool,
    /// Read only what is kept; touch no network.
    offline: bool,
    agent: ureq::Agent,
    /// Hosts that could not be reached: their other pictures are not tried,
    /// so a book of a thousand pictures from a dead host takes one timeout.
    dead: Mutex<HashSet<String>>,
}

impl Fetcher {
    /// Downloads are kept in `folder` when `keep`, and read from it always.
    pub fn new(folder: &Path, keep: bool, offline: bool) -> Fetcher {
        let timeout = std::env::var("BOOKLET_DOWNLOAD_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(Duration::from_secs(TIMEOUT_S), Duration::from_secs_f64);
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(MAX_REDIRECTS)
            .user_agent(concat!("booklet/", env!("CARGO_PKG_VERSION")))
            .build();
        Fetcher {
            folder: folder.to_path_buf(),
            keep,
            offline,
            agent: config.into(),
            dead: Mutex::new(HashSet::new()),
        }
    }

    /// The bytes of every address, in order; `Err` says why one could not
    /// be had.
    pub fn fetch_all(&self, urls: &[String]) -> Vec<Download> {
        let next = Mutex::new(0usize);
        let results: Mutex<Vec<Option<Download>>> = Mutex::new(vec![None; urls.len()]);
        std::thread::scope(|s| {
            for _ in 0..WORKERS.min(urls.len()) {
                s.spawn(|| loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(url) = urls.get(i) else { break };
                    let got = self.fetch(url);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(got);
                });
            }
        });
        results
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err("not tried".into())))
            .collect()
    }

    fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        let kept = self.folder.join(file_name(url));
        if let Ok(bytes) = std::fs::read(&kept) {
            return Ok(bytes);
        }
        if self.offline {
            return Err("not downloaded before, and the build is offline".into());
        }
        let host = host(url);
        if self.is_dead(&host) {
            return Err(format!("`{host}` could not be reached"));
        }
        let bytes = self.download(url)?;
        if self.keep {
            // Written whole under another name, then renamed: a reader never
            // sees half a picture. Failing to keep it only costs time.
            if std::fs::create_dir_all(&self.folder).is_ok() {
                let tmp = kept.with_extension(format!("{}.tmp", std::process::id()));
                if std::fs::write(&tmp, &bytes).is_ok() && std::fs::rename(&tmp, &kept).is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
            }
        }
        Ok(bytes)
    }

    fn download(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut response = match self.agent.get(url).call() {
            Ok(r) => r,
            Err(e) => {
                if unreachable(&e) {
                    self.dead
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(host(url));
                }
                return Err(describe(&e));
            }
        };
        response
            .body_mut()
            .with_config()
            .limit(MAX_BYTES)
            .read_to_vec()
            .map_err(|e| describe(&e))
    }

    fn is_dead(&self, host: &str) -> bool {
        self.dead
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(host)
    }
}

/// Errors that say the host, not this one picture, is out of reach.
fn unreachable(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::Io(_)
    )
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::StatusCode(code) => format!("the server answered HTTP {code}"),
        ureq::Error::Timeout(_) => "the download timed out".into(),
        ureq::Error::HostNotFound => "the host was not found".into(),
        ureq::Error::ConnectionFailed => "the server could not be reached".into(),
        ureq::Error::BodyExceedsLimit(_) => {
            format!("it is larger than {} MB", MAX_BYTES / (1024 * 1024))
        }
        ureq::Error::TooManyRedirects => "too many redirects".into(),
        other => format!("the download failed ({other})"),
    }
}

/// `scheme://host[:port]`, the unit a failure is remembered by.
fn host(url: &str) -> String {
    let after = url.find("://").map_or(0, |i| i + 3);
    let end = url[after..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after + i);
    url[..end].to_ascii_lowercase()
}

/// A kept download's name: a hash of its address.
fn file_name(url: &str) -> String {
    blake3::hash(url.as_bytes()).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(is_remote("https://a.b/c.png"));
        assert!(is_remote("HTTP://a.b/c.png"));
        assert!(!is_remote("img/c.png"));
        assert!(!is_remote("ftp://a.b/c.png"));
        assert_eq!(
            host("https://Img.Example.com:8080/a/b.png?x"),
            "https://img.example.com:8080"
        );
        assert_eq!(host("http://h"), "http://h");
    }
}
