//! Settings for `pinne serve` and the other subcommands: defaults < environment (`PINNE_*`) < flags.
//! (clap reads both the environment and the flags.)

use std::net::SocketAddr;
use std::path::PathBuf;

/// Default listen address: loopback only. Until accounts exist, Pinne refuses any other address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "pinne-data";

#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub demo: bool,
}

impl ServeSettings {
    /// Refuses addresses other than loopback: there is no login yet, so anyone who can reach the
    /// port can read and write everything.
    pub fn check(&self) -> Result<(), String> {
        if !self.listen.ip().is_loopback() {
            return Err(format!(
                "refusing to listen on {}: Pinne has no login yet and may only listen on loopback (127.0.0.1 or ::1)",
                self.listen
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_allowed() {
        let s = |a: &str| ServeSettings { listen: a.parse().unwrap(), data_dir: DEFAULT_DATA_DIR.into(), demo: false };
        assert!(s("127.0.0.1:8080").check().is_ok());
        assert!(s("[::1]:8080").check().is_ok());
        assert!(s("0.0.0.0:8080").check().is_err());
        assert!(s("192.168.1.10:80").check().is_err());
    }
}
