//! A minimal ZIP archive writer: files stored uncompressed, with fixed
//! timestamps, so that the same files give the same bytes every time (the
//! proxy archive API Manager hands out, `routes::api_proxy`). Follows the
//! ZIP file format specification (PKWARE APPNOTE.TXT §4.3) for the subset
//! it writes: local headers, central directory, end of central directory.

/// 1980-01-01 00:00, the earliest time a ZIP entry can carry (MS-DOS date/time).
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

/// The archive of `files` (name, contents), in that order.
pub fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        // Local file header.
        put32(&mut out, 0x0403_4b50);
        entry_fields(&mut out, crc, size, name_len);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory record.
        put32(&mut central, 0x0201_4b50);
        put16(&mut central, 20); // made by: MS-DOS, version 2.0
        entry_fields(&mut central, crc, size, name_len);
        put16(&mut central, 0); // comment length
        put16(&mut central, 0); // disk number
        put16(&mut central, 0); // internal attributes
        put32(&mut central, 0); // external attributes
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let directory_offset = out.len() as u32;
    let directory_size = central.len() as u32;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4b50);
    put16(&mut out, 0); // this disk
    put16(&mut out, 0); // disk with the directory
    put16(&mut out, files.len() as u16);
    put16(&mut out, files.len() as u16);
    put32(&mut out, directory_size);
    put32(&mut out, directory_offset);
    put16(&mut out, 0); // comment length
    out
}

/// The fields a local header and a central record share, from "version needed" to "extra length".
fn entry_fields(out: &mut Vec<u8>, crc: u32, size: u32, name_len: u16) {
    put16(out, 20); // version needed: 2.0
    put16(out, 0); // flags
    put16(out, 0); // method: stored
    put16(out, DOS_TIME);
    put16(out, DOS_DATE);
    put32(out, crc);
    put32(out, size); // compressed size
    put32(out, size); // uncompressed size
    put16(out, name_len);
    put16(out, 0); // extra field length
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit: the archives are tiny.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_check_value() {
        // The standard check value of CRC-32 for "123456789".
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn an_archive_has_its_headers_and_is_the_same_every_time() {
        let zip = archive(&[("a.txt", b"hello")]);
        assert_eq!(&zip[..4], b"PK\x03\x04");
        assert_eq!(&zip[zip.len() - 22..zip.len() - 18], b"PK\x05\x06");
        assert_eq!(zip, archive(&[("a.txt", b"hello")]));
    }
}
