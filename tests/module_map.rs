//! The README's module map matches the tree: every path it names exists,
//! and every file and folder of `usso/src` is named.

use std::collections::BTreeSet;
use std::path::Path;

fn readme_map() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("## Module map")
        .expect("the README has a module map");
    let rest = &readme[start + 2..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_owned()
}

/// Backticked names in the table's first column (`path` cells).
fn named_paths(map: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in map.lines().filter(|l| l.starts_with("| `")) {
        let first = line.split('|').nth(1).unwrap_or_default();
        for name in first.split('`').skip(1).step_by(2) {
            out.insert(name.trim_end_matches('/').to_owned());
        }
    }
    out
}

#[test]
fn every_named_path_exists_and_every_entry_is_named() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("usso/src");
    let named = named_paths(&readme_map());
    assert!(named.len() > 15, "{named:?}");
    for name in &named {
        assert!(
            src.join(name).exists(),
            "the module map names `{name}`, which is not in usso/src"
        );
    }
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            named.contains(&name),
            "usso/src/{name} is missing from the README's module map"
        );
    }
    // Files named in the prose of a folder's row exist in that folder.
    let map = readme_map();
    for line in map.lines().filter(|l| l.starts_with("| `")) {
        let mut cells = line.split('|').skip(1);
        let (Some(path), Some(what)) = (cells.next(), cells.next()) else {
            continue;
        };
        let folder = path.trim().trim_matches('`').trim_end_matches('/');
        if !src.join(folder).is_dir() {
            continue;
        }
        for file in what
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|f| f.ends_with(".rs") || f.ends_with(".md"))
        {
            assert!(
                src.join(folder).join(file).exists(),
                "`{folder}/{file}` named in the map does not exist"
            );
        }
    }
}
