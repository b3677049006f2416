//! Build script: fetch the third-party front-end assets and hand them to `src/assets.rs`.
//!
//! Why a Rust build runs npm: qinglian runs on an intranet with no internet, so every
//! asset the pages use (htmx, ECharts) must be embedded in the binary and served by it —
//! no CDN. At the same time third-party code must come from the npm registry pinned by
//! `package-lock.json` (exact versions plus integrity hashes) and must never be copied
//! ("vendored") into the repository, where it could not be audited or upgraded cleanly.
//! So the build installs the locked packages into `node_modules/` (gitignored) with
//! `npm ci` when they are missing or stale, then copies the minified dist files into
//! `OUT_DIR`, from where `include_bytes!` embeds them.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::Command,
};

/// (npm package, file inside the package, name under OUT_DIR and /assets/).
const ASSETS: &[(&str, &str, &str)] = &[
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("echarts", "dist/echarts.min.js", "echarts.min.js"),
    ("js-sha256", "build/sha256.min.js", "sha256.min.js"),
];

const NO_NPM: &str = "需要 Node.js/npm 来获取前端依赖：请安装 nodejs 与 npm";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=package-lock.json");
    println!("cargo:rerun-if-changed=static/");

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let lock = fs::read_to_string(crate_dir.join("package-lock.json"))
        .unwrap_or_else(|e| panic!("读取 package-lock.json 失败：{e}"));

    if ASSETS
        .iter()
        .any(|(pkg, file, _)| !installed(&crate_dir, &lock, pkg, file))
    {
        npm_ci(&crate_dir);
        for (pkg, file, _) in ASSETS {
            assert!(
                installed(&crate_dir, &lock, pkg, file),
                "npm ci 之后仍缺少 node_modules/{pkg}/{file}（或版本与 package-lock.json 不符）"
            );
        }
    }

    for (pkg, file, name) in ASSETS {
        let src = crate_dir.join("node_modules").join(pkg).join(file);
        fs::copy(&src, out_dir.join(name)).unwrap_or_else(|e| panic!("复制 {} 失败：{e}", src.display()));
    }
}

/// The dist file exists and the installed package has the version the lockfile pins
/// (so a changed lockfile with an old `node_modules/` triggers a fresh `npm ci`).
fn installed(crate_dir: &Path, lock: &str, pkg: &str, file: &str) -> bool {
    let dir = crate_dir.join("node_modules").join(pkg);
    if !dir.join(file).is_file() {
        return false;
    }
    let Ok(manifest) = fs::read_to_string(dir.join("package.json")) else {
        return false;
    };
    let locked = lock
        .find(&format!("\"node_modules/{pkg}\""))
        .and_then(|at| first_version(&lock[at..]));
    match (locked, first_version(&manifest)) {
        (Some(want), Some(have)) => want == have,
        _ => false,
    }
}

/// The value of the first `"version": "…"` in `json` (enough for npm's own files).
fn first_version(json: &str) -> Option<&str> {
    let rest = &json[json.find("\"version\"")? + "\"version\"".len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

fn npm_ci(crate_dir: &Path) {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(crate_dir)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "npm ci 失败（{s}）：请检查能否访问 npm 仓库，或在 {} 手动运行 npm ci",
            crate_dir.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("{NO_NPM}"),
        Err(e) => panic!("{NO_NPM}（无法运行 npm：{e}）"),
    }
}
