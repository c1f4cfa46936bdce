//! Turning deployed bytes into contract source: what every node does with a deploy's source
//! before validating it.

use std::io::Read;

use thiserror::Error;

/// Deployed bytes that are not acceptable contract source: not UTF-8, too large, or a broken
/// gzip stream.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("invalid contract source: {0}")]
pub struct SourceError(pub String);

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Decompresses gzip input (recognised by its magic bytes) and checks that the source is UTF-8
/// and at most `max_size` bytes. Decompression stops as soon as the output passes `max_size`,
/// so a gzip bomb costs at most that much memory.
pub fn prepare_source(code: &[u8], max_size: usize) -> Result<String, SourceError> {
    let bytes = if code.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::new();
        let limit = max_size as u64 + 1;
        flate2::read::GzDecoder::new(code)
            .take(limit)
            .read_to_end(&mut out)
            .map_err(|e| SourceError(format!("cannot decompress gzip input: {e}")))?;
        out
    } else {
        code.to_vec()
    };
    if bytes.len() > max_size {
        return Err(SourceError(format!(
            "the source is larger than the limit of {max_size} bytes"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        SourceError(format!(
            "the source is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn plain_and_gzip_sources_are_accepted() {
        assert_eq!(prepare_source(b"package p", 100).unwrap(), "package p");
        assert_eq!(
            prepare_source(&gzip(b"package p"), 100).unwrap(),
            "package p"
        );
    }

    #[test]
    fn gzip_bombs_and_bad_input_are_refused() {
        let bomb = gzip(&vec![b' '; 50 << 20]);
        assert!(bomb.len() < 100_000);
        let err = prepare_source(&bomb, 1 << 20).unwrap_err().to_string();
        assert!(err.contains("larger than the limit"), "{err}");
        assert!(prepare_source(&[0x1f, 0x8b, 0, 1, 2], 100).is_err());
        assert!(prepare_source(&[0xff, 0xfe], 100).is_err());
        assert!(prepare_source(&[b'a'; 101], 100).is_err());
    }
}
