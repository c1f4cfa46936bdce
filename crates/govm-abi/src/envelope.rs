//! The result envelope an entry point returns.

use parity_scale_codec::Decode;

use crate::error::{Error, Result};

/// What an entry point's wrapper reports, read from the bytes it returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Envelope {
    /// Status 0: success; the SCALE-encoded results follow.
    Ok(Vec<u8>),
    /// Status 1: the function returned a non-nil `error` with this message.
    Error(String),
    /// Status 2: the function panicked with this message.
    Panic(String),
    /// Status 3: the arguments did not decode.
    BadArgs(String),
}

impl Envelope {
    /// Parses the bytes the wrapper returned.
    pub fn parse(bytes: &[u8]) -> Result<Envelope> {
        let (&status, rest) = bytes
            .split_first()
            .ok_or_else(|| Error::Envelope("empty".into()))?;
        let message = || -> Result<String> {
            let mut input = rest;
            let text = String::decode(&mut input).map_err(|e| Error::Envelope(e.to_string()))?;
            if !input.is_empty() {
                return Err(Error::Envelope("trailing bytes after the message".into()));
            }
            Ok(text)
        };
        Ok(match status {
            0 => Envelope::Ok(rest.to_vec()),
            1 => Envelope::Error(message()?),
            2 => Envelope::Panic(message()?),
            3 => Envelope::BadArgs(message()?),
            other => return Err(Error::Envelope(format!("unknown status {other}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_status_and_rejects_garbage() {
        assert_eq!(
            Envelope::parse(&[0, 1, 2]).ok(),
            Some(Envelope::Ok(vec![1, 2]))
        );
        assert_eq!(
            Envelope::parse(&[1, 8, b'n', b'o']).ok(),
            Some(Envelope::Error("no".into()))
        );
        assert_eq!(
            Envelope::parse(&[2, 0]).ok(),
            Some(Envelope::Panic(String::new()))
        );
        assert_eq!(
            Envelope::parse(&[3, 0]).ok(),
            Some(Envelope::BadArgs(String::new()))
        );
        assert!(Envelope::parse(&[]).is_err());
        assert!(Envelope::parse(&[9]).is_err());
        assert!(Envelope::parse(&[1, 8, b'n']).is_err());
        assert!(Envelope::parse(&[1, 0, 0]).is_err());
    }
}
