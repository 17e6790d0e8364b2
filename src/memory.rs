//! How the process treats the memory it frees, by the size of the book:
//! the one place where a build speaks to the allocator, which the binary
//! chooses. A small book is built sooner when freed pages are kept for what
//! comes next (giving them back costs a system call each, hundreds a build,
//! as worker threads end); a large one peaks a fifth lower when they go
//! back soon after they are freed.

use std::sync::OnceLock;

/// Characters (repeats included) from which a book is large: about 800 A5
/// pages, which take half a second to build.
pub const LARGE_BOOK: usize = 500_000;

static ON_LARGE_BOOK: OnceLock<fn()> = OnceLock::new();

/// What to do when a large book is about to be set (the binary registers
/// it; a library user leaves the allocator as it is).
pub fn on_large_book(f: fn()) {
    let _ = ON_LARGE_BOOK.set(f);
}

/// Tells the allocator, if it asked, that a book of `characters` is about
/// to be set.
pub fn book_of(characters: usize) {
    if characters >= LARGE_BOOK {
        if let Some(f) = ON_LARGE_BOOK.get() {
            f();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn only_a_large_book_tells_the_allocator() {
        on_large_book(|| {
            CALLS.fetch_add(1, Ordering::SeqCst);
        });
        book_of(40_000);
        book_of(LARGE_BOOK - 1);
        assert_eq!(CALLS.load(Ordering::SeqCst), 0);
        book_of(LARGE_BOOK);
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    }
}
