//! The domain crate stays pure: no I/O, async, web, database or CLI dependencies, and no file, network
//! or async code in its sources (see the crate docs: "No I/O, no async, no SQL, no HTTP").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// Crates the domain must never depend on.
const FORBIDDEN_DEPS: [&str; 15] = [
    "sqlx",
    "tokio",
    "axum",
    "tower",
    "tower-http",
    "hyper",
    "reqwest",
    "askama",
    "askama_web",
    "rust-embed",
    "utoipa",
    "clap",
    "anyhow",
    "tracing-subscriber",
    "indicatif",
];

/// Text that must not appear in the domain sources.
const FORBIDDEN_CODE: [&str; 4] = ["std::fs", "std::net", "tokio", "async fn"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Dependency names of the non-dev dependency sections of a Cargo.toml:
/// `[dependencies]`, `[build-dependencies]`, `[target.….dependencies]`, and `[dependencies.name]` tables.
fn dependency_names(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_deps = false;
    for raw in manifest.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_end_matches(']').trim();
            let is_dep_table = |h: &str| {
                h == "dependencies"
                    || h == "build-dependencies"
                    || h.ends_with(".dependencies")
                    || h.ends_with(".build-dependencies")
            };
            in_deps = is_dep_table(header);
            // [dependencies.sqlx]
            if let Some((table, name)) = header.rsplit_once('.')
                && !in_deps
                && is_dep_table(table)
            {
                out.push(name.trim_matches('"').to_owned());
            }
            continue;
        }
        if in_deps && let Some((key, value)) = line.split_once('=') {
            let key = key.trim().trim_matches('"');
            let name = key.split('.').next().unwrap_or(key).to_owned();
            out.push(name.clone());
            // renamed dependency: foo = { package = "sqlx", … }
            if let Some(pkg) = value
                .split("package")
                .nth(1)
                .and_then(|s| s.split('"').nth(1))
            {
                out.push(pkg.to_owned());
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn manifest_parser_sees_every_form() {
    let m = "[package]\nname = \"x\"\n[dependencies]\nserde.workspace = true\nchrono = { version = \"1\" }\n\
             db = { package = \"sqlx\", version = \"0.9\" }\n[dev-dependencies]\ntokio = \"1\"\n\
             [target.'cfg(unix)'.dependencies]\nhyper = \"1\"\n[dependencies.axum]\nversion = \"0.8\"\n";
    let names = dependency_names(m);
    for want in ["serde", "chrono", "db", "sqlx", "hyper", "axum"] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} not found in {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n == "tokio" || n == "name"),
        "dev-dependencies or package keys leaked: {names:?}"
    );
}

#[test]
fn domain_has_no_io_or_framework_dependencies() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let names = dependency_names(&manifest);
    assert!(
        names.iter().any(|n| n == "chrono"),
        "parser found no dependencies: {names:?}"
    );
    let bad: Vec<&String> = names
        .iter()
        .filter(|n| FORBIDDEN_DEPS.contains(&n.as_str()))
        .collect();
    assert!(
        bad.is_empty(),
        "zhixing-domain must stay pure, but depends on {bad:?}"
    );
}

#[test]
fn domain_sources_do_no_io_and_no_async() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() >= 10, "found only {files:?}");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for pat in FORBIDDEN_CODE {
                if line.contains(pat) {
                    found.push(format!("{}:{}: {pat}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "zhixing-domain must do no I/O and no async:\n{}",
        found.join("\n")
    );
}
