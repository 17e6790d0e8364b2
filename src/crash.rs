//! A bug in booklet must not hang a build or end a `watch` session: a panic
//! anywhere in a command becomes an "internal error" diagnostic (exit 1),
//! and a panicking worker thread becomes an error at its join. A
//! dependency known to panic on damaged input is run [`shielded`]: its
//! panic is an ordinary error about that input.

use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, Once};

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
        if SHIELDED.get() > 0 {
            return;
        }
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

thread_local! {
    /// How many [`shielded`] calls this thread is inside.
    static SHIELDED: Cell<u32> = const { Cell::new(0) };
}

/// Runs `work`, a call into a dependency that panics on some damaged input
/// (allsorts on a damaged CFF table), and makes its panic an error: the
/// input is bad, booklet is not: `None`. No panic hook reports it.
pub fn shielded<T>(work: impl FnOnce() -> T) -> Option<T> {
    struct Inside;
    impl Drop for Inside {
        fn drop(&mut self) {
            SHIELDED.set(SHIELDED.get() - 1);
        }
    }
    let_shielded_panics_unwind();
    SHIELDED.set(SHIELDED.get() + 1);
    let _inside = Inside;
    catch_unwind(AssertUnwindSafe(work)).ok()
}

/// Makes the panic hook in place pass over a [`shielded`] panic: the
/// default one would print it, and libFuzzer's aborts the process on any
/// panic, even one about to be caught, where fuzzing must see the error
/// the shield returns.
fn let_shielded_panics_unwind() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if SHIELDED.get() == 0 {
                previous(info);
            }
        }));
    });
}

/// A debug switch for the test suite, which must show what the shipped
/// binary does when it fails half way: `BOOKLET_TEST_PANIC=<place>` panics
/// at that place (a bug: reported, not hung on, not fatal to `watch`), and
/// `BOOKLET_TEST_PANIC=kill:<place>` ends the process there as a kill would
/// (no cleanup). It is read once; an unknown value does nothing. It is in
/// release builds because the tests run those, and it does nothing a user
/// could not do with `kill`: a panic is an ordinary error report, and the
/// next build recovers from a kill.
pub fn test_point(place: &str) {
    static SWITCH: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let switch = SWITCH.get_or_init(|| {
        std::env::var("BOOKLET_TEST_PANIC")
            .ok()
            .filter(|v| !v.is_empty())
    });
    let Some(switch) = switch.as_deref() else {
        return;
    };
    if switch == place {
        panic!("deliberate panic at `{place}` (BOOKLET_TEST_PANIC)");
    }
    if switch.strip_prefix("kill:") == Some(place) {
        std::process::exit(137);
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
    fn a_shielded_panic_is_an_error() {
        assert_eq!(shielded(|| 3), Some(3));
        assert_eq!(shielded(|| -> u32 { panic!("in a dependency") }), None);
        assert_eq!(SHIELDED.get(), 0);
        // Outside the shield, a panic is a panic again.
        assert!(catch_unwind(|| -> u32 { panic!("unshielded") }).is_err());
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
