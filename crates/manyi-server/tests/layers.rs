//! The server's modules form layers: no module imports one that imports it back, directly or
//! through others. This test reads every `crate::` path in `src/` and fails on a cycle, naming
//! its modules and the imports that close it, so such an import is caught when it is written
//! rather than found by the next reader. `lib.rs`, which only declares the modules and
//! re-exports a few names, is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every module under `dir` (as a path such as `routes::surveys`) with its source.
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            modules(&path, &format!("{prefix}{name}::"), out);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let module = match stem {
                "lib" => continue,
                "mod" => prefix.trim_end_matches("::").to_owned(),
                _ => format!("{prefix}{stem}"),
            };
            out.insert(module, fs::read_to_string(&path).unwrap());
        }
    }
}

/// Reads the path at `text[*i..]`, which follows `prefix::`, into `out`, with every
/// `{a, b::c}` group expanded into whole paths.
fn read_path(text: &[char], i: &mut usize, prefix: &str, out: &mut Vec<String>) {
    let mut path = prefix.to_owned();
    loop {
        while text.get(*i).is_some_and(|c| c.is_whitespace()) {
            *i += 1;
        }
        if text.get(*i) == Some(&'{') {
            *i += 1;
            loop {
                read_path(text, i, &path, out);
                while text.get(*i).is_some_and(|c| c.is_whitespace()) {
                    *i += 1;
                }
                match text.get(*i) {
                    Some(',') => *i += 1,
                    Some('}') => {
                        *i += 1;
                        return;
                    }
                    _ => return,
                }
            }
        }
        let start = *i;
        while text
            .get(*i)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            *i += 1;
        }
        let ident: String = text[start..*i].iter().collect();
        // `self`, a glob or the end of a group names the path so far.
        if ident.is_empty() || ident == "self" {
            out.push(path);
            return;
        }
        path = if path.is_empty() {
            ident
        } else {
            format!("{path}::{ident}")
        };
        if text[*i..].starts_with(&[':', ':']) {
            *i += 2;
        } else {
            out.push(path);
            return;
        }
    }
}

/// The modules that `source` names through `crate::` paths, comments left out.
fn imports(source: &str, modules: &BTreeMap<String, String>) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let text: Vec<char> = code.chars().collect();
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let mut i = code[..at + "crate::".len()].chars().count();
        read_path(&text, &mut i, "", &mut paths);
    }
    // A path names the longest module it starts with: `routes::surveys::latest` is in
    // `routes::surveys`.
    paths
        .iter()
        .filter_map(|path| {
            let parts: Vec<&str> = path.split("::").collect();
            (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|module| modules.contains_key(module))
        })
        .collect()
}

/// A cycle of the graph, as the modules along it, or `None`.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|m| m == module) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        stack.push(module.to_owned());
        for next in &graph[module] {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(module.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut done, &mut Vec::new()))
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut sources = BTreeMap::new();
    modules(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut sources,
    );
    let graph: BTreeMap<String, BTreeSet<String>> = sources
        .iter()
        .map(|(module, source)| {
            let mut uses = imports(source, &sources);
            uses.remove(module);
            (module.clone(), uses)
        })
        .collect();
    // The check would pass on a graph it failed to read, so make sure it read the router's
    // imports of the handlers.
    assert!(
        graph["router"].contains("routes::responses"),
        "the router's imports were not read: {:?}",
        graph["router"]
    );
    if let Some(cycle) = cycle(&graph) {
        panic!(
            "the modules import each other in a loop: {}",
            cycle.join(" -> ")
        );
    }
}
