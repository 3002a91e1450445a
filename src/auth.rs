//! Credentials: password hashing (argon2id), random tokens stored as SHA-256 hashes, and TOTP.
//! The CPU-heavy hashing must run off the async runtime (`spawn_blocking`).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// argon2id with m = 19 MiB, t = 2, p = 1 (OWASP's recommendation, ASVS 5.0 V11.4).
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// A PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$…`.
pub fn hash_password(password: &str) -> String {
    argon2().hash_password(password.as_bytes()).expect("argon2 hashing with a random salt").to_string()
}

/// Checks a password against a stored PHC string (in constant time within argon2).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to compare against when an account does not exist, so that a login for an unknown name
/// takes as long as one for a known name.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("pinne-dummy-password-never-valid"))
}

/// A new random token of 256 bits, hex encoded (what the client holds), and its SHA-256 hash
/// (what the database holds).
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock skew either way).
pub mod totp {
    use totp_rs::{Builder, Secret, Totp};

    /// A new random secret (160 bits), base32 encoded for authenticator apps.
    pub fn new_secret() -> String {
        Secret::generate().to_base32()
    }

    fn totp(secret_base32: &str, account: &str) -> Option<Totp> {
        let secret = Secret::try_from_base32(secret_base32).ok()?;
        Builder::new()
            .with_secret(secret)
            .with_account_name(account.replace(':', "_"))
            .with_issuer(Some("Pinne"))
            .build()
            .ok()
    }

    /// The time step `code` is valid for now (one step of skew either way), if it is. The caller
    /// must accept each step only once (`store::account::use_totp_step`).
    pub fn check(secret_base32: &str, code: &str) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 {
            return None;
        }
        totp(secret_base32, "x")?.check_current(&code)
    }

    /// The `otpauth://` address for authenticator apps.
    pub fn url(secret_base32: &str, account: &str) -> Option<String> {
        totp(secret_base32, account)?.to_url().ok()
    }

    /// The code for a moment in time (tests and the command line).
    pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
        Some(totp(secret_base32, "x")?.generate(unix_seconds).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("en lång och bra fras");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("en lång och bra fras", &h));
        assert!(!verify_password("en lång och bra fraS", &h));
        assert!(!verify_password("x", "not a phc string"));
        assert_ne!(hash_password("samma"), hash_password("samma"), "salted");
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), ha);
        assert_ne!(ha, a.as_bytes());
    }

    #[test]
    fn totp_codes_check() {
        let secret = totp::new_secret();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let code = totp::code_at(&secret, now).unwrap();
        assert_eq!(totp::check(&secret, &code), Some(now / 30));
        let old = totp::code_at(&secret, now - 600).unwrap();
        assert!(totp::check(&secret, &old).is_none() || old == code);
        assert!(totp::check(&secret, "12345").is_none());
        assert!(totp::url(&secret, "anna").unwrap().starts_with("otpauth://totp/Pinne:anna?"));
    }
}
