//! A bug in booklet must not hang a build or end a `watch` session: a panic
//! anywhere in a command becomes an "internal error" diagnostic (exit 1),
//! and a panicking worker thread becomes an error at its join.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

use crate::diag::Diagnostic;

/// The first panic since the last [`catch`] began: its message and where it
/// happened. The panic hook sees the location; the payload does not carry it.
static FIRST: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the default panic report (a bare "thread panicked" line) with a
/// record [`catch`] turns into a diagnostic. With `RUST_BACKTRACE` set the
/// default report is printed too, for whoever debugs it.
pub fn install_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = match info.location() {
            Some(l) => format!(
                "{} (at {}:{})",
                payload_text(info.payload()),
                l.file(),
                l.line()
            ),
            None => payload_text(info.payload()),
        };
        let mut first = FIRST.lock().unwrap_or_else(|e| e.into_inner());
        first.get_or_insert(text);
        drop(first);
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            default(info);
        }
    }));
}

/// Runs `work`; a panic in it (or in a thread it joins and re-raises)
/// becomes an internal-error diagnostic.
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, Diagnostic> {
    FIRST.lock().unwrap_or_else(|e| e.into_inner()).take();
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| internal_error(payload.as_ref()))
}

/// The diagnostic for a panic with this payload (the result of a failed
/// `join`, or of `catch_unwind`).
pub fn internal_error(payload: &(dyn Any + Send)) -> Diagnostic {
    let recorded = FIRST.lock().unwrap_or_else(|e| e.into_inner()).take();
    let what = recorded.unwrap_or_else(|| payload_text(payload));
    Diagnostic::error(format!("internal error: {what}")).with_hint(
        "this is a bug in booklet, not in your files; please report it with the input that caused it",
    )
}

/// For the tests: `BOOKLET_TEST_PANIC=<place>` panics at that place, to
/// show that a panic there is reported, not hung on or fatal to `watch`.
pub fn test_point(place: &str) {
    if std::env::var_os("BOOKLET_TEST_PANIC").is_some_and(|v| v == place) {
        panic!("deliberate panic at `{place}` (BOOKLET_TEST_PANIC)");
    }
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let d = catch(|| -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(d.is_error());
        assert!(d.message.starts_with("internal error"), "{}", d.message);
        assert!(d.message.contains("boom 7"), "{}", d.message);
        assert_eq!(catch(|| 5).unwrap(), 5);
    }

    #[test]
    fn a_panicking_thread_becomes_an_error_at_its_join() {
        let d = catch(|| {
            let h = std::thread::spawn(|| panic!("in a worker"));
            h.join().map_err(|p| internal_error(p.as_ref()))
        })
        .unwrap()
        .unwrap_err();
        assert!(d.message.contains("in a worker"), "{}", d.message);
    }
}
