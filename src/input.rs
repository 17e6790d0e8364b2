//! Reading an input file: every manifest, style, source, image and import
//! input is read here, and only here. Only regular files are read (a named
//! pipe would wait forever for a writer, a device such as `/dev/zero` would
//! fill memory), and each kind of file has a size limit far above any real
//! one, so that a wrong path gives a clear error instead of a stall. Font
//! files are mapped, not read (see `fonts`); they pass [`regular`] first.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// What a file is read as: it sets the size limit and names the file in
/// messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Manifest,
    Style,
    Source,
    Image,
    /// A raw text given to `booklet import`.
    Import,
    /// A record booklet keeps beside its outputs.
    Record,
}

const MIB: u64 = 1 << 20;

impl Kind {
    pub fn limit(self) -> u64 {
        match self {
            Kind::Manifest | Kind::Style => MIB,
            Kind::Source | Kind::Image | Kind::Import => 64 * MIB,
            Kind::Record => 16 * MIB,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Manifest => "a manifest",
            Kind::Style => "a style",
            Kind::Source => "an article source",
            Kind::Image => "an image",
            Kind::Import => "an import input",
            Kind::Record => "a record",
        }
    }
}

/// Why a file was not read. Its `Display` is the reason alone ("no such
/// file"); the caller names the file.
#[derive(Debug)]
pub enum Unreadable {
    Io(std::io::Error),
    /// Not a regular file: what it is instead.
    NotRegular(&'static str),
    TooLarge {
        size: u64,
        kind: Kind,
    },
}

impl Unreadable {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Unreadable::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

impl From<std::io::Error> for Unreadable {
    fn from(e: std::io::Error) -> Self {
        Unreadable::Io(e)
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Io(e) => match e.kind() {
                std::io::ErrorKind::NotFound => f.write_str("no such file"),
                std::io::ErrorKind::PermissionDenied => f.write_str("permission denied"),
                _ => write!(f, "{e}"),
            },
            Unreadable::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            Unreadable::TooLarge { size, kind } => write!(
                f,
                "it is {size} bytes; {} may be at most {} MiB",
                kind.name(),
                kind.limit() / MIB
            ),
        }
    }
}

impl std::error::Error for Unreadable {}

/// The bytes of the regular file at `path`, if it is no larger than its
/// kind allows.
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, Unreadable> {
    let file = open(path)?;
    let meta = file.metadata()?;
    regular(&meta)?;
    if meta.len() > kind.limit() {
        return Err(Unreadable::TooLarge {
            size: meta.len(),
            kind,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file growing while it is read stops at the limit all the same.
    file.take(kind.limit() + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > kind.limit() {
        return Err(Unreadable::TooLarge {
            size: bytes.len() as u64,
            kind,
        });
    }
    Ok(bytes)
}

/// Opens `path` for reading without waiting: a named pipe opened the usual
/// way blocks until some writer opens it too.
pub fn open(path: &Path) -> Result<File, Unreadable> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    Ok(options.open(path)?)
}

/// Refuses anything but a regular file.
pub fn regular(meta: &std::fs::Metadata) -> Result<(), Unreadable> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        return Err(Unreadable::NotRegular("a folder"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Err(Unreadable::NotRegular("a named pipe (FIFO)"));
        }
        if kind.is_socket() {
            return Err(Unreadable::NotRegular("a socket"));
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Err(Unreadable::NotRegular("a device"));
        }
    }
    Err(Unreadable::NotRegular("not a file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_pipes_folders_and_oversized_files() {
        let dir = std::env::temp_dir().join(format!("booklet-input-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("pipe.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read(&fifo, Kind::Source).unwrap_err();
            assert_eq!(
                e.to_string(),
                "it is a named pipe (FIFO), not a regular file"
            );
        }
        let e = read(Path::new("/dev/zero"), Kind::Source).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        assert!(read(&dir, Kind::Source)
            .unwrap_err()
            .to_string()
            .contains("a folder"));
        let big = dir.join("big.toml");
        File::create(&big).unwrap().set_len(MIB + 1).unwrap();
        let e = read(&big, Kind::Manifest).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is 1048577 bytes; a manifest may be at most 1 MiB"
        );
        assert_eq!(read(&big, Kind::Source).unwrap().len() as u64, MIB + 1);
        let missing = read(&dir.join("none"), Kind::Source).unwrap_err();
        assert!(missing.is_not_found());
        assert_eq!(missing.to_string(), "no such file");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
