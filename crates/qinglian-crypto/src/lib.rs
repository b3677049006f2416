//! Cryptography for qinglian: hash chaining and field encryption.
//!
//! Two algorithm suites are supported, selected by [`CryptoMode`]:
//!
//! | mode            | digest  | field encryption |
//! |-----------------|---------|------------------|
//! | `guomi`         | SM3     | SM4-GCM          |
//! | `international` | SHA-256 | AES-256-GCM      |
//!
//! All primitives come from the RustCrypto crates (`sm3`, `sm4`, `sha2`,
//! `aes-gcm`); SM4-GCM is `aes_gcm::AesGcm<sm4::Sm4, U12>`, i.e. the generic
//! NIST SP 800-38D GCM construction over the SM4 block cipher, which is
//! exactly the SM4-GCM of GB/T 36624 / RFC 8998 (verified by a known-answer
//! test from RFC 8998 appendix A.1).
//!
//! # Encrypted field format
//!
//! [`KeyRing::encrypt`] produces the text token
//! `qe1:<version>:<alg>:<base64(nonce || ciphertext || tag)>` where
//! `version` is the decimal master-key version, `alg` is `sm4gcm` or
//! `aes256gcm`, the nonce is 12 random bytes, the tag is 16 bytes and the
//! base64 is the standard alphabet with padding (RFC 4648 §4).
//!
//! # Key derivation for SM4
//!
//! Master keys are 256 bits so that one key file serves both modes.
//! AES-256-GCM uses the master key directly. SM4 only takes a 128-bit key, so
//! the SM4 key is `SM3(master_key || "qinglian-sm4-gcm")[..16]`. Why:
//!
//! * truncating the master key would silently ignore half of its entropy and
//!   make the SM4 key equal to a prefix of the AES key; hashing keeps all
//!   256 bits in play and makes the two keys independent (domain separation
//!   through the label);
//! * SM3 keeps the Guomi suite within national algorithms, as required of
//!   Guomi deployments; the master key is uniformly random, so a single hash
//!   invocation is an adequate KDF (no stretching needed, nothing to salt);
//! * SM3 output is 256 bits, its first 128 bits are a uniformly distributed
//!   128-bit key.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest as _, Sha256};
use sm3::Sm3;
use sm4::Sm4;
use sm4::cipher::consts::U12;

#[cfg(test)]
mod tests;

/// SM4-GCM with a 96-bit nonce and 128-bit tag (GB/T 36624, RFC 8998).
pub type Sm4Gcm = AesGcm<Sm4, U12>;

/// Length in bytes of the random AEAD nonce.
pub const NONCE_LEN: usize = 12;
/// Length in bytes of the AEAD authentication tag.
pub const TAG_LEN: usize = 16;
/// Prefix (format version) of encrypted field tokens.
pub const TOKEN_PREFIX: &str = "qe1";
/// Label appended to the master key when deriving the SM4 key.
pub const SM4_KDF_LABEL: &[u8] = b"qinglian-sm4-gcm";
/// Sub-directory of the data directory that holds the key file.
pub const KEY_DIR: &str = "keys";
/// File name of the master key file inside [`KEY_DIR`].
pub const KEY_FILE: &str = "master.keys";

/// Errors of key handling and field decryption.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Reading or writing a key file or directory failed.
    #[error("密钥文件读写失败：{path}：{source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The key file is accessible by group or others.
    #[error("密钥文件权限过宽（应为600）：{path}")]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
    },
    /// The key file cannot be parsed.
    #[error("密钥文件格式错误：{path} 第{line}行：{reason}")]
    KeyFileFormat {
        /// The key file.
        path: PathBuf,
        /// One-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
    /// Supplied keys are unusable (empty, duplicate version, bad hex, ...).
    #[error("密钥配置无效：{0}")]
    InvalidKeys(String),
    /// The token is not of the form `qe1:<version>:<alg>:<base64>`.
    #[error("密文格式无效")]
    MalformedToken,
    /// Authentication failed: tampered ciphertext, wrong aad or wrong key.
    #[error("密文已被篡改或密钥不匹配")]
    Tampered,
    /// The token names a key version this ring does not hold.
    #[error("未知的密钥版本v{0}")]
    UnknownKeyVersion(u32),
    /// The token names an unsupported encryption algorithm.
    #[error("未知的加密算法：{0}")]
    UnknownAlgorithm(String),
    /// A crypto mode string is neither `guomi` nor `international`.
    #[error("未知的密码模式：{0}（应为 guomi 或 international）")]
    UnknownMode(String),
}

/// Algorithm suite: 国密 (SM3/SM4-GCM) or international (SHA-256/AES-256-GCM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CryptoMode {
    /// Chinese commercial cryptography: SM3 digests and SM4-GCM encryption.
    #[default]
    Guomi,
    /// International algorithms: SHA-256 digests and AES-256-GCM encryption.
    International,
}

impl CryptoMode {
    /// Configuration name: "guomi" or "international".
    pub fn as_str(self) -> &'static str {
        match self {
            CryptoMode::Guomi => "guomi",
            CryptoMode::International => "international",
        }
    }

    /// AEAD algorithm name used in tokens: "sm4gcm" or "aes256gcm".
    pub fn aead_alg(self) -> &'static str {
        match self {
            CryptoMode::Guomi => ALG_SM4GCM,
            CryptoMode::International => ALG_AES256GCM,
        }
    }
}

impl fmt::Display for CryptoMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CryptoMode {
    type Err = CryptoError;

    /// Parses "guomi" or "international" (ASCII case-insensitive, trimmed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("guomi") {
            Ok(CryptoMode::Guomi)
        } else if t.eq_ignore_ascii_case("international") {
            Ok(CryptoMode::International)
        } else {
            Err(CryptoError::UnknownMode(s.to_owned()))
        }
    }
}

const ALG_SM4GCM: &str = "sm4gcm";
const ALG_AES256GCM: &str = "aes256gcm";

/// 32-byte digest: SM3 in Guomi mode, SHA-256 in International mode.
pub fn digest(mode: CryptoMode, data: &[u8]) -> [u8; 32] {
    match mode {
        CryptoMode::Guomi => Sm3::digest(data).into(),
        CryptoMode::International => Sha256::digest(data).into(),
    }
}

/// Keyed hash (HMAC-SM3 in Guomi mode, HMAC-SHA-256 in International mode) of `data`
/// under `key`: signatures of short-lived tokens (the portal's human-check challenges).
pub fn mac(mode: CryptoMode, key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    match mode {
        CryptoMode::Guomi => {
            let mut m = hmac::Hmac::<Sm3>::new_from_slice(key).expect("HMAC takes a key of any length");
            m.update(data);
            m.finalize().into_bytes().into()
        }
        CryptoMode::International => {
            let mut m = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
            m.update(data);
            m.finalize().into_bytes().into()
        }
    }
}

/// Hash-chain link: digest(mode, prev_hash || payload). Used by the tamper-evident audit log.
pub fn chain_hash(mode: CryptoMode, prev_hash: &[u8], payload: &[u8]) -> [u8; 32] {
    match mode {
        CryptoMode::Guomi => Sm3::new()
            .chain_update(prev_hash)
            .chain_update(payload)
            .finalize()
            .into(),
        CryptoMode::International => Sha256::new()
            .chain_update(prev_hash)
            .chain_update(payload)
            .finalize()
            .into(),
    }
}

/// Algorithm name for records: "sm3" or "sha256".
pub fn hash_alg(mode: CryptoMode) -> &'static str {
    match mode {
        CryptoMode::Guomi => "sm3",
        CryptoMode::International => "sha256",
    }
}

/// Digest by algorithm name (so old entries can be verified after a mode change): Some for "sm3"/"sha256".
pub fn digest_by_alg(alg: &str, data: &[u8]) -> Option<[u8; 32]> {
    match alg {
        "sm3" => Some(digest(CryptoMode::Guomi, data)),
        "sha256" => Some(digest(CryptoMode::International, data)),
        _ => None,
    }
}

/// Random URL-safe base64 string (no padding) of `bytes` CSPRNG bytes, for session ids and CSRF tokens.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // ThreadRng is a ChaCha-based CSPRNG seeded and periodically reseeded from the OS.
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(&buf)
}

/// Parse a 256-bit key written as 64 hex characters (surrounding whitespace ignored).
pub fn parse_key_hex(s: &str) -> Result<[u8; 32], CryptoError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(s.trim(), &mut key)
        .map_err(|_| CryptoError::InvalidKeys("主密钥应为64位十六进制字符".to_owned()))?;
    Ok(key)
}

/// Parse a key list from configuration: a single 64-hex key (version 1) or entries `v<N>:<hex>` separated by commas or whitespace.
pub fn parse_key_list(s: &str) -> Result<VersionedKeys, CryptoError> {
    let entries: Vec<&str> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .collect();
    if let [single] = entries.as_slice()
        && !single.contains(':')
    {
        return Ok(vec![(1, parse_key_hex(single)?)]);
    }
    entries
        .iter()
        .map(|entry| {
            let (version, key) = entry
                .split_once(':')
                .ok_or_else(|| CryptoError::InvalidKeys("多个主密钥应写作 v<版本>:<十六进制密钥>".to_owned()))?;
            let version = parse_version_label(version)
                .ok_or_else(|| CryptoError::InvalidKeys(format!("密钥版本格式错误：{version}")))?;
            Ok((version, parse_key_hex(key)?))
        })
        .collect()
}

/// Parse "v<N>" with N a positive decimal u32.
fn parse_version_label(s: &str) -> Option<u32> {
    let digits = s.strip_prefix('v')?;
    parse_decimal_u32(digits).filter(|v| *v > 0)
}

/// Strict decimal parse: ASCII digits only (no sign, no whitespace).
fn parse_decimal_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Versioned master keys as read from configuration or the key file.
pub type VersionedKeys = Vec<(u32, [u8; 32])>;

/// One master key version with its derived SM4 key.
#[derive(Clone)]
struct MasterKey {
    key: [u8; 32],
    sm4_key: [u8; 16],
}

impl MasterKey {
    fn new(key: [u8; 32]) -> Self {
        MasterKey {
            sm4_key: derive_sm4_key(&key),
            key,
        }
    }
}

/// SM4 key = first 16 bytes of SM3(master_key || "qinglian-sm4-gcm"); see the crate docs.
pub fn derive_sm4_key(master_key: &[u8; 32]) -> [u8; 16] {
    let full = chain_hash(CryptoMode::Guomi, master_key, SM4_KDF_LABEL);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Field encryption keys: versioned 256-bit master keys; the newest encrypts, all decrypt.
///
/// # Key file format
///
/// `DATA_DIR/keys/master.keys` is UTF-8 text. Lines starting with `#` and
/// blank lines are comments. Every other line holds one key:
///
/// ```text
/// v<version> <64 lowercase or uppercase hex characters>
/// ```
///
/// `version` is a positive decimal integer; versions must be unique and the
/// highest one is the current (encrypting) key. Rotation appends a line.
/// The file must be mode 0600 (no group/other access) on unix.
#[derive(Clone)]
pub struct KeyRing {
    keys: BTreeMap<u32, MasterKey>,
    current: u32,
    mode: CryptoMode,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("KeyRing")
            .field("versions", &self.keys.keys().collect::<Vec<_>>())
            .field("current", &self.current)
            .field("mode", &self.mode)
            .finish()
    }
}

const KEY_FILE_HEADER: &str = "\
# qinglian master keys. KEEP SECRET; back up together with the database.
# Losing this file makes all encrypted fields unreadable.
# Format: one key per line, \"v<version> <64 hex chars>\"; lines starting
# with '#' are comments. The highest version encrypts, all versions decrypt.
# Rotation appends a new line; never delete old lines while data encrypted
# under them remains. File mode must be 0600.
";

/// Path of the key file under a data directory.
pub fn key_file_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_DIR).join(KEY_FILE)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> CryptoError + '_ {
    move |source| CryptoError::Io {
        path: path.to_owned(),
        source,
    }
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}

fn key_line(version: u32, key: &[u8; 32]) -> String {
    format!("v{version} {}\n", hex::encode(key))
}

/// Create the key directory (mode 0700 on unix) if missing.
fn create_key_dir(dir: &Path) -> Result<(), CryptoError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_err(dir))
}

/// Options for creating a new key file (mode 0600 on unix).
fn new_file_options() -> fs::OpenOptions {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// Refuse a key file that group or others may access.
fn check_permissions(file: &fs::File, path: &Path) -> Result<(), CryptoError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = file.metadata().map_err(io_err(path))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(CryptoError::KeyFilePermissions { path: path.to_owned() });
        }
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
}

/// Open an existing key file, check permissions and parse it; also returns the raw text.
fn read_key_file(path: &Path) -> Result<(VersionedKeys, String), CryptoError> {
    let mut file = fs::File::open(path).map_err(io_err(path))?;
    check_permissions(&file, path)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io_err(path))?;
    Ok((parse_key_file(&text, path)?, text))
}

fn parse_key_file(text: &str, path: &Path) -> Result<VersionedKeys, CryptoError> {
    let format_err = |line: usize, reason: &str| CryptoError::KeyFileFormat {
        path: path.to_owned(),
        line,
        reason: reason.to_owned(),
    };
    let mut keys = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(version), Some(key), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format_err(idx + 1, "应为“v<版本> <十六进制密钥>”"));
        };
        let version = parse_version_label(version).ok_or_else(|| format_err(idx + 1, "密钥版本格式错误"))?;
        let key = parse_key_hex(key).map_err(|_| format_err(idx + 1, "密钥应为64位十六进制字符"))?;
        if keys.iter().any(|(v, _)| *v == version) {
            return Err(format_err(idx + 1, "密钥版本重复"));
        }
        keys.push((version, key));
    }
    if keys.is_empty() {
        return Err(format_err(0, "文件中没有密钥"));
    }
    Ok(keys)
}

/// Parsed header of an encrypted token.
struct TokenParts<'a> {
    version: u32,
    alg: &'a str,
    body: &'a str,
}

fn split_token(token: &str) -> Result<TokenParts<'_>, CryptoError> {
    let mut it = token.splitn(4, ':');
    let (Some(prefix), Some(version), Some(alg), Some(body)) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(CryptoError::MalformedToken);
    };
    if prefix != TOKEN_PREFIX {
        return Err(CryptoError::MalformedToken);
    }
    let version = parse_decimal_u32(version).ok_or(CryptoError::MalformedToken)?;
    Ok(TokenParts { version, alg, body })
}

impl KeyRing {
    /// Load `DIR/keys/master.keys` or create it (first start) with one random key; the directory is created with mode 0700 and the file 0600 (unix); refuse (error) to load a file readable by group/others.
    pub fn load_or_create(data_dir: &Path, mode: CryptoMode) -> Result<KeyRing, CryptoError> {
        let path = key_file_path(data_dir);
        if !path.exists() {
            create_key_dir(&data_dir.join(KEY_DIR))?;
            match new_file_options().open(&path) {
                Ok(mut file) => {
                    let key = random_key();
                    let text = format!("{KEY_FILE_HEADER}{}", key_line(1, &key));
                    file.write_all(text.as_bytes()).map_err(io_err(&path))?;
                    file.sync_all().map_err(io_err(&path))?;
                    return KeyRing::from_keys(vec![(1, key)], mode);
                }
                // Another process created it concurrently: load theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_err(&path)(e)),
            }
        }
        KeyRing::from_keys(read_key_file(&path)?.0, mode)
    }

    /// Build from configuration-supplied hex keys (version, 64-hex-char key), e.g. from QINGLIAN_MASTER_KEY.
    pub fn from_keys(keys: Vec<(u32, [u8; 32])>, mode: CryptoMode) -> Result<KeyRing, CryptoError> {
        let mut map = BTreeMap::new();
        for (version, key) in keys {
            if version == 0 {
                return Err(CryptoError::InvalidKeys("密钥版本应从1开始".to_owned()));
            }
            if map.insert(version, MasterKey::new(key)).is_some() {
                return Err(CryptoError::InvalidKeys(format!("密钥版本v{version}重复")));
            }
        }
        let current = *map
            .keys()
            .next_back()
            .ok_or_else(|| CryptoError::InvalidKeys("未提供任何主密钥".to_owned()))?;
        Ok(KeyRing {
            keys: map,
            current,
            mode,
        })
    }

    /// Generate a new key version, make it current, persist it (append) to the key file. Old versions stay for decryption.
    ///
    /// The new version is one above the highest in the ring. If the key file
    /// does not exist yet it is created (0600, with header); only the new key
    /// is written, so keys supplied through configuration stay off disk. The
    /// ring is only changed after the key has been durably written.
    pub fn rotate(&mut self, data_dir: &Path) -> Result<u32, CryptoError> {
        let version = self
            .current
            .checked_add(1)
            .ok_or_else(|| CryptoError::InvalidKeys("密钥版本号已达上限".to_owned()))?;
        let key = random_key();
        let path = key_file_path(data_dir);
        let line = key_line(version, &key);

        let mut file = if path.exists() {
            let (existing, text) = read_key_file(&path)?;
            if existing.iter().any(|(v, _)| *v >= version) {
                return Err(CryptoError::InvalidKeys(format!(
                    "密钥文件中已存在v{version}或更高版本，请重新加载密钥后再轮换"
                )));
            }
            let mut file = fs::OpenOptions::new().append(true).open(&path).map_err(io_err(&path))?;
            check_permissions(&file, &path)?;
            // Make sure the previous line is terminated before appending.
            if !text.ends_with('\n') {
                file.write_all(b"\n").map_err(io_err(&path))?;
            }
            file
        } else {
            create_key_dir(&data_dir.join(KEY_DIR))?;
            let mut file = new_file_options().open(&path).map_err(io_err(&path))?;
            file.write_all(KEY_FILE_HEADER.as_bytes()).map_err(io_err(&path))?;
            file
        };
        file.write_all(line.as_bytes()).map_err(io_err(&path))?;
        file.sync_all().map_err(io_err(&path))?;

        self.keys.insert(version, MasterKey::new(key));
        self.current = version;
        Ok(version)
    }

    /// A secret of this installation for one purpose (`label`), derived from the oldest key
    /// (kept for ever, so the secret survives rotation): the salt of receipt-code hashes, the
    /// key of signed challenges. Never the key itself, and a different secret per label.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let (_, oldest) = self.keys.iter().next().expect("a key ring holds at least one key");
        mac(self.mode, &oldest.key, label.as_bytes())
    }

    /// Version of the key that encrypts new data (the highest version).
    pub fn current_version(&self) -> u32 {
        self.current
    }

    /// Algorithm suite used for new encryptions.
    pub fn mode(&self) -> CryptoMode {
        self.mode
    }

    /// All key versions held, ascending.
    pub fn versions(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    /// Encrypt with the current key and the mode's AEAD (SM4-GCM in Guomi mode, AES-256-GCM in International mode), random 96-bit nonce, `aad` bound (callers pass e.g. "reporter.identity:42"). Output is text: `qe1:<version>:<alg>:<base64(nonce||ciphertext||tag)>` where alg is "sm4gcm" or "aes256gcm".
    ///
    /// # Panics
    /// Only if the plaintext exceeds GCM's limit of about 64 GiB.
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> String {
        let key = &self.keys[&self.current];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = seal(self.mode, key, &nonce, plaintext, aad);
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        format!(
            "{TOKEN_PREFIX}:{}:{}:{}",
            self.current,
            self.mode.aead_alg(),
            STANDARD.encode(&blob)
        )
    }

    /// Decrypt any token this ring (any version, either algorithm) produced; error on tampering/wrong aad/unknown version.
    pub fn decrypt(&self, token: &str, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let parts = split_token(token)?;
        let mode = match parts.alg {
            ALG_SM4GCM => CryptoMode::Guomi,
            ALG_AES256GCM => CryptoMode::International,
            other => return Err(CryptoError::UnknownAlgorithm(other.to_owned())),
        };
        let key = self
            .keys
            .get(&parts.version)
            .ok_or(CryptoError::UnknownKeyVersion(parts.version))?;
        let blob = STANDARD.decode(parts.body).map_err(|_| CryptoError::MalformedToken)?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::MalformedToken);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::MalformedToken)?;
        open(mode, key, &nonce, sealed, aad)
    }

    /// True if the token is not under the current key version and mode (so a re-encryption job can rewrite it).
    ///
    /// Anything that is not a well-formed token header counts as stale too.
    pub fn is_stale(&self, token: &str) -> bool {
        match split_token(token) {
            Ok(parts) => parts.version != self.current || parts.alg != self.mode.aead_alg(),
            Err(_) => true,
        }
    }
}

/// True if `s` looks like an encrypted field token (prefix "qe1:"); does not verify it.
pub fn is_encrypted_token(s: &str) -> bool {
    s.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| rest.starts_with(':'))
}

/// AEAD-encrypt; returns ciphertext || tag.
fn seal(mode: CryptoMode, key: &MasterKey, nonce: &[u8; NONCE_LEN], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let payload = Payload { msg: plaintext, aad };
    let nonce = Nonce::<U12>::from(*nonce);
    let result = match mode {
        CryptoMode::Guomi => Sm4Gcm::new(&key.sm4_key.into()).encrypt(&nonce, payload),
        CryptoMode::International => Aes256Gcm::new(&key.key.into()).encrypt(&nonce, payload),
    };
    // GCM encryption only fails beyond 64 GiB of plaintext or 2^61 bytes of aad.
    result.expect("plaintext or aad exceeds the GCM length limit")
}

/// AEAD-decrypt ciphertext || tag.
fn open(
    mode: CryptoMode,
    key: &MasterKey,
    nonce: &[u8; NONCE_LEN],
    sealed: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let payload = Payload { msg: sealed, aad };
    let nonce = Nonce::<U12>::from(*nonce);
    match mode {
        CryptoMode::Guomi => Sm4Gcm::new(&key.sm4_key.into()).decrypt(&nonce, payload),
        CryptoMode::International => Aes256Gcm::new(&key.key.into()).decrypt(&nonce, payload),
    }
    .map_err(|_| CryptoError::Tampered)
}
