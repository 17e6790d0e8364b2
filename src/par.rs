//! Side-by-side work on the machine's cores (font subsetting dominates both
//! back ends and is independent per font).

/// `f` applied to every item, each on its own scoped thread, results in
/// order. A panicking job becomes `Err`.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, String> + Sync,
) -> Vec<Result<R, String>> {
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = items.iter().map(|item| s.spawn(move || f(item))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a worker thread failed".into()))
            })
            .collect()
    })
}
