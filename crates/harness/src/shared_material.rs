//! Evidence that lives beside the repository, at `../shared/...` (published Magento artifacts,
//! real captures). A user's clone has none of it and the harness never needs it at run time;
//! only tests read it. Where it is missing they skip with a printed reason, except under
//! `CI=true`, where CI lays it beside the clone, so its absence fails them instead of letting
//! them pass unchecked.

use std::path::{Path, PathBuf};

/// The path of `../shared/<relative>` beside this clone, if it exists. Missing under `CI=true`:
/// panics (the calling test fails) naming the path.
pub fn shared_material(relative: &str) -> Option<PathBuf> {
    locate(
        &crate::config::project_dir().join("../shared"),
        relative,
        std::env::var("CI").is_ok_and(|v| v == "true"),
    )
}

fn locate(shared: &Path, relative: &str, ci: bool) -> Option<PathBuf> {
    let path = shared.join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        !ci,
        "../shared/{relative} is missing: under CI=true the shared evidence must be beside the clone"
    );
    eprintln!("skipped: ../shared/{relative} is not beside this clone");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_material_is_found_and_missing_material_skips_outside_ci() {
        let here = crate::config::project_dir();
        assert_eq!(locate(here, "Cargo.toml", true), Some(here.join("Cargo.toml")));
        assert_eq!(locate(here, "no-such-file.json", false), None);
    }

    #[test]
    #[should_panic(expected = "../shared/no-such-file.json is missing")]
    fn missing_material_fails_under_ci() {
        locate(crate::config::project_dir(), "no-such-file.json", true);
    }
}
