//! The snapshot review workflow: a changed response fails in CI without writing anything, and
//! outside CI (or with INSTA_UPDATE=new) leaves a pending `.snap.new` to review.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{env_for, run_binary, run_binary_without, temp_dir};
use magento_contract::reference::{ReferenceMagento, StoreSettings};

const LIMIT: Duration = Duration::from_secs(90);
const SCENARIO: &str = "^A guest creates the tutorial's customer$";

fn copy_snapshots(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn pending(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap.new"))
        .collect()
}

/// A store view named differently: `created_in` changes, so the snapshot does.
async fn renamed_store() -> (
    magento_contract::reference::RunningReference,
    Vec<(String, String)>,
    std::path::PathBuf,
) {
    let server = ReferenceMagento::start(StoreSettings {
        store_name: "Main Website Store".to_owned(),
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let snapshots = temp_dir("snapshots");
    copy_snapshots(&snapshots);
    let mut env = env_for(&server);
    env.push(("MAGENTO_STORE_NAME".to_owned(), "Main Website Store".to_owned()));
    env.push(("MAGENTO_SNAPSHOTS_DIR".to_owned(), snapshots.display().to_string()));
    (server, env, snapshots)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_unchanged_store_matches_its_snapshots() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let result = run_binary(&["run", "--name", SCENARIO], &env_for(&server), LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
}

#[tokio::test(flavor = "multi_thread")]
async fn in_ci_a_changed_response_fails_and_writes_nothing() {
    let (_server, env, snapshots) = renamed_store().await;
    let result = run_binary(&["run", "--color", "never", "--name", SCENARIO], &env, LIMIT).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(
        result
            .stdout
            .contains("snapshot \"create_customer@reference\" does not match"),
        "{}",
        result.stdout
    );
    assert!(
        result.output().contains("Main Website Store"),
        "insta's diff shows the change"
    );
    assert_eq!(pending(&snapshots), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn with_insta_update_new_a_changed_response_leaves_a_pending_snapshot() {
    let (_server, mut env, snapshots) = renamed_store().await;
    env.push(("INSTA_UPDATE".to_owned(), "new".to_owned()));
    let result = run_binary_without(&["run", "--color", "never", "--name", SCENARIO], &env, &["CI"], LIMIT).await;
    assert_eq!(
        result.code,
        1,
        "a pending snapshot still fails the run:\n{}",
        result.output()
    );
    assert_eq!(
        pending(&snapshots),
        vec!["create_customer@reference.snap.new".to_owned()]
    );
    let new = std::fs::read_to_string(snapshots.join("create_customer@reference.snap.new")).unwrap();
    assert!(new.contains("\"created_in\": \"Main Website Store\""), "{new}");
    assert!(!new.contains("@example.com"), "emails are redacted: {new}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_profile_starts_with_pending_snapshots() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let snapshots = temp_dir("profile");
    copy_snapshots(&snapshots);
    let mut env = env_for(&server);
    env.push(("MAGENTO_SNAPSHOTS_DIR".to_owned(), snapshots.display().to_string()));
    env.push(("MAGENTO_PROFILE".to_owned(), "staging".to_owned()));
    env.push(("INSTA_UPDATE".to_owned(), "new".to_owned()));
    let result = run_binary_without(&["run", "--name", SCENARIO], &env, &["CI"], LIMIT).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert_eq!(pending(&snapshots), vec!["create_customer@staging.snap.new".to_owned()]);
}
