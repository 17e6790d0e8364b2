//! A content-addressed cache for incremental builds: values are stored
//! under a hash of everything they depend on, in memory (for `watch`) and in
//! a folder beside the outputs (for the next `build`). A missing, stale or
//! corrupt entry only costs time: each entry carries the format version,
//! its own key (an entry copied or renamed onto another's name is a miss,
//! not another value), its length and CRC-32 (which catch a torn or damaged
//! file; keys, not values, need a strong hash). Keys include a hash of the
//! binary that wrote them. The cache only ever deletes its own entries, in
//! its own folder, and uses no folder that is a link to elsewhere.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::Diagnostic;

pub type Key = [u8; 32];

const DIR: &str = ".booklet-cache";

#[derive(Default)]
pub struct Cache {
    dir: Option<PathBuf>,
    /// Why the folder beside the outputs is not used, if it is not.
    refused: Option<Diagnostic>,
    memory: Mutex<HashMap<Key, Arc<Vec<u8>>>>,
    /// Values kept as they are, for rebuilds inside one process (`watch`).
    memo: Mutex<HashMap<Key, Arc<dyn Any + Send + Sync>>>,
    used: Mutex<HashSet<Key>>,
    /// False for a disabled cache, which stores nothing at all.
    remember: bool,
    /// Serves one process's rebuilds (`watch`): worth keeping in memory
    /// what only a rebuild in the same process can use.
    lasting: bool,
}

impl Cache {
    /// A cache that remembers nothing (for `check` and tests of cold builds).
    pub fn disabled() -> Cache {
        Cache::default()
    }

    /// A cache kept in `<out_dir>/.booklet-cache`: unless that is anything
    /// but a folder (a link, a file), which is left alone, and values are
    /// then kept in memory only.
    pub fn beside(out_dir: &Path) -> Cache {
        let dir = out_dir.join(DIR);
        let refused = match std::fs::symlink_metadata(&dir) {
            Ok(meta) if !meta.is_dir() => Some(
                Diagnostic::warning(
                    "the cache folder is a link or a file, not a folder; the cache is not used",
                )
                .in_file(&dir)
                .with_hint("booklet keeps its cache in a folder of its own: remove this one"),
            ),
            _ => None,
        };
        Cache {
            dir: refused.is_none().then_some(dir),
            refused,
            remember: true,
            ..Cache::default()
        }
    }

    /// This cache, serving the rebuilds of one process (`watch`).
    pub fn lasting(mut self) -> Cache {
        self.lasting = self.remember;
        self
    }

    /// A lasting cache with no folder (tests).
    pub fn in_memory() -> Cache {
        Cache {
            remember: true,
            lasting: true,
            ..Cache::default()
        }
    }

    /// Whether this cache serves rebuilds in this process.
    pub fn is_lasting(&self) -> bool {
        self.lasting
    }

    /// The warning that the cache folder was not used, if it was not.
    pub fn refusal(&self) -> Option<&Diagnostic> {
        self.refused.as_ref()
    }

    pub fn folder(out_dir: &Path) -> PathBuf {
        out_dir.join(DIR)
    }

    /// The key for a value derived from `parts` by computation `kind`.
    pub fn key(kind: &str, parts: &[&[u8]]) -> Key {
        let mut h = blake3::Hasher::new();
        h.update(binary_fingerprint());
        h.update(kind.as_bytes());
        for p in parts {
            h.update(&(p.len() as u64).to_le_bytes());
            h.update(p);
        }
        *h.finalize().as_bytes()
    }

    pub fn get(&self, key: &Key) -> Option<Arc<Vec<u8>>> {
        if !self.remember {
            return None;
        }
        self.mark_used(key);
        if let Some(v) = self.lock_memory().get(key) {
            return Some(v.clone());
        }
        let value = Arc::new(self.read(key, <[u8]>::to_vec)?);
        self.lock_memory().insert(*key, value.clone());
        Some(value)
    }

    /// `f` of the value stored under `key`, read in place: for values
    /// decoded into something else, which need no copy of their bytes.
    pub fn with<R>(&self, key: &Key, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        if !self.remember {
            return None;
        }
        self.mark_used(key);
        if let Some(v) = self.lock_memory().get(key).cloned() {
            return Some(f(&v));
        }
        self.read(key, f)
    }

    /// Reads an entry from the folder through a mapping (fresh memory is
    /// what reading costs most), checked against its key, length and CRC-32.
    fn read<R>(&self, key: &Key, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let path = self.dir.as_ref()?.join(hex(key));
        let file = crate::input::open(&path).ok()?;
        crate::input::regular(&file.metadata().ok()?).ok()?;
        // SAFETY: entries are written under another name and renamed into
        // place, never changed in place; one removed meanwhile stays mapped.
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        match checked(key, &map) {
            Some(value) => Some(f(value)),
            None => {
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    pub fn put(&self, key: &Key, value: Vec<u8>) -> Arc<Vec<u8>> {
        let value = Arc::new(value);
        if !self.remember {
            return value;
        }
        self.store(key, &value);
        self.lock_memory().insert(*key, value.clone());
        value
    }

    /// Stores `value` under `key` in the folder only: for values kept in
    /// this process decoded (see [`Pack`]), whose bytes only a later
    /// process reads.
    fn store(&self, key: &Key, value: &[u8]) {
        self.mark_used(key);
        if let Some(dir) = &self.dir {
            // Written whole, then renamed into place: a reader never sees
            // half an entry. Failure to write only costs time.
            if std::fs::create_dir_all(dir).is_ok() {
                let _ = crate::output::write_record(&dir.join(hex(key)), &sealed(key, value));
            }
        }
    }

    /// Whether values are kept at all.
    pub fn is_enabled(&self) -> bool {
        self.remember
    }

    /// Gets the value for `key`, computing and storing it when missing.
    pub fn get_or(&self, key: &Key, compute: impl FnOnce() -> Vec<u8>) -> Arc<Vec<u8>> {
        match self.get(key) {
            Some(v) => v,
            None => self.put(key, compute()),
        }
    }

    /// An in-process value stored under `key`, if any.
    pub fn memo<T: Any + Send + Sync>(&self, key: &Key) -> Option<Arc<T>> {
        if !self.remember {
            return None;
        }
        self.mark_used(key);
        let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        memo.get(key).cloned()?.downcast::<T>().ok()
    }

    pub fn put_memo<T: Any + Send + Sync>(&self, key: &Key, value: T) -> Arc<T> {
        let value = Arc::new(value);
        if !self.remember {
            return value;
        }
        self.mark_used(key);
        self.memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(*key, value.clone());
        value
    }

    /// Drops entries the last build did not use, so the cache does not grow
    /// with every edit. Call after a successful build.
    pub fn prune(&self) {
        let used = std::mem::take(&mut *self.used.lock().unwrap_or_else(|e| e.into_inner()));
        self.lock_memory().retain(|k, _| used.contains(k));
        self.memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|k, _| used.contains(k));
        let Some(dir) = &self.dir else { return };
        // Looked at again: a link put in its place since is not followed.
        if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let keep: HashSet<String> = used.iter().map(hex).collect();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let own = is_entry_name(&name) && entry.file_type().is_ok_and(|t| t.is_file());
            if own && !keep.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn mark_used(&self, key: &Key) {
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(*key);
    }

    fn lock_memory(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Vec<u8>>>> {
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Values a build uses by the hundred (set paragraphs, page streams), kept
/// together as one entry: one file to read and write instead of hundreds.
/// Each value has its own key; the pack holds those the last build used,
/// decoded once per process and kept as they are for `watch`.
pub struct Pack<T> {
    cache: Arc<Cache>,
    key: Key,
    known: Arc<Packed<T>>,
    used: Mutex<Packed<T>>,
}

pub type Packed<T> = HashMap<Key, Arc<T>>;

impl<T: Send + Sync + 'static> Pack<T> {
    /// The pack stored under `key`, read with `decode` (which returns
    /// `None` for anything it cannot read: then the pack starts empty).
    pub fn open(
        cache: &Arc<Cache>,
        key: Key,
        decode: impl FnOnce(&[u8]) -> Option<Packed<T>>,
    ) -> Pack<T> {
        let known = cache
            .memo::<Packed<T>>(&key)
            .or_else(|| cache.with(&key, decode).flatten().map(Arc::new))
            .unwrap_or_default();
        Pack {
            cache: cache.clone(),
            key,
            known,
            used: Mutex::new(HashMap::new()),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.cache.is_enabled()
    }

    pub fn get(&self, key: &Key) -> Option<Arc<T>> {
        let found = self.known.get(key).cloned()?;
        self.lock().insert(*key, found.clone());
        Some(found)
    }

    pub fn put(&self, key: Key, value: Arc<T>) {
        self.lock().insert(key, value);
    }

    /// Keeps the values used since [`Pack::open`] for the next build. When
    /// they differ from what is kept, they are written with `encode` on a
    /// thread of its own: join the handle before the build ends.
    pub fn save(&self, encode: fn(&Packed<T>) -> Vec<u8>) -> Option<std::thread::JoinHandle<()>> {
        let changes = self.changes(encode)?;
        Some(std::thread::spawn(move || changes.write()))
    }

    /// What [`Pack::save`] would write, if anything, for the caller to
    /// write where it suits.
    pub fn changes(&self, encode: fn(&Packed<T>) -> Vec<u8>) -> Option<Changes<T>> {
        if !self.cache.is_enabled() {
            return None;
        }
        if self.unchanged() {
            // Marked as used, so that pruning keeps it.
            self.cache.mark_used(&self.key);
            return None;
        }
        Some(Changes {
            cache: self.cache.clone(),
            key: self.key,
            used: std::mem::take(&mut *self.lock()),
            encode,
        })
    }

    /// Whether this build used exactly the values kept.
    fn unchanged(&self) -> bool {
        let used = self.lock();
        used.len() == self.known.len() && used.keys().all(|k| self.known.contains_key(k))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Packed<T>> {
        self.used.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What every stored entry starts with: a name and the format's version.
const MAGIC: &[u8; 8] = b"bkcache\x02";

/// Bytes before the value in a stored entry: the magic, the key, the
/// value's length and CRC-32.
const HEADER: usize = 8 + 32 + 8 + 4;

/// An entry as stored: header, then the value.
fn sealed(key: &Key, value: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(HEADER + value.len());
    data.extend_from_slice(MAGIC);
    data.extend_from_slice(key);
    data.extend_from_slice(&(value.len() as u64).to_le_bytes());
    data.extend_from_slice(&crc32fast::hash(value).to_le_bytes());
    data.extend_from_slice(value);
    data
}

/// The value of a stored entry, if it is of this format, stored under
/// `key`, whole and undamaged.
fn checked<'a>(key: &Key, entry: &'a [u8]) -> Option<&'a [u8]> {
    let (header, value) = entry.split_at_checked(HEADER)?;
    let (magic, rest) = header.split_at(MAGIC.len());
    let (stored_key, rest) = rest.split_at(32);
    let (len, crc) = rest.split_at(8);
    let ours = magic == MAGIC && stored_key == key;
    let whole = u64::from_le_bytes(len.try_into().ok()?) == value.len() as u64;
    let sound = u32::from_le_bytes(crc.try_into().ok()?) == crc32fast::hash(value);
    (ours && whole && sound).then_some(value)
}

/// Whether a file in the cache folder is one the cache wrote: an entry
/// (64 hex digits) or an entry being written (see
/// [`crate::output::is_temporary_of`]).
fn is_entry_name(name: &str) -> bool {
    let is_entry = |n: &str| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit());
    is_entry(name)
        || name
            .get(1..65)
            .is_some_and(|entry| is_entry(entry) && crate::output::is_temporary_of(name, entry))
}

/// The values of a [`Pack`] that differ from what is kept.
pub struct Changes<T> {
    cache: Arc<Cache>,
    key: Key,
    used: Packed<T>,
    encode: fn(&Packed<T>) -> Vec<u8>,
}

impl<T: Send + Sync + 'static> Changes<T> {
    /// Stores the values for a later process and keeps them decoded for
    /// this one: their bytes are not kept (a pack of set paragraphs is a
    /// large part of a book's memory).
    pub fn write(self) {
        self.cache.store(&self.key, &(self.encode)(&self.used));
        self.cache.put_memo(&self.key, self.used);
    }
}

fn hex(key: &Key) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// Identifies the code of the running binary (see `build-id.rs`), so that
/// entries written by another build of booklet (whose layout code may
/// differ) are never reused.
fn binary_fingerprint() -> &'static [u8] {
    env!("BOOKLET_BUILD_ID").as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_checks_and_prunes() {
        let dir = std::env::temp_dir().join(format!("booklet-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::beside(&dir);
        let k = Cache::key("t", &[b"a", b"b"]);
        assert_ne!(k, Cache::key("t", &[b"ab"]));
        cache.put(&k, b"value".to_vec());
        // A fresh cache reads it back from disk.
        let again = Cache::beside(&dir);
        assert_eq!(again.get(&k).unwrap().as_slice(), b"value");
        // Corruption is detected and costs only a miss.
        let file = Cache::folder(&dir).join(hex(&k));
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, bytes).unwrap();
        assert!(Cache::beside(&dir).get(&k).is_none());
        // So is an entry cut short.
        cache.put(&k, b"value".to_vec());
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() - 2]).unwrap();
        assert!(Cache::beside(&dir).get(&k).is_none());
        // A whole, sound entry under another key's name is a miss.
        let k2 = Cache::key("t", &[b"c"]);
        cache.put(&k2, b"x".to_vec());
        std::fs::copy(Cache::folder(&dir).join(hex(&k2)), &file).unwrap();
        assert!(Cache::beside(&dir).get(&k).is_none());
        // Unused entries go, and only entries.
        let mine = Cache::folder(&dir).join("notes.txt");
        std::fs::write(&mine, "mine").unwrap();
        let c = Cache::beside(&dir);
        c.put(&k2, b"x".to_vec());
        c.prune();
        assert!(!file.exists());
        assert!(mine.exists());
        assert!(Cache::folder(&dir).join(hex(&k2)).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
