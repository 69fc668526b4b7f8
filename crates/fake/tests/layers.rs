//! The fake's modules stay in layers: every module may use only the modules listed
//! before it in `LAYERS` (its own layer's earlier entries, and lower layers), which
//! also rules out cycles. Every source file must appear in the list.
//!
//! The check reads the crate's own sources: a small lexer drops comments and literals,
//! then every path that starts with `crate::`, `super::` or `self::` (use trees with
//! `{…}` groups included) is resolved against the file's place in the `mod` tree and
//! inline `mod … {}` blocks, and charged to the longest listed module it falls in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Lowest first. `lib` is the crate root; nested modules are written `dir::file`.
const LAYERS: &[(&str, &[&str])] = &[
    ("leaf helpers", &["error", "glob"]),
    ("seed and store", &["audit_log", "store", "roles", "seed"]),
    (
        "wire shapes",
        &[
            "listing",
            "validate",
            "lookup",
            "scopes",
            "wire",
            "wire::resources",
            "wire::clusters",
            "wire::org_units",
            "wire::users",
            "wire::legacy",
            "wire::usage",
            "wire::metrics",
            "wire::node_pools",
            "wire::nodes",
            "wire::access",
            "wire::audit",
            "wire::service_accounts",
            "wire::access_keys",
            "wire::reports",
            "wire::network_topologies",
            "wire::tenant_settings",
        ],
    ),
    ("authority", &["jwt", "authority", "access"]),
    ("request context", &["reply", "context", "guard", "audit"]),
    (
        "routes",
        &[
            "routes",
            "routes::paging",
            "routes::org_units",
            "routes::tokens",
            "routes::clusters",
            "routes::departments",
            "routes::projects",
            "routes::users",
            "routes::me",
            "routes::access_rules",
            "routes::roles",
            "routes::permissions",
            "routes::service_accounts",
            "routes::access_keys",
            "routes::applications",
            "routes::user_applications",
            "routes::security_settings",
            "routes::idps",
            "routes::node_pools",
            "routes::nodes",
            "routes::metrics",
            "routes::legacy",
            "routes::audit",
            "routes::reports",
            "routes::network_topologies",
            "routes::tenant_settings",
            "routes::cli",
            "routes::logo",
        ],
    ),
    ("router", &["router"]),
    ("server", &["faults", "recorder", "server"]),
    ("public API", &["lib"]),
    (
        "tests",
        &[
            "tests",
            "tests::access",
            "tests::audit",
            "tests::clusters",
            "tests::legacy",
            "tests::metrics",
            "tests::infrastructure",
            "tests::users",
        ],
    ),
];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// Identifiers and punctuation with their line numbers; comments, strings, chars and
/// numbers are dropped, so that a path inside a message or a comment does not count.
fn tokens(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = at(i);
        let starts_raw_string = (c == 'r' && (at(i + 1) == '"' || at(i + 1) == '#'))
            || (c == 'b' && at(i + 1) == 'r' && (at(i + 2) == '"' || at(i + 2) == '#'));
        let after_ident = i > 0 && (at(i - 1).is_alphanumeric() || at(i - 1) == '_');
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= chars.len() {
                    break;
                }
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(at(i) == '\n');
                    i += 1;
                }
            }
        } else if starts_raw_string && !after_ident {
            i += if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(i) == '#' {
                hashes += 1;
                i += 1;
            }
            if at(i) != '"' {
                // `r#ident`, a raw identifier: keep the identifier.
                continue;
            }
            i += 1;
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars.get(i..).unwrap_or_default().iter().collect();
            let length = rest
                .find(&closing)
                .map_or(rest.len(), |n| n + closing.len());
            line += rest.chars().take(length).filter(|&c| c == '\n').count();
            i += rest.chars().take(length).count();
        } else if c == '"' {
            i += 1;
            while i < chars.len() && at(i) != '"' {
                if at(i) == '\\' {
                    i += 1;
                }
                line += usize::from(at(i) == '\n');
                i += 1;
            }
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a, 'static).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && at(i) != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = chars.get(start..i).unwrap_or_default().iter().collect();
            out.push((Token::Ident(word), line));
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric() || at(i) == '_' || (at(i) == '.' && at(i + 1) != '.') {
                i += 1;
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push((Token::PathSep, line));
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            out.push((Token::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// One use of another module: the path as written (groups expanded) and where.
#[derive(Debug)]
struct Reference {
    line: usize,
    written: String,
    /// Absolute, from the crate root.
    resolved: Vec<String>,
}

fn ident(token: Option<&(Token, usize)>) -> Option<&str> {
    match token {
        Some((Token::Ident(word), _)) => Some(word),
        _ => None,
    }
}

/// Parse the use tree (or plain path) at `tokens[*i..]`, relative to `prefix` (absolute)
/// and `written` (as in the source), pushing every complete path into `out`.
fn use_tree(
    tokens: &[(Token, usize)],
    i: &mut usize,
    prefix: Vec<String>,
    written: String,
    line: usize,
    out: &mut Vec<Reference>,
) {
    let (mut path, mut text) = (prefix, written);
    let join = |text: &str, word: &str| {
        if text.is_empty() {
            word.to_string()
        } else {
            format!("{text}::{word}")
        }
    };
    loop {
        match tokens.get(*i) {
            Some((Token::Ident(word), _)) => {
                match word.as_str() {
                    "self" => {}
                    "super" => {
                        path.pop();
                    }
                    _ => path.push(word.clone()),
                }
                text = join(&text, word);
                *i += 1;
            }
            Some((Token::Punct('{'), _)) => {
                *i += 1;
                loop {
                    match tokens.get(*i) {
                        Some((Token::Punct('}'), _)) | None => {
                            *i += 1;
                            return;
                        }
                        Some((Token::Punct(','), _)) => *i += 1,
                        _ => {
                            let before = *i;
                            use_tree(tokens, i, path.clone(), text.clone(), line, out);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
            }
            Some((Token::Punct('*'), _)) => {
                text = join(&text, "*");
                *i += 1;
                break;
            }
            _ => break,
        }
        if tokens.get(*i).map(|(t, _)| t) == Some(&Token::PathSep) {
            *i += 1;
        } else {
            break;
        }
    }
    // `… as name`: the alias is no path.
    if ident(tokens.get(*i)) == Some("as") {
        *i += 2;
    }
    out.push(Reference {
        line,
        written: text,
        resolved: path,
    });
}

/// Every reference of one file to a module path, `module` being the file's own path.
fn references(source: &str, module: &[String]) -> Vec<Reference> {
    let tokens = tokens(source);
    let mut out = Vec::new();
    // Inline `mod name { … }` blocks: the name and the brace depth they close at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some((token, line)) = tokens.get(i) {
        let previous = i.checked_sub(1).and_then(|p| tokens.get(p)).map(|(t, _)| t);
        let next = tokens.get(i + 1).map(|(t, _)| t);
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, at)| *at == depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(name), Some((Token::Punct('{'), _))) =
                    (ident(tokens.get(i + 1)), tokens.get(i + 2))
                {
                    inline.push((name.to_string(), depth));
                }
            }
            Token::Ident(word)
                if ["crate", "super", "self"].contains(&word.as_str())
                    && next == Some(&Token::PathSep)
                    && previous != Some(&Token::PathSep) =>
            {
                let here: Vec<String> = module
                    .iter()
                    .cloned()
                    .chain(inline.iter().map(|(name, _)| name.clone()))
                    .collect();
                let mut base = match word.as_str() {
                    "crate" => Vec::new(),
                    _ => here,
                };
                if word == "super" {
                    base.pop();
                }
                let mut j = i + 2;
                use_tree(&tokens, &mut j, base, word.clone(), *line, &mut out);
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `src/a/b.rs` is `a::b`, `src/a/mod.rs` is `a`, `src/lib.rs` is the root.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn name(path: &[String]) -> String {
    if path.is_empty() {
        "lib".to_string()
    } else {
        path.join("::")
    }
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            source_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Where each listed module stands (its position in the flattened list) and its layer.
fn ranks() -> BTreeMap<&'static str, (usize, &'static str)> {
    let mut ranks = BTreeMap::new();
    for (rank, (layer, module)) in LAYERS
        .iter()
        .flat_map(|(layer, modules)| modules.iter().map(move |m| (*layer, *m)))
        .enumerate()
    {
        assert!(
            ranks.insert(module, (rank, layer)).is_none(),
            "{module} is listed twice in LAYERS"
        );
    }
    ranks
}

/// The violations of the layer order in the given (file, source) pairs.
fn violations(src: &Path, files: &[(PathBuf, String)]) -> Vec<String> {
    let ranks = ranks();
    let modules: Vec<Vec<String>> = files.iter().map(|(f, _)| module_path(src, f)).collect();
    let mut problems = Vec::new();
    for module in &modules {
        if !ranks.contains_key(name(module).as_str()) {
            problems.push(format!(
                "module {} (a source file) is missing from LAYERS",
                name(module)
            ));
        }
    }
    for listed in ranks.keys() {
        if !modules.iter().any(|m| name(m) == *listed) {
            problems.push(format!("LAYERS lists {listed}, which has no source file"));
        }
    }
    // The listed module a path falls in: the longest listed prefix, else the root.
    let owner = |path: &[String]| -> String {
        (0..=path.len())
            .rev()
            .map(|n| name(path.get(..n).unwrap_or_default()))
            .find(|candidate| ranks.contains_key(candidate.as_str()))
            .unwrap_or_else(|| "lib".to_string())
    };
    for ((file, source), module) in files.iter().zip(&modules) {
        let from = owner(module);
        let Some(&(from_rank, from_layer)) = ranks.get(from.as_str()) else {
            continue;
        };
        for reference in references(source, module) {
            let to = owner(&reference.resolved);
            if to == from {
                continue;
            }
            let Some(&(to_rank, to_layer)) = ranks.get(to.as_str()) else {
                continue;
            };
            if to_rank > from_rank {
                problems.push(format!(
                    "{}:{}: `{}`: {from} ({from_layer}) may not use {to} ({to_layer}), which LAYERS lists after it",
                    file.strip_prefix(src.parent().unwrap_or(src))
                        .unwrap_or(file)
                        .display(),
                    reference.line,
                    reference.written,
                ));
            }
        }
    }
    problems
}

/// The fake's `src/` directory and every source file in it, with its text.
fn crate_sources() -> std::io::Result<(PathBuf, Vec<(PathBuf, String)>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files)?;
    files.sort();
    let sources = files
        .into_iter()
        .map(|f| std::fs::read_to_string(&f).map(|text| (f, text)))
        .collect::<std::io::Result<_>>()?;
    Ok((src, sources))
}

#[test]
fn modules_use_only_lower_layers() {
    let (src, files) = crate_sources().expect("the fake's sources are readable");
    assert!(files.len() > 10, "no sources found under {}", src.display());
    let problems = violations(&src, &files);
    assert!(
        problems.is_empty(),
        "layer violations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_every_kind_of_reference() {
    let src = Path::new("/x/src");
    let file = |path: &str, text: &str| (src.join(path), text.to_string());
    let files = vec![
        file(
            "error.rs",
            "// crate::router::handle in a comment does not count\n",
        ),
        file(
            "store.rs",
            "use crate::{error::ApiError, router};\nfn f() { let s = \"crate::server\"; }\n",
        ),
        file("seed.rs", "fn f() -> u8 { crate::routes::users::X }\n"),
        file("wire/mod.rs", "mod clusters;\n"),
        file(
            "wire/clusters.rs",
            "use super::super::server::Y;\nuse super::legacy;\n",
        ),
        file(
            "routes/legacy.rs",
            "mod inner { use super::super::metrics; }\n",
        ),
        file("unlisted.rs", ""),
    ];
    let problems = violations(src, &files);
    let expect = [
        "src/store.rs:1: `crate::router`: store (seed and store) may not use router (router)",
        "src/seed.rs:1: `crate::routes::users::X`: seed (seed and store) may not use routes::users (routes)",
        "src/wire/clusters.rs:1: `super::super::server::Y`: wire::clusters (wire shapes) may not use server (server)",
        "src/wire/clusters.rs:2: `super::legacy`: wire::clusters (wire shapes) may not use wire::legacy (wire shapes)",
        "module unlisted (a source file) is missing from LAYERS",
    ];
    for expected in expect {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "expected {expected:?} among:\n{}",
            problems.join("\n")
        );
    }
    // routes::legacy reaching routes::metrics is fine; error's comment and store's
    // string are not references; `mod clusters;` is nesting, not a use.
    let from_sources: Vec<&String> = problems.iter().filter(|p| p.starts_with("src/")).collect();
    assert_eq!(from_sources.len(), 4, "{from_sources:#?}");
}
