//! Unit tests: known-answer vectors, round trips, tampering, rotation, key file handling.

use super::*;
use sm4::cipher::{Array, BlockCipherEncrypt};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test vector hex")
}

fn ring(mode: CryptoMode) -> KeyRing {
    KeyRing::from_keys(vec![(1, [7u8; 32])], mode).expect("ring")
}

fn token_blob(token: &str) -> Vec<u8> {
    let body = token.rsplit(':').next().expect("body");
    STANDARD.decode(body).expect("base64")
}

fn with_blob(token: &str, blob: &[u8]) -> String {
    let (head, _) = token.rsplit_once(':').expect("head");
    format!("{head}:{}", STANDARD.encode(blob))
}

// ---------------------------------------------------------------- digests

#[test]
fn sm3_known_answers_gbt32905() {
    // GB/T 32905-2016 appendix A, examples 1 and 2.
    assert_eq!(
        hex::encode(digest(CryptoMode::Guomi, b"abc")),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
    assert_eq!(
        hex::encode(digest(CryptoMode::Guomi, "abcd".repeat(16).as_bytes())),
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    );
}

#[test]
fn sha256_known_answers_fips180() {
    assert_eq!(
        hex::encode(digest(CryptoMode::International, b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        hex::encode(digest(CryptoMode::International, b"")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn hash_alg_names_and_digest_by_alg() {
    assert_eq!(hash_alg(CryptoMode::Guomi), "sm3");
    assert_eq!(hash_alg(CryptoMode::International), "sha256");
    for mode in [CryptoMode::Guomi, CryptoMode::International] {
        assert_eq!(
            digest_by_alg(hash_alg(mode), b"payload"),
            Some(digest(mode, b"payload"))
        );
    }
    assert_ne!(digest_by_alg("sm3", b"abc"), digest_by_alg("sha256", b"abc"));
    assert_eq!(digest_by_alg("md5", b"abc"), None);
    assert_eq!(digest_by_alg("", b"abc"), None);
}

#[test]
fn chain_hash_is_digest_of_concatenation() {
    for mode in [CryptoMode::Guomi, CryptoMode::International] {
        let prev = digest(mode, b"genesis");
        let link = chain_hash(mode, &prev, b"entry-1");
        let mut concat = prev.to_vec();
        concat.extend_from_slice(b"entry-1");
        assert_eq!(link, digest(mode, &concat));
        // Changing either input changes the link.
        assert_ne!(link, chain_hash(mode, &prev, b"entry-2"));
        assert_ne!(link, chain_hash(mode, &[0u8; 32], b"entry-1"));
    }
    assert_ne!(
        chain_hash(CryptoMode::Guomi, b"a", b"b"),
        chain_hash(CryptoMode::International, b"a", b"b")
    );
}

// ---------------------------------------------------------------- block cipher / AEAD known answers

#[test]
fn sm4_block_known_answer_gbt32907() {
    let key = unhex("0123456789abcdeffedcba9876543210");
    let cipher = Sm4::new_from_slice(&key).expect("key length");
    let mut block = Array::try_from(key.as_slice()).expect("block");
    cipher.encrypt_block(&mut block);
    assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
}

#[test]
fn sm4_gcm_known_answer_rfc8998() {
    // RFC 8998 appendix A.1 (SM4-GCM test vector).
    let key = unhex("0123456789ABCDEFFEDCBA9876543210");
    let iv = unhex("00001234567800000000ABCD");
    let aad = unhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
    let pt = unhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
         EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
    );
    let ct = unhex(
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
         D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
    );
    let tag = unhex("83DE3541E4C2B58177E065A9BF7B62EC");

    let cipher = Sm4Gcm::new_from_slice(&key).expect("key length");
    let nonce = Nonce::<U12>::try_from(iv.as_slice()).expect("nonce");
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: &pt, aad: &aad })
        .expect("encrypt");
    assert_eq!(hex::encode(&sealed[..pt.len()]), hex::encode(&ct));
    assert_eq!(hex::encode(&sealed[pt.len()..]), hex::encode(&tag));

    let opened = cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed,
                aad: &aad,
            },
        )
        .expect("decrypt");
    assert_eq!(opened, pt);
}

#[test]
fn aes256_gcm_known_answer_nist() {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16
    // (AES-256, 96-bit IV, with AAD), as used in NIST GCM validation.
    let key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    let iv = unhex("cafebabefacedbaddecaf888");
    let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    let pt = unhex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
         1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    );
    let ct = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
              8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
    let tag = "76fc6ece0f4e1768cddf8853bb2d551b";

    let cipher = Aes256Gcm::new_from_slice(&key).expect("key length");
    let nonce = Nonce::<U12>::try_from(iv.as_slice()).expect("nonce");
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: &pt, aad: &aad })
        .expect("encrypt");
    assert_eq!(hex::encode(&sealed[..pt.len()]), ct);
    assert_eq!(hex::encode(&sealed[pt.len()..]), tag);
}

#[test]
fn aes256_gcm_through_keyring_matches_vector() {
    // The ring's International path must be plain AES-256-GCM with the master key.
    let key: [u8; 32] = [0u8; 32];
    let mk = MasterKey::new(key);
    // NIST test case 14: 256-bit zero key, zero IV, one zero block.
    let sealed = seal(CryptoMode::International, &mk, &[0u8; 12], &[0u8; 16], b"");
    assert_eq!(
        hex::encode(sealed),
        "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
    );
}

#[test]
fn sm4_key_derivation_is_sm3_of_key_and_label() {
    let master = [0x42u8; 32];
    let mut input = master.to_vec();
    input.extend_from_slice(b"qinglian-sm4-gcm");
    let full = Sm3::digest(&input);
    assert_eq!(derive_sm4_key(&master).as_slice(), &full[..16]);
    assert_ne!(derive_sm4_key(&master), derive_sm4_key(&[0x43u8; 32]));

    // The ring's Guomi path must be SM4-GCM under the derived key.
    let mk = MasterKey::new(master);
    let nonce = [9u8; 12];
    let sealed = seal(CryptoMode::Guomi, &mk, &nonce, b"hello", b"ad");
    let expected = Sm4Gcm::new(&derive_sm4_key(&master).into())
        .encrypt(
            &Nonce::<U12>::from(nonce),
            Payload {
                msg: b"hello",
                aad: b"ad",
            },
        )
        .expect("encrypt");
    assert_eq!(sealed, expected);
}

// ---------------------------------------------------------------- key ring: tokens

#[test]
fn round_trip_both_modes_and_token_format() {
    for (mode, alg) in [(CryptoMode::Guomi, "sm4gcm"), (CryptoMode::International, "aes256gcm")] {
        let r = ring(mode);
        for pt in [&b""[..], b"x", "张三 身份证 110101199003074518".as_bytes()] {
            let token = r.encrypt(pt, b"reporter.identity:42");
            let prefix = format!("qe1:1:{alg}:");
            assert!(token.starts_with(&prefix), "{token}");
            assert!(is_encrypted_token(&token));
            assert_eq!(token_blob(&token).len(), NONCE_LEN + pt.len() + TAG_LEN);
            assert_eq!(r.decrypt(&token, b"reporter.identity:42").expect("decrypt"), pt);
            assert!(!r.is_stale(&token));
        }
    }
}

#[test]
fn nonces_are_random() {
    let r = ring(CryptoMode::Guomi);
    let a = r.encrypt(b"same", b"aad");
    let b = r.encrypt(b"same", b"aad");
    assert_ne!(a, b);
    assert_ne!(token_blob(&a)[..NONCE_LEN], token_blob(&b)[..NONCE_LEN]);
}

#[test]
fn wrong_aad_fails() {
    for mode in [CryptoMode::Guomi, CryptoMode::International] {
        let r = ring(mode);
        let token = r.encrypt(b"secret", b"reporter.identity:42");
        for aad in [&b"reporter.identity:43"[..], b"", b"reporter.identity:42 "] {
            assert!(matches!(r.decrypt(&token, aad), Err(CryptoError::Tampered)));
        }
    }
}

#[test]
fn every_flipped_byte_fails() {
    for mode in [CryptoMode::Guomi, CryptoMode::International] {
        let r = ring(mode);
        let token = r.encrypt(b"secret payload", b"aad");
        let blob = token_blob(&token);
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x01;
            let err = r.decrypt(&with_blob(&token, &bad), b"aad").unwrap_err();
            assert!(matches!(err, CryptoError::Tampered), "byte {i}: {err:?}");
        }
        // Truncated tag.
        let short = with_blob(&token, &blob[..blob.len() - 1]);
        assert!(r.decrypt(&short, b"aad").is_err());
    }
}

#[test]
fn wrong_key_or_swapped_algorithm_fails() {
    let r = ring(CryptoMode::Guomi);
    let other = KeyRing::from_keys(vec![(1, [8u8; 32])], CryptoMode::Guomi).expect("ring");
    let token = r.encrypt(b"secret", b"aad");
    assert!(matches!(other.decrypt(&token, b"aad"), Err(CryptoError::Tampered)));
    let swapped = token.replacen(":sm4gcm:", ":aes256gcm:", 1);
    assert!(matches!(r.decrypt(&swapped, b"aad"), Err(CryptoError::Tampered)));
    let unknown = token.replacen(":sm4gcm:", ":sm4cbc:", 1);
    assert!(matches!(
        r.decrypt(&unknown, b"aad"),
        Err(CryptoError::UnknownAlgorithm(a)) if a == "sm4cbc"
    ));
}

#[test]
fn unknown_version_is_reported() {
    let r = ring(CryptoMode::Guomi);
    let token = r.encrypt(b"secret", b"aad").replacen("qe1:1:", "qe1:9:", 1);
    let err = r.decrypt(&token, b"aad").unwrap_err();
    assert!(matches!(err, CryptoError::UnknownKeyVersion(9)));
    assert_eq!(err.to_string(), "未知的密钥版本v9");
}

#[test]
fn malformed_tokens_are_rejected() {
    let r = ring(CryptoMode::International);
    let good = r.encrypt(b"x", b"");
    let body = good.rsplit(':').next().expect("body");
    for bad in [
        String::new(),
        "plain text".to_owned(),
        format!("qe2:1:aes256gcm:{body}"),
        format!("qe1:one:aes256gcm:{body}"),
        format!("qe1:+1:aes256gcm:{body}"),
        format!("qe1::aes256gcm:{body}"),
        "qe1:1:aes256gcm".to_owned(),
        "qe1:1:aes256gcm:!!!notbase64".to_owned(),
        format!("qe1:1:aes256gcm:{}", STANDARD.encode([0u8; 27])),
    ] {
        assert!(
            matches!(r.decrypt(&bad, b""), Err(CryptoError::MalformedToken)),
            "{bad}"
        );
        // is_stale only inspects the header; a current header with a bad body is not stale.
        let current_header = bad.starts_with("qe1:1:aes256gcm:");
        assert_eq!(r.is_stale(&bad), !current_header, "{bad}");
    }
    assert!(!is_encrypted_token("plain"));
    assert!(!is_encrypted_token("qe10:x"));
}

#[test]
fn either_algorithm_decrypts_regardless_of_ring_mode() {
    let keys = vec![(1, [5u8; 32])];
    let gm = KeyRing::from_keys(keys.clone(), CryptoMode::Guomi).expect("ring");
    let intl = KeyRing::from_keys(keys, CryptoMode::International).expect("ring");
    let t_gm = gm.encrypt(b"a", b"f");
    let t_intl = intl.encrypt(b"b", b"f");
    assert_eq!(intl.decrypt(&t_gm, b"f").expect("decrypt"), b"a");
    assert_eq!(gm.decrypt(&t_intl, b"f").expect("decrypt"), b"b");
    // A mode change makes old tokens stale even under the same key version.
    assert!(intl.is_stale(&t_gm));
    assert!(gm.is_stale(&t_intl));
    assert!(!gm.is_stale(&t_gm));
}

// ---------------------------------------------------------------- key ring: construction

#[test]
fn from_keys_validates_and_picks_highest_version() {
    let r = KeyRing::from_keys(vec![(3, [3u8; 32]), (1, [1u8; 32])], CryptoMode::Guomi).expect("ring");
    assert_eq!(r.current_version(), 3);
    assert_eq!(r.versions(), vec![1, 3]);
    assert_eq!(r.mode(), CryptoMode::Guomi);
    assert!(r.encrypt(b"x", b"").starts_with("qe1:3:sm4gcm:"));

    assert!(matches!(
        KeyRing::from_keys(vec![], CryptoMode::Guomi),
        Err(CryptoError::InvalidKeys(_))
    ));
    assert!(matches!(
        KeyRing::from_keys(vec![(1, [1u8; 32]), (1, [2u8; 32])], CryptoMode::Guomi),
        Err(CryptoError::InvalidKeys(_))
    ));
    assert!(matches!(
        KeyRing::from_keys(vec![(0, [1u8; 32])], CryptoMode::Guomi),
        Err(CryptoError::InvalidKeys(_))
    ));
}

#[test]
fn key_list_parsing() {
    let h1 = "11".repeat(32);
    let h2 = "AB".repeat(32);
    assert_eq!(
        parse_key_list(&format!("  {h1}\n")).expect("single"),
        vec![(1, [0x11u8; 32])]
    );
    assert_eq!(
        parse_key_list(&format!("v1:{h1}, v2:{h2}")).expect("list"),
        vec![(1, [0x11u8; 32]), (2, [0xabu8; 32])]
    );
    for bad in [
        String::new(),
        "abc".to_owned(),
        format!("{h1},{h2}"),
        format!("x1:{h1}"),
        format!("v0:{h1}"),
        format!("v1:{}", &h1[..62]),
    ] {
        let res = parse_key_list(&bad);
        // Empty input parses to an empty list, which from_keys then rejects.
        if bad.is_empty() {
            assert!(KeyRing::from_keys(res.expect("empty"), CryptoMode::Guomi).is_err());
        } else {
            assert!(res.is_err(), "{bad}");
        }
    }
    assert!(parse_key_hex(&"g".repeat(64)).is_err());
}

#[test]
fn debug_does_not_leak_keys() {
    let r = KeyRing::from_keys(vec![(1, [0xabu8; 32])], CryptoMode::Guomi).expect("ring");
    let dbg = format!("{r:?}");
    assert!(!dbg.to_lowercase().contains("abab"), "{dbg}");
    assert!(!dbg.contains("171"), "{dbg}");
}

// ---------------------------------------------------------------- key file

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn load_or_create_creates_then_loads_same_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = key_file_path(dir.path());
    assert!(!path.exists());
    let first = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("create");
    assert!(path.exists());
    assert_eq!(first.current_version(), 1);

    let text = fs::read_to_string(&path).expect("read");
    assert!(text.starts_with('#'));
    let key_lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(key_lines.len(), 1);
    assert!(key_lines[0].starts_with("v1 "));
    assert_eq!(key_lines[0].len(), 3 + 64);

    let token = first.encrypt(b"persisted", b"aad");
    let second = KeyRing::load_or_create(dir.path(), CryptoMode::International).expect("load");
    assert_eq!(second.versions(), vec![1]);
    assert_eq!(second.mode(), CryptoMode::International);
    assert_eq!(second.decrypt(&token, b"aad").expect("decrypt"), b"persisted");

    // Two fresh data dirs get different random keys.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let other = KeyRing::load_or_create(dir2.path(), CryptoMode::Guomi).expect("create");
    assert!(other.decrypt(&token, b"aad").is_err());
}

#[cfg(unix)]
#[test]
fn created_key_file_and_dir_have_strict_permissions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("nested").join("data");
    KeyRing::load_or_create(&data, CryptoMode::Guomi).expect("create");
    assert_eq!(mode_of(&key_file_path(&data)), 0o600);
    assert_eq!(mode_of(&data.join(KEY_DIR)), 0o700);
}

#[cfg(unix)]
#[test]
fn too_open_key_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("create");
    let path = key_file_path(dir.path());
    for mode in [0o644, 0o640, 0o604, 0o660, 0o610] {
        chmod(&path, mode);
        let err = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).unwrap_err();
        assert!(
            matches!(&err, CryptoError::KeyFilePermissions { path: p } if *p == path),
            "{mode:o}: {err:?}"
        );
        assert!(err.to_string().starts_with("密钥文件权限过宽（应为600）："));
        // Rotation must not append to an exposed file either.
        assert!(matches!(
            r.rotate(dir.path()),
            Err(CryptoError::KeyFilePermissions { .. })
        ));
        assert_eq!(r.current_version(), 1);
    }
    chmod(&path, 0o400);
    KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("0400 is acceptable");
    chmod(&path, 0o600);
    KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("0600 is acceptable");
}

#[test]
fn rotation_keeps_old_keys_and_persists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("create");
    let old = r.encrypt(b"old data", b"case.note:7");
    assert!(!r.is_stale(&old));

    assert_eq!(r.rotate(dir.path()).expect("rotate"), 2);
    assert_eq!(r.current_version(), 2);
    assert_eq!(r.decrypt(&old, b"case.note:7").expect("old"), b"old data");
    assert!(r.is_stale(&old));
    let new = r.encrypt(b"new data", b"case.note:7");
    assert!(new.starts_with("qe1:2:sm4gcm:"));
    assert!(!r.is_stale(&new));

    // Reloading the file gives the same ring.
    let reloaded = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("reload");
    assert_eq!(reloaded.versions(), vec![1, 2]);
    assert_eq!(reloaded.current_version(), 2);
    assert_eq!(reloaded.decrypt(&old, b"case.note:7").expect("old"), b"old data");
    assert_eq!(reloaded.decrypt(&new, b"case.note:7").expect("new"), b"new data");
    let again = reloaded.encrypt(b"from reload", b"x");
    assert_eq!(r.decrypt(&again, b"x").expect("cross"), b"from reload");
    for v in [1, 2] {
        assert_eq!(r.keys[&v].key, reloaded.keys[&v].key);
    }
    #[cfg(unix)]
    assert_eq!(mode_of(&key_file_path(dir.path())), 0o600);

    // A second rotation appends v3.
    assert_eq!(r.rotate(dir.path()).expect("rotate"), 3);
    let reloaded = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("reload");
    assert_eq!(reloaded.versions(), vec![1, 2, 3]);

    // A stale ring (still at v2) must not write a conflicting v3.
    let mut stale = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("reload");
    stale.current = 2;
    stale.keys.remove(&3);
    assert!(matches!(stale.rotate(dir.path()), Err(CryptoError::InvalidKeys(_))));
}

#[test]
fn rotating_a_configured_ring_creates_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = KeyRing::from_keys(vec![(1, [1u8; 32])], CryptoMode::International).expect("ring");
    assert_eq!(r.rotate(dir.path()).expect("rotate"), 2);
    let text = fs::read_to_string(key_file_path(dir.path())).expect("read");
    // The configured v1 key stays off disk.
    assert!(!text.contains(&"01".repeat(32)));
    let file_keys = parse_key_file(&text, Path::new("x")).expect("parse");
    assert_eq!(file_keys.len(), 1);
    assert_eq!(file_keys[0].0, 2);
    #[cfg(unix)]
    {
        assert_eq!(mode_of(&key_file_path(dir.path())), 0o600);
        assert_eq!(mode_of(&dir.path().join(KEY_DIR)), 0o700);
    }
}

#[test]
fn key_file_parsing_errors() {
    let p = Path::new("/tmp/k");
    let h = "cd".repeat(32);
    let ok = parse_key_file(&format!("# c\n\nv1 {h}\n  v5   {h}  \n"), p).expect("parse");
    assert_eq!(ok, vec![(1, [0xcdu8; 32]), (5, [0xcdu8; 32])]);
    for (text, line) in [
        (format!("v1 {h}\nv1 {h}\n"), 2),
        (format!("# header\n1 {h}\n"), 2),
        (format!("v1 {h} extra\n"), 1),
        ("v1 abcd\n".to_owned(), 1),
        (format!("v1{h}\n"), 1),
        ("# only comments\n".to_owned(), 0),
    ] {
        match parse_key_file(&text, p) {
            Err(CryptoError::KeyFileFormat { line: l, .. }) => assert_eq!(l, line, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn rotate_appends_after_unterminated_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r0 = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("create");
    let path = key_file_path(dir.path());
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, text.trim_end()).expect("write");
    let mut r = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("load");
    r.rotate(dir.path()).expect("rotate");
    let reloaded = KeyRing::load_or_create(dir.path(), CryptoMode::Guomi).expect("reload");
    assert_eq!(reloaded.versions(), vec![1, 2]);
    let t = r0.encrypt(b"v1", b"");
    assert_eq!(reloaded.decrypt(&t, b"").expect("decrypt"), b"v1");
}

// ---------------------------------------------------------------- misc

#[test]
fn crypto_mode_strings_and_serde() {
    assert_eq!(CryptoMode::default(), CryptoMode::Guomi);
    for mode in [CryptoMode::Guomi, CryptoMode::International] {
        assert_eq!(mode.as_str().parse::<CryptoMode>().expect("parse"), mode);
        assert_eq!(mode.to_string(), mode.as_str());
        let json = serde_json::to_string(&mode).expect("ser");
        assert_eq!(json, format!("\"{}\"", mode.as_str()));
        assert_eq!(serde_json::from_str::<CryptoMode>(&json).expect("de"), mode);
    }
    assert_eq!(" GuoMi ".parse::<CryptoMode>().expect("parse"), CryptoMode::Guomi);
    let err = "sm".parse::<CryptoMode>().unwrap_err();
    assert!(matches!(err, CryptoError::UnknownMode(_)));
    assert!(err.to_string().contains("未知的密码模式"));
    assert_eq!(CryptoMode::Guomi.aead_alg(), "sm4gcm");
    assert_eq!(CryptoMode::International.aead_alg(), "aes256gcm");
}

#[test]
fn random_tokens() {
    let a = random_token(32);
    let b = random_token(32);
    assert_eq!(a.len(), 43);
    assert_ne!(a, b);
    assert!(
        a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
        "{a}"
    );
    assert_eq!(URL_SAFE_NO_PAD.decode(&a).expect("decode").len(), 32);
    assert_eq!(random_token(0), "");
    assert_eq!(random_token(16).len(), 22);
}

#[test]
fn error_messages_are_chinese() {
    assert_eq!(CryptoError::Tampered.to_string(), "密文已被篡改或密钥不匹配");
    assert_eq!(CryptoError::MalformedToken.to_string(), "密文格式无效");
    assert_eq!(
        CryptoError::KeyFilePermissions {
            path: PathBuf::from("/d/keys/master.keys")
        }
        .to_string(),
        "密钥文件权限过宽（应为600）：/d/keys/master.keys"
    );
}

#[test]
fn derived_secrets_differ_by_label_and_survive_rotation() {
    let one = KeyRing::from_keys(vec![(1, [1u8; 32])], CryptoMode::Guomi).unwrap();
    let rotated = KeyRing::from_keys(vec![(1, [1u8; 32]), (2, [2u8; 32])], CryptoMode::Guomi).unwrap();
    let other = KeyRing::from_keys(vec![(1, [3u8; 32])], CryptoMode::Guomi).unwrap();
    assert_eq!(one.derive("receipt"), rotated.derive("receipt"));
    assert_ne!(one.derive("receipt"), one.derive("challenge"));
    assert_ne!(one.derive("receipt"), other.derive("receipt"));
    assert_ne!(one.derive("receipt"), [1u8; 32]);
    let intl = KeyRing::from_keys(vec![(1, [1u8; 32])], CryptoMode::International).unwrap();
    assert_ne!(one.derive("receipt"), intl.derive("receipt"));
}

#[test]
fn mac_matches_the_hmac_sha256_test_vector() {
    // RFC 4231, test case 2.
    let m = mac(CryptoMode::International, b"Jefe", b"what do ya want for nothing?");
    assert_eq!(
        hex::encode(m),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}
