//! Writing an output file the safe way: the bytes go to a new temporary file
//! in the target's folder, then a rename puts it in place.

use std::io::Write;
use std::path::Path;

/// Replaces `path` with `bytes`. The temporary file is created with O_EXCL
/// under an unpredictable name (mode 0600 on Unix), so a link planted in
/// the folder is never written through; the rename replaces a link at
/// `path` itself instead of following it; and a reader never sees half a file.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    // On failure the temporary file is removed when `e.file` drops.
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}
