//! Data parallelism with a floor: work is put on rayon's pool only when there is enough of it
//! to pay for the pool (a pre-commit hook judging one incident never starts it). Results come
//! back in the order of the items, so nothing downstream depends on scheduling.

use rayon::prelude::*;

/// Below this many items the work runs on the calling thread.
const MIN_PARALLEL: usize = 16;

/// The most items one task of the pool takes at once. Left to itself rayon hands a thread
/// long runs of items once the work is split a few times; the thread that gets the last run
/// then works alone while the others wait (about 10 ms of one idle core at the end of the
/// judging of `check` on 10,000 incidents, `perf` timeline; an incident is some 20-70 µs of
/// work). Runs of 16 bound that to a millisecond or so, for a few hundred more task splits.
const MAX_RUN: usize = 16;

/// `f` over `items`, in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if items.len() < MIN_PARALLEL {
        items.iter().map(f).collect()
    } else {
        items.par_iter().with_max_len(MAX_RUN).map(f).collect()
    }
}

/// [`map`] taking each item by value: an item is dropped as soon as `f` is done with it.
pub fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    if items.len() < MIN_PARALLEL {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().with_max_len(MAX_RUN).map(f).collect()
    }
}

/// `a` and `b`, side by side on the pool when `items` items are enough work for it (`b` is
/// then usually a [`map`] over them), else one after the other on the calling thread.
pub fn join<RA: Send, RB: Send>(
    items: usize,
    a: impl FnOnce() -> RA + Send,
    b: impl FnOnce() -> RB + Send,
) -> (RA, RB) {
    if items < MIN_PARALLEL {
        (a(), b())
    } else {
        rayon::join(a, b)
    }
}

/// Drops `value` on the pool, beside whatever the calling thread does next: for a large
/// structure of many allocations that nothing needs any more. Freeing has no effect anyone
/// waits for; a process that ends first merely gives the memory back to the system itself.
pub fn drop_aside<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items_on_both_paths() {
        for n in [0usize, 3, super::MIN_PARALLEL, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let doubled: Vec<usize> = items.iter().map(|i| i * 2).collect();
            assert_eq!(super::map(&items, |i| i * 2), doubled);
            assert_eq!(super::map_owned(items, |i| i * 2), doubled);
            assert_eq!(super::join(n, || n + 1, || n * 2), (n + 1, n * 2));
        }
    }

    #[test]
    fn a_value_dropped_aside_is_dropped() {
        struct Signal(std::sync::mpsc::Sender<()>);
        impl Drop for Signal {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        super::drop_aside(Signal(tx));
        rx.recv_timeout(std::time::Duration::from_secs(60))
            .expect("dropped on the pool");
    }
}
