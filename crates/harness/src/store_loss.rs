//! Whether the store stopped answering mid-run, shared by the World and the runner.
//!
//! A store that went away (restarted, crashed, put in maintenance) would otherwise fail every
//! remaining scenario separately. After [`LOST_AFTER`] unusable answers in a row (timeouts only
//! when they span more than one path: one slow route is a slow route, not a lost store) the run stops
//! scheduling as it does on a signal ([`crate::interruption`]): the World refuses new requests,
//! and the runner reports once, waits briefly for the store, and cleans up if it returns.

use std::sync::Mutex;

use chrono::{DateTime, Local};
use tokio::sync::watch;

use crate::client::{Exchange, TransportError};

/// Consecutive unusable answers after which the store counts as lost: one can be a blip,
/// three in a row across scenarios is the store, not a scenario.
pub const LOST_AFTER: u32 = 3;

/// What one request got back, as far as the detector cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Connection refused or reset, or another transport failure.
    NoConnection,
    Timeout,
    /// 503: Magento's maintenance page.
    Maintenance,
    /// Any other status, which shows the store is there.
    Usable,
}

impl Answer {
    pub fn of(result: &Result<Exchange, TransportError>) -> Self {
        match result {
            Ok(exchange) if exchange.status == 503 => Answer::Maintenance,
            Ok(_) => Answer::Usable,
            Err(TransportError::Timeout { .. }) => Answer::Timeout,
            Err(_) => Answer::NoConnection,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Answer::NoConnection => "connection refused or reset",
            Answer::Timeout => "timed out",
            Answer::Maintenance => "503 (maintenance mode?)",
            Answer::Usable => "answered",
        }
    }
}

/// The current run of unusable answers: how many, since when, of which kind (`None` when they
/// were of different kinds), and whether they all came from one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    pub count: u32,
    pub since: Option<DateTime<Local>>,
    pub kind: Option<Answer>,
    /// A hash of the path of the streak's first answer, and whether every answer since had it.
    path: Option<u64>,
    one_path: bool,
}

impl Streak {
    /// Whether this streak means the store is gone. Timeouts that all come from one path are a
    /// slow route (a fault the scenario reports), not a lost store: a dead store times out on
    /// every path.
    pub fn is_loss(&self) -> bool {
        self.count >= LOST_AFTER && !(self.kind == Some(Answer::Timeout) && self.one_path)
    }
}

/// The detector: the streak after `answer` to a request for `path` arrived at `now`. Any usable
/// answer resets it.
pub fn next_streak(streak: Streak, answer: Answer, path: &str, now: DateTime<Local>) -> Streak {
    if answer == Answer::Usable {
        return Streak::default();
    }
    let path = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        path.hash(&mut hasher);
        hasher.finish()
    };
    Streak {
        count: streak.count + 1,
        since: streak.since.or(Some(now)),
        kind: if streak.count == 0 || streak.kind == Some(answer) {
            Some(answer)
        } else {
            None
        },
        path: streak.path.or(Some(path)),
        one_path: streak.count == 0 || (streak.one_path && streak.path == Some(path)),
    }
}

/// When the store was lost, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    pub since: DateTime<Local>,
    /// e.g. `connection refused or reset on 3 consecutive requests`.
    pub how: String,
}

/// The run's store-loss flag and the scenarios it kept from running.
#[derive(Default)]
pub struct StoreLoss {
    streak: Mutex<Streak>,
    lost: watch::Sender<Option<Lost>>,
    /// Scenario names in the order they were refused; an outline's examples share a name.
    not_run: Mutex<Vec<String>>,
}

impl StoreLoss {
    /// Feeds the answer to a request for `path` to the detector; the first streak that
    /// [`Streak::is_loss`] sets the flag.
    pub fn observe(&self, answer: Answer, path: &str) {
        let streak = {
            let mut streak = self.streak.lock().unwrap_or_else(|e| e.into_inner());
            *streak = next_streak(*streak, answer, path, Local::now());
            *streak
        };
        if !streak.is_loss() {
            return;
        }
        self.lost.send_if_modified(|lost| {
            let first = lost.is_none();
            if first {
                *lost = Some(Lost {
                    since: streak.since.unwrap_or_else(Local::now),
                    how: format!(
                        "{} on {} consecutive requests",
                        streak.kind.map_or("no usable answer", Answer::describe),
                        streak.count
                    ),
                });
            }
            first
        });
    }

    pub fn lost(&self) -> Option<Lost> {
        self.lost.borrow().clone()
    }

    /// Resolves once the store is lost.
    pub async fn wait(&self) {
        let mut changes = self.lost.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = changes.wait_for(Option::is_some).await;
    }

    /// Records a scenario that wanted to send after the store was lost.
    pub fn refuse(&self, scenario: &str) {
        self.not_run
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(scenario.to_owned());
    }

    pub fn not_run(&self) -> Vec<String> {
        self.not_run.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The one line every report carries, e.g. `the store stopped answering at 12:03:04
    /// (connection refused or reset on 3 consecutive requests): 12 scenarios not run`.
    pub fn summary(&self) -> Option<String> {
        let lost = self.lost()?;
        Some(format!(
            "the store stopped answering at {} ({}): {} scenarios not run",
            lost.since.format("%H:%M:%S"),
            lost.how,
            self.not_run().len()
        ))
    }

    /// What the JSON reports say about it, in the shape of an interruption's.
    pub fn json(&self) -> Option<serde_json::Value> {
        let lost = self.lost()?;
        Some(serde_json::json!({
            "interrupted": true,
            "store_lost": true,
            "since": lost.since.to_rfc3339(),
            "summary": self.summary(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(answers: &[Answer]) -> Streak {
        answers.iter().enumerate().fold(Streak::default(), |s, (i, a)| {
            next_streak(s, *a, &format!("/V1/{i}"), Local::now())
        })
    }

    #[test]
    fn consecutive_failures_count_and_any_usable_answer_resets() {
        use Answer::*;
        assert_eq!(feed(&[NoConnection, NoConnection]).count, 2);
        assert_eq!(feed(&[NoConnection, NoConnection, Usable]), Streak::default());
        assert_eq!(feed(&[Timeout, Usable, Timeout, Timeout]).count, 2);
        let mixed = feed(&[Maintenance, Timeout, NoConnection]);
        assert_eq!((mixed.count, mixed.kind), (3, None));
        let same = feed(&[Maintenance, Maintenance, Maintenance]);
        assert_eq!((same.count, same.kind), (3, Some(Maintenance)));
    }

    /// One slow route times out again and again while the store answers elsewhere: not a lost
    /// store. Timeouts on several paths, or refused connections on one, are.
    #[test]
    fn timeouts_on_one_path_are_a_slow_route_not_a_lost_store() {
        use Answer::*;
        let one = |answers: &[Answer]| {
            answers.iter().fold(Streak::default(), |s, a| {
                next_streak(s, *a, "/V1/customers/me", Local::now())
            })
        };
        assert!(!one(&[Timeout, Timeout, Timeout, Timeout]).is_loss());
        assert!(one(&[NoConnection, NoConnection, NoConnection]).is_loss());
        assert!(one(&[Timeout, NoConnection, Timeout]).is_loss());
        assert!(feed(&[Timeout, Timeout, Timeout]).is_loss());
        assert!(!feed(&[Timeout, Timeout]).is_loss());
        let loss = StoreLoss::default();
        for _ in 0..5 {
            loss.observe(Timeout, "/V1/customers/me");
        }
        assert_eq!(loss.lost(), None);
        loss.observe(Timeout, "/V1/customers");
        assert!(loss.lost().is_some(), "a second path timing out too is the store");
    }

    /// The streak keeps the time of its first failure: "since when" the store was gone.
    #[test]
    fn the_streak_remembers_when_it_began() {
        let first = Local::now() - chrono::Duration::seconds(30);
        let streak = next_streak(Streak::default(), Answer::Timeout, "/V1/a", first);
        let streak = next_streak(streak, Answer::Timeout, "/V1/b", Local::now());
        assert_eq!(streak.since, Some(first));
    }

    #[test]
    fn the_flag_is_set_once_at_the_threshold() {
        let loss = StoreLoss::default();
        loss.observe(Answer::NoConnection, "/V1/customers");
        loss.observe(Answer::NoConnection, "/V1/customers");
        assert_eq!(loss.lost(), None);
        loss.observe(Answer::NoConnection, "/V1/customers");
        let lost = loss.lost().expect("lost after three");
        loss.observe(Answer::Timeout, "/V1/customers/me");
        assert_eq!(loss.lost(), Some(lost));
        loss.refuse("a scenario");
        let summary = loss.summary().unwrap();
        assert!(
            summary.ends_with("(connection refused or reset on 3 consecutive requests): 1 scenarios not run"),
            "{summary}"
        );
    }
}
