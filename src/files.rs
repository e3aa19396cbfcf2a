//! Writing an output file the safe way: the bytes go to a new temporary file
//! in the target's folder, then a rename puts it in place; and reading a
//! small input file the safe way: a regular file, under a size cap.

use std::io::Read;
use std::path::Path;

/// Why a small input file was not read.
#[derive(Debug)]
pub enum NotRead {
    Absent,
    /// A FIFO, a device, a socket or a folder (or a link to one): reading
    /// could block for ever, or never end.
    NotRegular,
    /// Larger than the cap, in bytes.
    TooLarge(u64),
    Failed(std::io::Error),
}

impl std::fmt::Display for NotRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotRead::Absent => write!(f, "does not exist"),
            NotRead::NotRegular => write!(f, "is not a regular file"),
            NotRead::TooLarge(len) => write!(f, "is too large ({len} bytes)"),
            NotRead::Failed(e) => write!(f, "cannot be read ({e})"),
        }
    }
}

/// The bytes of `path` when it is (or links to) a regular file of at most
/// `cap` bytes. Nothing is opened that is not a regular file, and no more
/// than `cap` bytes are read even when the file grows meanwhile.
pub fn read_small(path: &Path, cap: u64) -> Result<Vec<u8>, NotRead> {
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => NotRead::Absent,
        _ => NotRead::Failed(e),
    })?;
    if !metadata.is_file() {
        return Err(NotRead::NotRegular);
    }
    if metadata.len() > cap {
        return Err(NotRead::TooLarge(metadata.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(cap + 1).read_to_end(&mut bytes))
        .map_err(NotRead::Failed)?;
    if bytes.len() as u64 > cap {
        return Err(NotRead::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Replaces `path` with `bytes`. The temporary file is created with O_EXCL
/// under an unpredictable name (mode 0600 on Unix), so a link planted in
/// the folder is never written through; the rename replaces a link at
/// `path` itself instead of following it; and a reader never sees half a file.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_from(path, &mut &bytes[..])
}

/// `replace`, with what `from` reads (a report too large to hold in memory).
pub fn replace_from(path: &Path, from: &mut dyn std::io::Read) -> std::io::Result<()> {
    let mut temporary = temporary_beside(path)?;
    std::io::copy(from, &mut temporary)?;
    temporary.as_file().sync_all()?;
    // On failure the temporary file is removed when `e.file` drops.
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether `replace` could write `path` now: its temporary file can be made
/// in the target's folder (and is removed at once), and the target is not a
/// folder, which the rename could not replace. For an output a command
/// writes at its end, asked before it changes anything it cannot undo.
pub fn can_replace(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::other("it is a folder"));
    }
    temporary_beside(path).map(drop)
}

/// A new temporary file in `path`'s folder, named after it.
fn temporary_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(folder)
}
