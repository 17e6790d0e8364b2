//! Side-by-side work on the machine's cores (font subsetting dominates both
//! back ends and is independent per font).

/// `f` applied to every item, results in order: the first item on this
/// thread (a thread costs its start and fresh memory for its heap), the
/// others each on its own scoped thread. A panicking job becomes `Err`.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, String> + Sync,
) -> Vec<Result<R, String>> {
    let Some((first, rest)) = items.split_first() else {
        return Vec::new();
    };
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = rest.iter().map(|item| s.spawn(move || f(item))).collect();
        let here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(first)))
            .unwrap_or_else(|_| Err("a worker failed".into()));
        std::iter::once(here)
            .chain(handles.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a worker thread failed".into()))
            }))
            .collect()
    })
}
