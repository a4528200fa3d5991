//! The core's modules import one another without a cycle, so each can be read, tested and
//! changed knowing only the modules below it (the layers are listed in `src/lib.rs`).
//!
//! Every file under `src/` is a module. An import is any path in code that names another
//! module: `crate::a::b`, `super::a`, `self::a`, or a child module by its bare name (`a::X` in
//! the file that declares `mod a`), resolved to the longest module prefix it names. A parent's
//! `pub use child::X` is an import of the child; `mod child;` alone is not. Comments are left
//! out, and so is the unit-test module that closes a file (it imports its own file).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module of the crate: its file, relative to `src/`, and the children it declares.
struct Module {
    file: String,
    children: Vec<String>,
}

/// Module path (`crate::condition::surveyjs`) → module.
fn modules(src: &Path) -> BTreeMap<String, Module> {
    let mut out = BTreeMap::new();
    let mut files = Vec::new();
    collect_files(src, &mut files);
    for path in files {
        let rel = path
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let name = rel.trim_end_matches(".rs");
        let module = match name {
            "lib" => "crate".to_owned(),
            _ => format!(
                "crate::{}",
                name.trim_end_matches("/mod").replace('/', "::")
            ),
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let children = code_lines(&text)
            .filter_map(|(_, line)| declared_child(line))
            .collect();
        out.insert(
            module,
            Module {
                file: rel,
                children,
            },
        );
    }
    out
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of code (1-based numbers), without comments and without the unit tests that close
/// a file.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len())
        .find(|&i| {
            lines[i].trim() == "#[cfg(test)]"
                && lines
                    .get(i + 1)
                    .is_some_and(|next| next.trim().starts_with("mod ") && next.ends_with('{'))
        })
        .unwrap_or(lines.len());
    lines
        .into_iter()
        .take(end)
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
}

/// `name` when the line declares a child module in its own file (`pub mod name;`).
fn declared_child(line: &str) -> Option<String> {
    let line = line.trim();
    let rest = line
        .strip_prefix("mod ")
        .or_else(|| line.strip_prefix("pub mod "))
        .or_else(|| line.strip_prefix("pub(crate) mod "))?;
    rest.strip_suffix(';').map(str::to_owned)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The `::`-separated identifiers that follow `text` (`a::b::C` in `a::b::C::new()`).
fn segments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let len = rest.find(|c| !is_ident(c)).unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        out.push(&rest[..len]);
        match rest[len..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    out
}

/// Every module path that a line of the module `module` names, before resolution.
fn named_paths(module: &str, children: &[String], line: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let own: Vec<&str> = module.split("::").collect();
    let mut starts = Vec::new();
    for (i, _) in line.match_indices("::") {
        // The first segment of a path: an identifier before `::` that no `::` precedes.
        let head_start = line[..i].rfind(|c| !is_ident(c)).map_or(0, |j| j + 1);
        if head_start == i || line[..head_start].ends_with("::") {
            continue;
        }
        starts.push(head_start);
    }
    for start in starts {
        let segs = segments(&line[start..]);
        let (base, rest): (Vec<&str>, &[&str]) = match segs[0] {
            "crate" => (vec!["crate"], &segs[1..]),
            "self" => (own.clone(), &segs[1..]),
            "super" => {
                let ups = segs.iter().take_while(|s| **s == "super").count();
                (own[..own.len().saturating_sub(ups)].to_vec(), &segs[ups..])
            }
            head if children.iter().any(|c| c == head) => (own.clone(), &segs[..]),
            _ => continue,
        };
        out.push(
            base.iter()
                .chain(rest)
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>(),
        );
    }
    out
}

/// Importing module → imported module → the first line that does it.
fn imports(
    modules: &BTreeMap<String, Module>,
    src: &Path,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (name, module) in modules {
        let text = std::fs::read_to_string(src.join(&module.file)).unwrap();
        for (number, line) in code_lines(&text) {
            for path in named_paths(name, &module.children, line) {
                let target = (1..=path.len())
                    .rev()
                    .map(|n| path[..n].join("::"))
                    .find(|p| modules.contains_key(p));
                if let Some(target) = target.filter(|t| t != name) {
                    out.entry(name.clone())
                        .or_default()
                        .entry(target)
                        .or_insert_with(|| format!("{}:{number}: {}", module.file, line.trim()));
                }
            }
        }
    }
    out
}

/// The groups of two or more modules that import one another in a loop (Tarjan's strongly
/// connected components).
fn cycles(
    graph: &BTreeMap<String, BTreeMap<String, String>>,
    nodes: &[String],
) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeMap<String, String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flat_map(|m| m.keys()) {
            if !s.index.contains_key(w.as_str()) {
                visit(s, w);
                let low = s.low[v].min(s.low[w.as_str()]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w.as_str()) {
                let low = s.low[v].min(s.index[w.as_str()]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                group.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.found.push(group);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in nodes {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn no_module_imports_itself_through_others() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let graph = imports(&modules, &src);
    let nodes: Vec<String> = modules.keys().cloned().collect();
    let found = cycles(&graph, &nodes);
    let mut message = String::new();
    for group in &found {
        message.push_str(&format!("cycle among {}:\n", group.join(", ")));
        for from in group {
            for (to, line) in &graph[from] {
                if group.contains(to) {
                    message.push_str(&format!("  {from} -> {to}   ({line})\n"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{message}");
}

#[test]
fn the_scan_sees_the_imports_it_should() {
    // A check that finds no imports would find no cycles either, so it is held to a few
    // imports that are known to exist, one of each form it reads.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let graph = imports(&modules, &src);
    let has = |from: &str, to: &str| graph.get(from).is_some_and(|m| m.contains_key(to));
    // `use crate::…`
    assert!(has("crate::table", "crate::validate"));
    // `use super::…` from a sibling.
    assert!(has(
        "crate::condition::surveyjs::eval",
        "crate::condition::surveyjs::expr"
    ));
    // A parent's `pub use child::…`.
    assert!(has("crate::condition", "crate::condition::manyi"));
    // A path in a string: serde's `deserialize_with = "crate::time::…"`.
    assert!(has("crate::model", "crate::time"));
    // A re-export is an import of where the name lives, not of the face it passes through.
    assert!(!has("crate::condition::surveyjs::expr", "crate::condition"));
}
