//! `include_dir!` tracks the files it embeds, but not new ones: watching the directories makes
//! Cargo rebuild the binary when a feature file, schema or snapshot is added or removed.

fn main() {
    for dir in ["features", "schemas", "snapshots", "drift"] {
        println!("cargo::rerun-if-changed={dir}");
    }
}
