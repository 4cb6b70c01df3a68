//! Dependencies between the files of each crate point one way: no `use` loop
//! between two files (or around several) of any crate's `src/`.
//!
//! Each file is a module; a path that starts at `crate::`, `super::` or `self::`
//! (in a `use` or inline) depends on the file of the deepest module it names, and a
//! name a module re-exports (`pub use inner::Name`) is followed to the file that
//! defines it, so a `mod.rs` that only declares and re-exports is no hop of a loop.
//! Inline test modules (`#[cfg(test)] mod … { … }`) are left out: a test may reach
//! anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::repo::root as repo_root;

/// The crates whose `src/` is checked.
const CRATES: &[&str] = &[
    "shared",
    "process",
    "api",
    "server",
    "dev",
    "worker",
    "init",
    "cli",
    "testkit",
    "benches",
    "conformance",
];

type ModPath = Vec<String>;

/// One crate's modules: path → file, and what each re-exports.
struct Crate {
    files: BTreeMap<ModPath, PathBuf>,
    /// (module, name) → the path the name stands for.
    reexports: BTreeMap<(ModPath, String), ModPath>,
    /// Each module's code with comments, strings and inline test modules removed.
    code: BTreeMap<ModPath, String>,
}

impl Crate {
    fn read(src: &Path) -> Self {
        let mut files = BTreeMap::new();
        let mut pending = vec![src.to_owned()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let relative = path.strip_prefix(src).unwrap();
                    let mut segments: ModPath = relative
                        .with_extension("")
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    if segments.first().is_some_and(|s| s == "bin") {
                        continue; // extra binaries are crates of their own
                    }
                    if matches!(
                        segments.last().map(String::as_str),
                        Some("mod" | "lib" | "main")
                    ) {
                        segments.pop();
                    }
                    files.insert(segments, path);
                }
            }
        }
        let code: BTreeMap<ModPath, String> = files
            .iter()
            .map(|(module, path)| {
                let text = std::fs::read_to_string(path).unwrap();
                (module.clone(), without_tests(&strip(&text)))
            })
            .collect();
        let mut reexports = BTreeMap::new();
        for (module, text) in &code {
            for (public, path) in use_paths(text) {
                if !public {
                    continue;
                }
                if let Some(target) = absolute(&files, module, &path) {
                    let name = target.last().cloned().unwrap_or_default();
                    reexports.insert((module.clone(), name), target);
                }
            }
        }
        Self {
            files,
            reexports,
            code,
        }
    }

    /// The module whose file defines what `path` names.
    fn resolve(&self, path: &[String], depth: usize) -> Option<ModPath> {
        let mut module: ModPath = Vec::new();
        for (i, segment) in path.iter().enumerate() {
            let mut next = module.clone();
            next.push(segment.clone());
            if self.files.contains_key(&next) {
                module = next;
                continue;
            }
            // Not a module: an item of `module`, maybe re-exported from elsewhere.
            if depth < 8
                && let Some(target) = self.reexports.get(&(module.clone(), segment.clone()))
            {
                let mut rest = target.clone();
                rest.extend(path[i + 1..].iter().cloned());
                return self.resolve(&rest, depth + 1);
            }
            break;
        }
        Some(module)
    }

    /// file → the files it depends on.
    fn edges(&self) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
        let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
        for (module, text) in &self.code {
            let mut paths: Vec<Vec<String>> =
                use_paths(text).into_iter().map(|(_, path)| path).collect();
            paths.extend(inline_paths(text));
            for path in paths {
                let Some(target) = absolute(&self.files, module, &path) else {
                    continue;
                };
                if let Some(file) = self.resolve(&target, 0)
                    && &file != module
                    && !module.starts_with(&file)
                {
                    edges.entry(module.clone()).or_default().insert(file);
                }
            }
        }
        edges
    }
}

/// `path` (as written in `module`) from the crate root, if it is one of ours.
fn absolute(
    files: &BTreeMap<ModPath, PathBuf>,
    module: &ModPath,
    path: &[String],
) -> Option<ModPath> {
    let (first, rest) = path.split_first()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => {
            let mut base = module.clone();
            base.pop()?;
            base
        }
        // A child module, named as in scope (`use inner::Name`).
        child if files.contains_key(&[&module[..], &[child.to_owned()]].concat()) => {
            let mut base = module.clone();
            base.push(child.to_owned());
            base
        }
        _ => return None,
    };
    let mut rest = rest;
    while let Some(("super", tail)) = rest.split_first().map(|(h, t)| (h.as_str(), t)) {
        base.pop()?;
        rest = tail;
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Every `use` in `text`, expanded (`a::{b, c::d}` → `a::b`, `a::c::d`), with
/// whether it is a `pub` one.
fn use_paths(text: &str) -> Vec<(bool, Vec<String>)> {
    let mut found = Vec::new();
    for statement in text.split(';') {
        let statement = statement.trim();
        let Some(at) = find_word(statement, "use") else {
            continue;
        };
        let before = statement[..at].trim();
        let public = before.ends_with("pub") || before.contains("pub(");
        // Renames (`a::b as c`) dropped, then whitespace.
        let mut tokens = statement[at + 3..].split_whitespace();
        let mut tree = String::new();
        while let Some(token) = tokens.next() {
            if token == "as" {
                let renamed = tokens.next().unwrap_or_default();
                tree.push_str(
                    renamed.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_'),
                );
            } else {
                tree.push_str(token);
            }
        }
        for path in expand(&tree) {
            found.push((public, path));
        }
    }
    found
}

/// The start of `use` as a word at a statement's head (after attributes and `pub`).
fn find_word(statement: &str, word: &str) -> Option<usize> {
    let head = statement.rfind(']').map_or(0, |i| i + 1);
    let rest = &statement[head..];
    let trimmed = rest.trim_start();
    let offset = head + rest.len() - trimmed.len();
    for prefix in ["", "pub ", "pub(crate) ", "pub(super) "] {
        if let Some(after) = trimmed.strip_prefix(prefix)
            && after.starts_with(word)
            && after[word.len()..].starts_with(char::is_whitespace)
        {
            return Some(offset + prefix.len());
        }
    }
    None
}

/// `a::{b, c::{d, e}}` → `[a, b]`, `[a, c, d]`, `[a, c, e]`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    match tree.find('{') {
        None => vec![
            tree.split("::")
                .filter(|s| !s.is_empty() && *s != "*" && *s != "self")
                .map(str::to_owned)
                .collect(),
        ],
        Some(open) => {
            let prefix: Vec<String> = tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut parts = Vec::new();
            let (mut depth, mut start) = (0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        parts.push(&inner[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            parts.push(&inner[start..]);
            let mut paths = Vec::new();
            for part in parts.into_iter().filter(|p| !p.is_empty()) {
                for tail in expand(part) {
                    let mut path = prefix.clone();
                    path.extend(tail);
                    paths.push(path);
                }
            }
            paths
        }
    }
}

/// `crate::a::b` and `super::a` paths written inline in code.
fn inline_paths(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for root in ["crate::", "super::"] {
        for (at, _) in text.match_indices(root) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(
                path.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        }
    }
    paths
}

/// `text` without comments and string or char literals.
fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            'r' if chars.peek() == Some(&'#') => {
                // r#"…"#: skip to the closing quote and hash.
                chars.next();
                if chars.peek() == Some(&'"') {
                    chars.next();
                    let mut last = ' ';
                    for c in chars.by_ref() {
                        if last == '"' && c == '#' {
                            break;
                        }
                        last = c;
                    }
                    out.push_str("\"\"");
                } else {
                    out.push_str("r#");
                }
            }
            '\'' => {
                // A char literal ('x', '\n') or a lifetime ('a).
                let ahead: String = chars.clone().take(3).collect();
                if ahead.starts_with('\\') {
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                    }
                } else if ahead.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                } else {
                    out.push('\'');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` without its `#[cfg(test)]` modules.
fn without_tests(text: &str) -> String {
    let mut out = text.to_owned();
    while let Some(at) = out.find("#[cfg(test)]") {
        let after = &out[at..];
        let Some(open) = after.find('{') else { break };
        let header = &after[..open];
        let end = if header.contains("mod ") {
            let mut depth = 0;
            let mut end = after.len();
            for (i, c) in after[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            end
        } else {
            "#[cfg(test)]".len()
        };
        out.replace_range(at..at + end, "");
    }
    out
}

/// The files of one loop, if the graph has any (Tarjan's strongly connected
/// components, each of more than one file).
fn loops(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<ModPath, usize>,
        low: BTreeMap<ModPath, usize>,
        stack: Vec<ModPath>,
        on_stack: BTreeSet<ModPath>,
        found: Vec<Vec<ModPath>>,
    }
    impl Walk<'_> {
        fn visit(&mut self, node: &ModPath) {
            let n = self.index.len();
            self.index.insert(node.clone(), n);
            self.low.insert(node.clone(), n);
            self.stack.push(node.clone());
            self.on_stack.insert(node.clone());
            for next in self.edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node.clone(), low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node.clone(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(&top);
                    let done = &top == node;
                    component.push(top);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

#[test]
fn no_use_loop_between_the_files_of_any_crate() {
    let mut problems = Vec::new();
    for name in CRATES {
        let krate = Crate::read(&repo_root().join(name).join("src"));
        let edges = krate.edges();
        for component in loops(&edges) {
            let file = |m: &ModPath| {
                krate.files[m]
                    .strip_prefix(repo_root())
                    .unwrap()
                    .display()
                    .to_string()
            };
            let members: BTreeSet<&ModPath> = component.iter().collect();
            let hops: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    edges[from]
                        .iter()
                        .filter(|to| members.contains(to))
                        .map(move |to| format!("{} → {}", file(from), file(to)))
                })
                .collect();
            problems.push(format!("{name}: {}", hops.join(", ")));
        }
    }
    assert!(
        problems.is_empty(),
        "use loops between files (make the dependency point one way):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_loop_check_sees_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::B;\npub struct A;\n").unwrap();
    std::fs::write(src.join("b.rs"), "pub struct B(crate::a::A);\n").unwrap();
    let krate = Crate::read(src);
    let found = loops(&krate.edges());
    assert_eq!(found.len(), 1, "{found:?}");
    // Through a re-export: c uses d's item by its re-exported name at the root.
    std::fs::write(src.join("lib.rs"), "mod c;\nmod d;\npub use d::D;\n").unwrap();
    std::fs::write(src.join("c.rs"), "pub struct C;\n").unwrap();
    std::fs::write(src.join("d.rs"), "use crate::c::C;\npub struct D(C);\n").unwrap();
    std::fs::remove_file(src.join("a.rs")).unwrap();
    std::fs::remove_file(src.join("b.rs")).unwrap();
    std::fs::write(src.join("c.rs"), "pub struct C(crate::D);\n").unwrap();
    let krate = Crate::read(src);
    assert_eq!(loops(&krate.edges()).len(), 1);
}

/// A file a newcomer can hold in their head: the server's and the worker's stay
/// under 600 lines (split along a seam when one grows past it).
#[test]
fn no_file_of_the_server_or_the_worker_is_over_600_lines() {
    let mut long = Vec::new();
    for dir in ["api/src", "server/src", "dev/src", "worker/src"] {
        for file in crate::repo::files_under(dir, "rs") {
            let lines = crate::repo::repo_file(&file).lines().count();
            if lines > 600 {
                long.push(format!("{file}: {lines} lines"));
            }
        }
    }
    assert!(long.is_empty(), "split these along a seam: {long:?}");
}
