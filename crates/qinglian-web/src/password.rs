//! Password hashing: argon2id with the OWASP-recommended parameters
//! (m = 19 MiB, t = 2, p = 1).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hash a password (PHC string).
pub fn hash(password: &str) -> String {
    // The salt comes from the OS random source (password-hash's getrandom feature).
    let h: PasswordHash = hasher()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing cannot fail with valid params");
    h.to_string()
}

/// Verify a password against a PHC string. A malformed hash never verifies.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => hasher().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// `hash` on a blocking thread: argon2 with 19 MiB takes tens of milliseconds of CPU, which
/// must not stall the async workers that serve every other request.
pub async fn hash_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .expect("argon2 task does not panic")
}

/// `verify` on a blocking thread (see `hash_async`).
pub async fn verify_async(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so timing does not reveal which
/// usernames exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("qinglian-dummy-password"))
}

/// A random password meeting the default policy (for demo users and resets).
pub fn generate() -> String {
    use rand::Rng;
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    let mut rng = rand::rng();
    let mut s = String::new();
    for i in 0..12 {
        let set = match i % 3 {
            0 => UPPER,
            1 => LOWER,
            _ => DIGIT,
        };
        s.push(set[rng.random_range(0..set.len())] as char);
    }
    s.push('#');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_and_uses_argon2id_owasp_parameters() {
        let h = hash("Qinglian#2026");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("Qinglian#2026", &h));
        assert!(!verify("qinglian#2026", &h));
        assert!(!verify("x", "not-a-hash"));
    }

    #[test]
    fn generated_passwords_meet_the_default_policy() {
        let p = generate();
        assert!(
            qinglian_store::setting::SecurityPolicy::default()
                .check_password(&p, "demo")
                .is_ok(),
            "{p}"
        );
    }
}
