//! Side-by-side work on the machine's cores (font subsetting dominates both
//! back ends and is independent per font). A job that panics is a bug: it
//! becomes the caller's error type through `From<Panicked>`.

/// A worker panicked (the panic itself was reported by the crash hook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panicked;

impl From<Panicked> for String {
    fn from(_: Panicked) -> String {
        "a worker failed".into()
    }
}

/// `f` applied to every item, results in order: the first item on this
/// thread (a thread costs its start and fresh memory for its heap), the
/// others each on its own scoped thread. A panicking job becomes `Err`.
pub fn map<T: Sync, R: Send, E: Send + From<Panicked>>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, E> + Sync,
) -> Vec<Result<R, E>> {
    let Some((first, rest)) = items.split_first() else {
        return Vec::new();
    };
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = rest.iter().map(|item| s.spawn(move || f(item))).collect();
        let here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(first)))
            .unwrap_or_else(|_| Err(Panicked.into()));
        std::iter::once(here)
            .chain(
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Panicked.into()))),
            )
            .collect()
    })
}

/// `f` applied to every item, on as many threads as the machine has cores
/// (each takes the next item left), the results in the items' order.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(i, item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => all.extend(done),
                // A bug in one article is the build's internal error.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    results.sort_unstable_by_key(|&(i, _)| i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `a` on a thread of its own while `b` runs on this one: both results.
/// A panicking `a` becomes `Err`.
pub fn beside<A: Send, E: Send + From<Panicked>, B>(
    a: impl FnOnce() -> Result<A, E> + Send,
    b: impl FnOnce() -> B,
) -> (Result<A, E>, B) {
    std::thread::scope(|s| {
        let handle = s.spawn(a);
        let here = b();
        let there = handle.join().unwrap_or_else(|_| Err(Panicked.into()));
        (there, here)
    })
}

/// Runs `make(0..jobs)` on every core and hands each result to `take` in
/// job order, as soon as it and every job before it are done: what `take`
/// sees is the same whichever thread made what, and finished work is
/// dropped as it is taken rather than held until the end. A panicking job
/// becomes `Err`.
pub fn in_order<R: Send, E: Send + From<Panicked>>(
    jobs: usize,
    make: impl Fn(usize) -> Result<R, E> + Sync,
    mut take: impl FnMut(usize, Result<R, E>),
) {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(jobs);
    if workers <= 1 {
        for job in 0..jobs {
            take(job, run(&make, job));
        }
        return;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..workers {
            let send = send.clone();
            let (make, next) = (&make, &next);
            s.spawn(move || loop {
                let job = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if job >= jobs || send.send((job, run(make, job))).is_err() {
                    break;
                }
            });
        }
        drop(send);
        let mut waiting = std::collections::BTreeMap::new();
        let mut due = 0;
        for (job, result) in receive {
            waiting.insert(job, result);
            while let Some(result) = waiting.remove(&due) {
                take(due, result);
                due += 1;
            }
        }
    });
}

fn run<R, E: From<Panicked>>(
    make: &(impl Fn(usize) -> Result<R, E> + Sync),
    job: usize,
) -> Result<R, E> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make(job)))
        .unwrap_or_else(|_| Err(Panicked.into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn beside_gives_both_results_and_a_panic_as_an_error() {
        let (there, here) = super::beside(|| Ok::<_, String>(2 + 2), || 3 * 3);
        assert_eq!((there, here), (Ok(4), 9));
        let (there, here) =
            super::beside(|| -> Result<u8, super::Panicked> { panic!("boom") }, || 1);
        assert_eq!(there, Err(super::Panicked));
        assert_eq!(here, 1);
    }

    #[test]
    fn results_come_in_job_order() {
        let mut seen = Vec::new();
        super::in_order(
            100,
            |job| {
                if job % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                Ok::<_, String>(job * 2)
            },
            |job, r| seen.push((job, r.unwrap())),
        );
        let expected: Vec<_> = (0..100).map(|j| (j, j * 2)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn results_come_in_the_items_order() {
        let items: Vec<u64> = (0..200).collect();
        let out = super::in_parallel(&items, |i, &x| {
            // Uneven work, so that the threads finish out of order.
            let spin = (x * 7919) % 1000;
            (0..spin).fold(i as u64, |a, b| a.wrapping_add(b)) - (0..spin).sum::<u64>()
        });
        assert_eq!(out, items);
    }

    #[test]
    fn no_items_no_results() {
        let out: Vec<u8> = super::in_parallel(&[] as &[u8], |_, &x| x);
        assert!(out.is_empty());
    }
}
