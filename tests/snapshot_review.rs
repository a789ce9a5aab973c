//! The snapshot review workflow: a changed response fails in CI without writing anything, and
//! outside CI (or with INSTA_UPDATE=new) leaves a pending `.snap.new` to review.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{env_for, run_binary, run_binary_without, temp_dir};
use magento_reference::{ReferenceMagento, StoreSettings};

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

/// A store whose customers lack `extension_attributes.is_subscribed` although its Swagger
/// declares it (a store without Magento_Newsletter that says so is legitimate, STORES.md U7):
/// the snapshot changes.
async fn changed_store() -> (
    magento_reference::RunningReference,
    Vec<(String, String)>,
    std::path::PathBuf,
) {
    let declares_is_subscribed = serde_json::json!({"definitions": {"customer-data-customer-extension-interface": {
        "type": "object", "properties": {"is_subscribed": {"type": "boolean"}}}}});
    let server = ReferenceMagento::start(StoreSettings {
        newsletter_module: false,
        published_schema: Some(declares_is_subscribed),
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let snapshots = temp_dir("snapshots");
    copy_snapshots(&snapshots);
    let mut env = env_for(&server);
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
    let (_server, env, snapshots) = changed_store().await;
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
        result
            .stdout
            .contains("extension_attributes.is_subscribed: missing key"),
        "the failure names the change: {}",
        result.stdout
    );
    assert_eq!(pending(&snapshots), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn with_insta_update_new_a_changed_response_leaves_a_pending_snapshot() {
    let (_server, mut env, snapshots) = changed_store().await;
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
    assert!(!new.contains("is_subscribed"), "{new}");
    assert!(new.contains("\"created_in\": \"[store name]\""), "{new}");
    assert!(!new.contains("@example.com"), "emails are redacted: {new}");
}

/// A new profile (STORES.md C8), in CI too: the snapshot step passes, a pending snapshot is
/// written, and the run lists the step as not run; once the pending snapshot is renamed to
/// `.snap`, the next run compares with it.
#[tokio::test(flavor = "multi_thread")]
async fn a_new_profile_starts_with_pending_snapshots_and_passes() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let snapshots = temp_dir("profile");
    copy_snapshots(&snapshots);
    let mut env = env_for(&server);
    env.push(("MAGENTO_SNAPSHOTS_DIR".to_owned(), snapshots.display().to_string()));
    env.push(("MAGENTO_PROFILE".to_owned(), "staging".to_owned()));
    let result = run_binary(&["run", "--color", "never", "--name", SCENARIO], &env, LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert_eq!(pending(&snapshots), vec!["create_customer@staging.snap.new".to_owned()]);
    let new = snapshots.join("create_customer@staging.snap.new");
    let note = format!(
        "Not run: nothing stored to compare with (1):\n  - A guest creates the tutorial's customer: the response matches the snapshot \"create_customer\" (no stored snapshot for profile staging yet; pending snapshot written to {}: review with `cargo insta review` or rename it to .snap)",
        new.display()
    );
    assert!(result.stdout.contains(&note), "{}", result.stdout);

    std::fs::rename(&new, snapshots.join("create_customer@staging.snap")).unwrap();
    let again = run_binary(&["run", "--color", "never", "--name", SCENARIO], &env, LIMIT).await;
    assert_eq!(again.code, 0, "{}", again.output());
    assert!(!again.stdout.contains("Not run: nothing stored"), "{}", again.stdout);
    assert_eq!(pending(&snapshots), Vec::<String>::new());
}

/// A new profile still fails on a snapshot that exists and differs.
#[tokio::test(flavor = "multi_thread")]
async fn a_new_profile_still_fails_where_its_snapshot_differs() {
    let (_server, mut env, snapshots) = changed_store().await;
    std::fs::copy(
        snapshots.join("create_customer@reference.snap"),
        snapshots.join("create_customer@staging.snap"),
    )
    .unwrap();
    env.push(("MAGENTO_PROFILE".to_owned(), "staging".to_owned()));
    let result = run_binary(&["run", "--color", "never", "--name", SCENARIO], &env, LIMIT).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(
        result
            .stdout
            .contains("snapshot \"create_customer@staging\" does not match"),
        "{}",
        result.stdout
    );
    assert_eq!(pending(&snapshots), Vec::<String>::new());
}

/// A renamed store view with other ids (STORES.md C5), configured as such, matches the stored
/// snapshots: they hold placeholders for the configured name and ids.
#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_store_with_other_ids_matches_the_snapshots() {
    let server = ReferenceMagento::start(StoreSettings {
        store_name: "Boutique Paris".to_owned(),
        store_id: 3,
        website_id: 2,
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let mut env = env_for(&server);
    env.extend(
        [
            ("MAGENTO_STORE_NAME", "Boutique Paris"),
            ("MAGENTO_STORE_ID", "3"),
            ("MAGENTO_WEBSITE_ID", "2"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let result = run_binary(
        &[
            "run",
            "--color",
            "never",
            "--name",
            "snapshot|own account|tutorial's customer",
        ],
        &env,
        LIMIT,
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(
        result.stdout.contains("A guest creates the tutorial's customer")
            && result.stdout.contains("The customer's token reads their own account"),
        "both snapshot scenarios ran: {}",
        result.stdout
    );
}
