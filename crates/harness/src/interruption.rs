//! Whether a run was told to stop (SIGINT or SIGTERM), shared by the runner and the World.
//!
//! A stopped run sends nothing new: cucumber-rs cannot cancel scenarios, so the World refuses
//! every request after the signal and the scenarios still to come end at once, while requests
//! already in flight finish (or time out) and the clean-up still runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// The signal that stopped the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// 128 + the signal number, as a shell reports a process killed by it.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// When and by what a run was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    pub signal: Signal,
    /// Time from the start of the run to the signal.
    pub after: Duration,
}

/// The run's stop flag and the scenarios it kept from sending.
pub struct Interruption {
    started: Instant,
    stop: watch::Sender<Option<Stop>>,
    /// Scenarios refused before they sent anything, and those refused part-way. Counted, not
    /// named: outline examples share a name, and a refused step ends its scenario, so each
    /// scenario is refused at most once.
    not_run: AtomicUsize,
    cut_short: AtomicUsize,
}

impl Default for Interruption {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            stop: watch::Sender::new(None),
            not_run: AtomicUsize::new(0),
            cut_short: AtomicUsize::new(0),
        }
    }
}

impl Interruption {
    /// Records the first signal; a later one changes nothing here.
    pub fn stop(&self, signal: Signal) {
        let after = self.started.elapsed();
        self.stop.send_if_modified(|stop| {
            let first = stop.is_none();
            if first {
                *stop = Some(Stop { signal, after });
            }
            first
        });
    }

    pub fn stopped(&self) -> Option<Stop> {
        *self.stop.borrow()
    }

    /// Resolves once the run is stopped.
    pub async fn wait(&self) {
        let mut changes = self.stop.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = changes.wait_for(Option::is_some).await;
    }

    /// Counts a scenario that wanted to send after the signal; `started` if it had sent before.
    pub fn refuse(&self, started: bool) {
        let count = if started { &self.cut_short } else { &self.not_run };
        count.fetch_add(1, Ordering::Relaxed);
    }

    /// The line every report carries, e.g. `interrupted by SIGINT after 3 s: 12 scenarios not
    /// run, 2 cut short`; `None` for a run that was not interrupted.
    pub fn summary(&self) -> Option<String> {
        let stop = self.stopped()?;
        Some(format!(
            "interrupted by {} after {} s: {} scenarios not run, {} cut short",
            stop.signal.name(),
            stop.after.as_secs(),
            self.not_run.load(Ordering::Relaxed),
            self.cut_short.load(Ordering::Relaxed)
        ))
    }

    /// What the JSON reports say about the interruption.
    pub fn json(&self) -> Option<serde_json::Value> {
        let stop = self.stopped()?;
        Some(serde_json::json!({
            "interrupted": true,
            "signal": stop.signal.name(),
            "after_secs": stop.after.as_secs(),
            "summary": self.summary(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first signal decides the exit code; the summary counts both kinds of refusal.
    #[tokio::test]
    async fn the_first_signal_wins_and_refusals_are_counted() {
        let interruption = Interruption::default();
        assert_eq!(interruption.summary(), None);
        interruption.stop(Signal::Terminate);
        interruption.stop(Signal::Interrupt);
        interruption.wait().await;
        interruption.refuse(false);
        interruption.refuse(false);
        interruption.refuse(true);
        assert_eq!(interruption.stopped().map(|s| s.signal.exit_code()), Some(143));
        assert_eq!(
            interruption.summary().as_deref(),
            Some("interrupted by SIGTERM after 0 s: 2 scenarios not run, 1 cut short")
        );
        assert_eq!(interruption.json().unwrap()["interrupted"], true);
    }
}
