//! Opens a URL or file with the desktop's default program (`xdg-open`,
//! `open`, `start`). Failing to is never fatal: callers warn and go on.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for the opener to fail before assuming it worked:
/// openers hand over to the browser and exit, but some wait for it.
const PATIENCE: Duration = Duration::from_millis(1500);

/// Opens `target`; `Err` says why it could not be.
pub fn open(target: &str) -> Result<(), String> {
    let (program, mut command) = opener();
    let mut child = command
        .arg(target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("`{program}` failed ({status})")),
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("`{program}`: {e}")),
        }
    }
    // Still running: it is showing the page. Reap it whenever it ends.
    std::thread::spawn(move || child.wait());
    Ok(())
}

fn opener() -> (&'static str, Command) {
    if cfg!(target_os = "macos") {
        ("open", Command::new("open"))
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        ("start", c)
    } else {
        ("xdg-open", Command::new("xdg-open"))
    }
}
