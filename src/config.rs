//! Settings for `pinne serve` and the other subcommands: defaults < environment (`PINNE_*`) < flags.
//! (clap reads both the environment and the flags.)

use std::net::SocketAddr;
use std::path::PathBuf;

/// Default listen address: loopback (put a TLS-terminating reverse proxy in front for others).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "pinne-data";

#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub demo: bool,
    /// Development mode: plain http, only on loopback (see `web::auth::AuthSettings::dev`).
    pub dev: bool,
    /// Trust `X-Forwarded-For` from the reverse proxy for client addresses.
    pub trust_proxy: bool,
    /// Let a förbundschef sign in without TOTP (a documented risk).
    pub totp_optional: bool,
    /// The OpenID Connect settings file, if sign-in with the municipality's account is on.
    pub oidc: Option<PathBuf>,
}

impl ServeSettings {
    /// Development mode sends the session cookie over plain http, so it is refused on any address
    /// but loopback.
    pub fn check(&self) -> Result<(), String> {
        if self.dev && !self.listen.ip().is_loopback() {
            return Err(format!(
                "refusing to listen on {} in development mode: --dev sends the session over plain http and may only listen on loopback (127.0.0.1 or ::1)",
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
    fn development_mode_is_loopback_only() {
        let s = |a: &str, dev: bool| ServeSettings {
            listen: a.parse().unwrap(),
            data_dir: DEFAULT_DATA_DIR.into(),
            demo: false,
            dev,
            trust_proxy: false,
            totp_optional: false,
            oidc: None,
        };
        assert!(s("127.0.0.1:8080", true).check().is_ok());
        assert!(s("[::1]:8080", true).check().is_ok());
        assert!(s("0.0.0.0:8080", true).check().is_err());
        assert!(s("192.168.1.10:80", true).check().is_err());
        assert!(s("0.0.0.0:8080", false).check().is_ok());
    }
}
